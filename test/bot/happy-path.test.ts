import { createHash } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as verifyPlan } from '../../src/cli/verify-plan.ts';
import { decodePlan } from '../../src/history/plan.ts';
import { describeTimeout } from '../../src/review/statement-timeouts.ts';
import { APPROVER, BACKEND_DIGEST, BOT_TOKEN, BotHarness, blockText, CHANNEL, REQUESTER } from '../support/bot-harness.ts';
import { capture } from '../support/capture.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// Production as it is: the first three migrations applied, the next three pending (a type
// change and a dropped column, two renames, a hand-written data fix).
describe('a migration request from command to CodeBuild', () => {
  const bot = new BotHarness();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(3));
    await bot.start(undefined, { target: 'none' });
    bot.aws.secrets.set('daadaar/prod/database-read-url', db.url);
  }, 60_000);
  afterAll(async () => {
    await bot.stop();
    await db?.drop();
  });

  it('acks the command at once and opens a modal, then fills it with the review', async () => {
    const res = await bot.command('migrate prod');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const [open] = bot.slack.callsTo('views.open');
    expect(open?.token).toBe(BOT_TOKEN);
    expect(JSON.stringify(open?.args.view)).toContain('Reviewing the migrations');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toMatch(/3 migrations, \d+ statements: \*\d+ destructive/);
    expect(modal).toContain('has applied 3; *3 pending*');
    expect(modal).toMatch(/\*Plan\* sha256 `[0-9a-f]{64}` · image `sha256:(d1){32}`/);
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

  it('posts the review with findings, destructive first, the plan sha256, and the buttons', async () => {
    const res = await bot.submitModal(REQUESTER, { reason: 'Ship <!channel> & the <b>uuids</b>', confirm: 'prod' });
    expect(await res.text()).toBe('');
    const message = bot.reviewMessage();
    expect(message?.channel).toBe(CHANNEL);
    const text = blockText(message);
    const record = await bot.record(message);
    expect(text).toContain(`*Plan* sha256 \`${record?.planSha256}\``);
    expect(text).toContain(BACKEND_DIGEST);
    // prod snapshots before a destructive run, and the approvers are told before they approve.
    expect(text).toContain('The build snapshots the database first (instance `daadaar-prod`)');
    // The timeouts the build will apply, read back from the plan the record holds.
    const plan = decodePlan(record?.plan ?? '');
    if (!plan.ok || plan.plan.kind !== 'migrate' || !plan.plan.timeouts) throw new Error('the plan pins no timeouts');
    expect(plan.plan.timeouts.statements.length).toBeGreaterThan(0);
    const shown = text.match(/\*Timeouts\*, pinned in the plan: lock_timeout ([^;]*); statement_timeout ([^*\n"]*)/);
    expect(shown, text).not.toBeNull();
    for (const s of plan.plan.timeouts.statements) {
      expect(shown?.[1]).toContain(`${describeTimeout(s.lockTimeoutMs)} (`);
      expect(shown?.[2]).toContain(`${describeTimeout(s.statementTimeoutMs)} (`);
    }
    // The full SQL of the pending set, as one file in the thread, not one reply per statement.
    const [file] = bot.slack.files;
    expect(file).toMatchObject({ channel: CHANNEL, thread_ts: message?.ts });
    expect(file?.title).toMatch(/^prod-pending-[0-9a-f]{12}\.sql$/);
    expect(file?.content).toContain('-- 0003_media_sizes_and_cleanup.sql');
    expect(file?.content).toContain('ALTER TABLE "users" DROP COLUMN "legacy_profile_url"');
    expect(file?.content).not.toContain('0002_shareable_uuids');
    expect(text).toContain('Ship &lt;!channel&gt; &amp; the &lt;b&gt;uuids&lt;/b&gt;');
    expect(text).not.toContain('<!channel>');
    const sections = (message?.blocks ?? []).map((b) => JSON.stringify(b));
    const firstDestructive = sections.findIndex((s) => s.includes('*destructive* ·'));
    const firstBreaking = sections.findIndex((s) => s.includes('*breaking* ·'));
    expect(firstDestructive).toBeGreaterThan(0);
    expect(firstDestructive).toBeLessThan(firstBreaking);
    expect(text).toContain('deploybot_approve');
    expect(message?.metadata).toMatchObject({
      event_type: 'deploybot_request',
      event_payload: { env: 'prod', state: 'open', requested_by: REQUESTER },
    });
  });

  it('starts the build pinned to the approved plan when a second engineer approves', async () => {
    const res = await bot.click('deploybot_approve', APPROVER);
    expect(res.status).toBe(200);
    const [start] = bot.aws.callsOf('StartBuild');
    if (!start) throw new Error('StartBuild was not called');
    const message = bot.reviewMessage();
    const request = message?.metadata?.event_payload;
    const record = await bot.record();
    const overrides = Object.fromEntries(
      (start.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]),
    );
    expect(start).toMatchObject({ projectName: 'daadaar-migrations', idempotencyToken: request?.request_id });
    expect(overrides).toEqual({
      RUN_MIGRATIONS: 'true',
      DEPLOYBOT_REQUEST_ID: request?.request_id,
      DEPLOYBOT_ENV: 'prod',
      DEPLOYBOT_PLAN: record?.plan,
      DEPLOYBOT_PLAN_SHA256: record?.planSha256,
      IMAGE_URI: `123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@${BACKEND_DIGEST}`,
      SLACK_CHANNEL_ID: CHANNEL,
      SLACK_THREAD_TS: message?.ts,
      REQUESTED_BY: REQUESTER,
      APPROVED_BY: APPROVER,
      // prod snapshots before destructive runs, and the pending set drops a column.
      DEPLOYBOT_SNAPSHOT: 'instance:daadaar-prod',
    });
    expect(record?.snapshot).toEqual({ kind: 'instance', id: 'daadaar-prod' });
    // The plan is what the review showed: its hash is the approved one, and it pins the three
    // pending migrations on top of the three applied ones, and the image by digest.
    expect(
      createHash('sha256')
        .update(overrides.DEPLOYBOT_PLAN ?? '')
        .digest('hex'),
    ).toBe(overrides.DEPLOYBOT_PLAN_SHA256);
    const plan = decodePlan(overrides.DEPLOYBOT_PLAN ?? '');
    expect(plan).toMatchObject({
      ok: true,
      plan: { kind: 'migrate', image: BACKEND_DIGEST, applied: { count: 3 }, pending: { count: 3 } },
    });
    expect(bot.aws.builds).toHaveLength(1);
    expect(message?.metadata?.event_payload.state).toBe('started');

    // Inside the build, the verifier recomputes the plan from the same target and agrees...
    const buildEnv = { ...overrides, DATABASE_URL: db.url, DEPLOYBOT_IMAGE_DIGEST: `daadaar-backend@${BACKEND_DIGEST}` };
    const verify = async () => {
      const out = capture();
      const code = await verifyPlan([], out as unknown as typeof process.stdout, out as unknown as typeof process.stderr, buildEnv);
      return { code, text: out.text };
    };
    expect(await verify()).toMatchObject({ code: 0 });
    // ...and refuses once the target has moved on since the review.
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(4) });
    await sql.end();
    const moved = await verify();
    expect(moved.code).toBe(3);
    expect(moved.text).toContain('Plan mismatch (applied-history)');
    expect(blockText(message)).toContain(bot.aws.builds[0]?.id);
    expect(blockText(message)).not.toContain('deploybot_approve');
    if (!message) throw new Error('no review message');
    const replies = bot.threadReplies(message);
    expect(replies.some((r) => r.text?.includes('started, pinned to the approved plan'))).toBe(true);
  });

  it('lists the request in /daadaar history: who asked, who approved, the plan, the build', async () => {
    await bot.command('history prod');
    const told = bot.responseTexts().at(-1) ?? '';
    const record = await bot.record();
    expect(told).toContain('Last 1 request · prod');
    expect(told).toContain('Requested by <@U0REQUESTER>, approved by <@U0APPROVER1>');
    expect(told).toContain(`plan sha256 \`${record?.planSha256}\``);
    expect(told).toContain(record?.build?.id ?? 'no build');
  });
});
