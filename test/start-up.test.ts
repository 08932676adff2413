import { describe, expect, it } from 'vitest';
import { loadStartUp, once } from '../src/start-up.ts';
import { writeConfigFile } from './support/bot-harness.ts';

describe('start-up', () => {
  it('once: shares one start, and a failed start is tried again on the next call', async () => {
    let calls = 0;
    const start = once(async () => {
      calls++;
      if (calls === 1) throw new Error('secret not there yet');
      return calls;
    });
    await expect(start()).rejects.toThrow('secret not there yet');
    const [a, b] = await Promise.all([start(), start()]);
    expect([a, b, calls]).toEqual([2, 2, 2]);
    expect(await start()).toBe(2);
  });

  it('names what is missing: the config file, then the Slack credentials', async () => {
    await expect(loadStartUp({ DEPLOYBOT_CONFIG: '/nonexistent/deploybot.config.json' })).rejects.toThrow(
      'Cannot read /nonexistent/deploybot.config.json: ENOENT',
    );
    await expect(loadStartUp({ DEPLOYBOT_CONFIG: writeConfigFile() })).rejects.toThrow('Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN');
    const started = await loadStartUp({ DEPLOYBOT_CONFIG: writeConfigFile(), SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(started.credentials).toEqual({ signingSecret: 's', botToken: 'xoxb-1' });
    expect(Object.keys(started.config.environments)).toEqual(['prod', 'staging']);
  });
});
