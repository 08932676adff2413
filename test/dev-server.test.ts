import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOT_TOKEN, SECRET, writeConfigFile } from './support/bot-harness.ts';
import { freePort } from './support/database.ts';

// `npm run dev` as a person runs it: through npm, in a fresh process.
// A developer's own .env in the checkout must not change what these tests see.
const noEnvFile = join(mkdtempSync(join(tmpdir(), 'dev-env-')), 'absent.env');
const bareEnv = () => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'warn',
    DEPLOYBOT_ENV_FILE: noEnvFile,
  };
  return env;
};

describe('npm run dev', () => {
  it('refuses to start without Slack credentials: one clear line, exit 2', () => {
    const run = spawnSync('npm', ['run', 'dev', '--silent'], { env: bareEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    // One JSON line, as every line the bot writes.
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'error',
      msg: expect.stringContaining('npm run dev needs Slack credentials. Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN'),
    });
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('serves with an in-memory request store, settings read from its .env file, and stops on SIGTERM sent to npm', async () => {
    const port = await freePort();
    const envFile = join(mkdtempSync(join(tmpdir(), 'dev-env-')), '.env');
    writeFileSync(envFile, `SLACK_SIGNING_SECRET=${SECRET}\nSLACK_BOT_TOKEN="${BOT_TOKEN}"\nPORT=${port}\n`);
    const child = spawn('npm', ['run', 'dev', '--silent'], {
      env: {
        ...bareEnv(),
        DEPLOYBOT_ENV_FILE: envFile,
        DEPLOYBOT_CONFIG: writeConfigFile(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let healthy = false;
    for (let i = 0; i < 300 && !healthy; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(healthy).toBe(true);
    child.kill('SIGTERM');
    await exited;
    // npm passed the signal on: nothing listens on the port any more.
    let closed = false;
    for (let i = 0; i < 50 && !closed; i++) {
      closed = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => false,
        () => true,
      );
      if (!closed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(closed).toBe(true);
  }, 60_000);
});
