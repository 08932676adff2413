import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSetHash } from '../../src/review/migration-set.ts';
import { APPROVER, BOT_TOKEN, BotHarness, blockText, CHANNEL, REQUESTER } from '../support/bot-harness.ts';
import { loadHistory } from '../support/migration-folders.ts';

describe('a migration request from command to CodeBuild', () => {
  const bot = new BotHarness();
  beforeAll(() => bot.start());
  afterAll(() => bot.stop());

  it('acks the command at once and opens a modal, then fills it with the review', async () => {
    const res = await bot.command('migrate prod');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const [open] = bot.slack.callsTo('views.open');
    expect(open?.token).toBe(BOT_TOKEN);
    expect(JSON.stringify(open?.args.view)).toContain('Reviewing the migrations');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('6 migrations, 105 statements: *2 destructive, 2 breaking, 12 locking*');
    expect(modal).toContain('Pending set unknown');
    expect(modal).toContain('Type prod to confirm');
  });

  it('refuses a submission without a reason or the typed confirmation, naming the fields', async () => {
    const res = await bot.submitModal(REQUESTER, { reason: '', confirm: 'production' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['confirm', 'reason']);
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('posts the review with findings, destructive first, the set hash, and the buttons', async () => {
    const res = await bot.submitModal(REQUESTER, { reason: 'Ship <!channel> & the <b>uuids</b>', confirm: 'prod' });
    expect(await res.text()).toBe('');
    const message = bot.reviewMessage();
    expect(message?.channel).toBe(CHANNEL);
    const text = blockText(message);
    expect(text).toContain(migrationSetHash(await loadHistory()));
    expect(text).toContain('Ship &lt;!channel&gt; &amp; the &lt;b&gt;uuids&lt;/b&gt;');
    expect(text).not.toContain('<!channel>');
    const sections = (message?.blocks ?? []).map((b) => JSON.stringify(b));
    const firstDestructive = sections.findIndex((s) => s.includes('*destructive* ·'));
    const firstLocking = sections.findIndex((s) => s.includes('*locking* ·'));
    expect(firstDestructive).toBeGreaterThan(0);
    expect(firstDestructive).toBeLessThan(firstLocking);
    expect(text).toContain('deploybot_approve');
    expect(message?.metadata).toMatchObject({
      event_type: 'deploybot_request',
      event_payload: { env: 'prod', state: 'open', requested_by: REQUESTER },
    });
  });

  it('starts the build pinned to the reviewed set when a second engineer approves', async () => {
    const res = await bot.click('deploybot_approve', APPROVER);
    expect(res.status).toBe(200);
    const [start] = bot.aws.callsOf('StartBuild');
    if (!start) throw new Error('StartBuild was not called');
    const message = bot.reviewMessage();
    const request = message?.metadata?.event_payload;
    const overrides = Object.fromEntries(
      (start.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]),
    );
    expect(start).toMatchObject({ projectName: 'daadaar-migrations', idempotencyToken: request?.request_id });
    expect(overrides).toEqual({
      RUN_MIGRATIONS: 'true',
      DEPLOYBOT_REQUEST_ID: request?.request_id,
      EXPECTED_MIGRATIONS_SHA256: request?.set_hash,
      SLACK_CHANNEL_ID: CHANNEL,
      SLACK_THREAD_TS: message?.ts,
      REQUESTED_BY: REQUESTER,
      APPROVED_BY: APPROVER,
    });
    expect(bot.aws.builds).toHaveLength(1);
    expect(message?.metadata?.event_payload.state).toBe('started');
    expect(blockText(message)).toContain(bot.aws.builds[0]?.id);
    expect(blockText(message)).not.toContain('deploybot_approve');
    if (!message) throw new Error('no review message');
    const replies = bot.threadReplies(message);
    expect(replies.some((r) => r.text?.includes('started, pinned to migration set'))).toBe(true);
  });
});
