import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src/run-progress.ts';
import { formatRunnerLine } from '../../src/runner-report.ts';
import { PROGRESS_WINDOW_MS } from '../../src/status/build-progress.ts';
import { LONGEST_DATA } from '../../src/status/log-subscription.ts';
import { BotHarness, blockText } from '../support/bot-harness.ts';
import {
  approvedBuild,
  approvedBuildRunning,
  buildEventHandler,
  encodeLogBatch,
  logSubscription,
  phaseChange,
  stateChange,
} from '../support/codebuild-events.ts';
import { advanceBuild, type FakeBuild } from '../support/fake-aws.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';

// The build's log lines, as the runner prints them, delivered the way a CloudWatch Logs
// subscription filter delivers them, through the real status function, to the fake Slack and
// the request table on loopback.

const progressLine = (event: RunProgress, text = 'progress') =>
  formatRunnerLine({ source: 'migrate', level: 'info', text, progress: event });

const step = (n: number, statement: string): RunProgress => ({
  kind: 'step',
  migration: '0007_orders_index',
  step: n,
  steps: 5,
  mode: 'own-step',
  statement,
  elapsedMs: 0,
});

const INDEX = 'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)';

const heartbeat: RunProgress = {
  kind: 'heartbeat',
  migration: '0007_orders_index',
  step: 3,
  steps: 5,
  statement: INDEX,
  elapsedMs: 95_000,
  lockWaitMs: 0,
  phase: 'building index: scanning table',
  blocksDone: 2500,
  blocksTotal: 10_000,
  estimateMs: 285_000,
};

const BLOCKERS = [
  {
    pid: 48213,
    application: 'reporting-worker',
    state: 'idle in transaction',
    transactionMs: 310_000,
    query: 'SELECT * FROM orders WHERE id = 1',
  },
];

const blocked: RunProgress = {
  kind: 'blocked',
  migration: '0008_orders_not_null',
  statement: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL',
  lockMode: 'AccessExclusiveLock',
  waitedMs: 12_000,
  queued: 4,
  blockers: BLOCKERS,
};

describe('build progress in the status message (CloudWatch Logs subscription → status function)', () => {
  const bot = new BotHarness();
  let handle: (event: unknown) => Promise<unknown>;
  let review: StoredMessage;
  let build: FakeBuild;
  /** Log timestamps: the build's clock, moving on with every batch. */
  let logClock = Date.UTC(2026, 10, 24, 9, 1, 0);
  const nextLogTime = () => {
    logClock += 1000;
    return logClock;
  };
  const batch = (...events: RunProgress[]) =>
    logSubscription(
      build,
      events.map((event) => ({ at: nextLogTime(), line: progressLine(event) })),
    );

  const statusMessages = () => bot.threadReplies(review).filter((m) => m.metadata?.event_type === 'deploybot_build_status');
  const status = () => blockText(statusMessages()[0]);
  const later = (ms: number) => {
    bot.clock += ms;
  };

  beforeAll(async () => {
    await bot.start();
    handle = buildEventHandler(bot);
    ({ review, build } = await approvedBuild(bot));
    advanceBuild(build, [
      ['SUBMITTED', 1],
      ['QUEUED', 2],
      ['PROVISIONING', 14],
      ['PRE_BUILD', 5],
      ['BUILD', 30],
    ]);
    await handle(phaseChange(build, 'PRE_BUILD'));
  });
  afterAll(() => bot.stop());
  beforeEach(() => bot.slack.reset());

  it('shows the running step, then its heartbeat, in the one status message', async () => {
    later(PROGRESS_WINDOW_MS);
    expect(await handle(batch(step(3, INDEX)))).toMatchObject({
      kind: 'progress',
      statusMessage: 'updated',
    });
    expect(statusMessages()).toHaveLength(1);
    expect(status()).toContain('`0007_orders_index` step 3/5 (its own step)');
    expect(status()).toContain('`CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)`');
    // The phase timeline stays: the progress is under it, in the same message.
    expect(status()).toContain('phase `BUILD`');

    later(PROGRESS_WINDOW_MS);
    expect(await handle(batch(heartbeat))).toMatchObject({ statusMessage: 'updated' });
    expect(bot.slack.callsTo('chat.update')).toHaveLength(2);
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(statusMessages()).toHaveLength(1);
    expect(status()).toContain(
      'step 3/5 running 1 min 35 s · building index: scanning table · 25% of 10000 blocks · about 4 min 45 s left',
    );
    expect(statusMessages()[0]?.metadata?.event_payload).toMatchObject({ progress_at: logClock });
  });

  it('shows who blocks the runner: pid, application, state, how long their transaction is open, their query', async () => {
    later(PROGRESS_WINDOW_MS);
    expect(await handle(batch(blocked))).toMatchObject({ statusMessage: 'updated' });
    expect(status()).toContain(':no_entry: `0008_orders_not_null` waits 12 s for AccessExclusiveLock');
    expect(status()).toContain('4 sessions queued behind it');
    expect(status()).toContain(
      'held by pid 48213 (reporting-worker, idle in transaction, transaction open 5 min 10 s): `SELECT * FROM orders WHERE id = 1`',
    );
  });

  it('calls Slack at most once a window per request; the newest event waits in the record for the next call', async () => {
    later(PROGRESS_WINDOW_MS);
    expect(await handle(batch(step(4, 'ALTER TABLE orders ADD COLUMN a int')))).toMatchObject({ statusMessage: 'updated' });
    later(1000);
    expect(await handle(batch(step(5, 'ALTER TABLE orders ADD COLUMN b int')))).toMatchObject({ statusMessage: 'throttled' });
    later(1000);
    expect(await handle(batch(heartbeat))).toMatchObject({ statusMessage: 'throttled' });
    expect(bot.slack.callsTo('chat.update')).toHaveLength(1);
    expect(status()).toContain('step 4/5');
    expect((await bot.record(review))?.thread.progress?.event).toMatchObject({ kind: 'heartbeat' });

    later(PROGRESS_WINDOW_MS);
    expect(await handle(batch(step(5, 'ALTER TABLE orders ADD COLUMN b int')))).toMatchObject({ statusMessage: 'updated' });
    expect(bot.slack.callsTo('chat.update')).toHaveLength(2);
    expect(status()).toContain('step 5/5');
  });

  it('a replayed or late batch never brings an older event back', async () => {
    const older = logSubscription(build, [{ at: logClock - 60_000, line: progressLine(step(1, 'SELECT 1')) }]);
    const sameAsShown = logSubscription(build, [{ at: logClock, line: progressLine(step(2, 'SELECT 2')) }]);
    later(PROGRESS_WINDOW_MS);
    expect(await handle(older)).toMatchObject({ kind: 'progress', statusMessage: 'kept-newer' });
    expect(await handle(sameAsShown)).toMatchObject({ statusMessage: 'kept-newer' });
    expect(bot.slack.calls).toHaveLength(0);
    expect(status()).toContain('step 5/5');
  });

  it('takes the newest event of a batch and skips every line that is not a valid report with progress', async () => {
    later(PROGRESS_WINDOW_MS);
    const at = nextLogTime();
    const forged = progressLine(step(4, 'SELECT forged')).replace('"steps":5', '"steps":"5"');
    const delivery = logSubscription(build, [
      { at, line: progressLine(step(2, 'SELECT early')) },
      { at: at + 2, line: forged },
      { at: at + 1, line: progressLine(step(3, 'SELECT newest')) },
      { at: at + 3, line: formatRunnerLine({ source: 'migrate', level: 'info', text: 'no progress here' }) },
      { at: at + 4, line: '[Container] 2026/11/24 09:01:02.123456 Running command bun database/run-build.ts' },
    ]);
    logClock = at + 4;
    expect(await handle(delivery)).toMatchObject({ statusMessage: 'updated' });
    expect(status()).toContain('`SELECT newest`');
  });

  it('redacts and escapes what the log says before Slack sees it', async () => {
    later(PROGRESS_WINDOW_MS);
    const hostile = step(1, "SELECT dblink_connect('postgres://app:Pr0d-Passw0rd!@db.internal/x') -- <!channel> ```");
    expect(await handle(batch(hostile))).toMatchObject({ statusMessage: 'updated' });
    const text = JSON.stringify(statusMessages()[0]?.blocks);
    expect(text).not.toContain('Pr0d-Passw0rd');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(status()).not.toContain('```');
  });

  it('refuses a malformed or oversized delivery cleanly, and ignores the check CloudWatch sends first', async () => {
    const before = status();
    const refused = [
      { awslogs: { data: 'not base64 gzip at all' } },
      { awslogs: { data: Buffer.from('{"messageType":"DATA_MESSAGE"}').toString('base64') } },
      { awslogs: { data: 42 } },
      { awslogs: null },
      { awslogs: { data: 'A'.repeat(LONGEST_DATA + 1) } },
      // 64 MB of spaces gzip to about 64 KB: refused while inflating, not after.
      { awslogs: { data: gzipSync(Buffer.alloc(64 * 1024 * 1024, ' ')).toString('base64') } },
      encodeLogBatch({ messageType: 'DATA_MESSAGE', logGroup: build.logs.groupName, logStream: build.logs.streamName, logEvents: [{}] }),
      encodeLogBatch({ messageType: 'SOMETHING_ELSE' }),
    ];
    for (const delivery of refused) {
      expect(await handle(delivery), JSON.stringify(delivery).slice(0, 80)).toMatchObject({ kind: 'ignored' });
    }
    expect(await handle(refused[5])).toMatchObject({ reason: expect.stringContaining('inflates past') });
    expect(await handle(refused[4])).toMatchObject({ reason: expect.stringContaining('more than') });
    expect(await handle(logSubscription(build, [], 'CONTROL_MESSAGE'))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('CONTROL_MESSAGE'),
    });
    expect(bot.slack.calls).toHaveLength(0);
    expect(status()).toBe(before);
  });

  it("ignores a batch that is not a configured project's build log, or not a build bound to the request", async () => {
    later(PROGRESS_WINDOW_MS);
    const line = [{ at: nextLogTime(), line: progressLine(step(1, 'SELECT 1')) }];
    const elsewhere = logSubscription({ logs: { ...build.logs, groupName: '/aws/lambda/something' } }, line);
    const otherProject = logSubscription({ logs: { ...build.logs, groupName: '/aws/codebuild/someone-elses-project' } }, line);
    const unknownStream = logSubscription({ logs: { ...build.logs, streamName: '00000000-0000-0000-0000-000000000000' } }, line);
    for (const delivery of [elsewhere, otherProject, unknownStream]) expect(await handle(delivery)).toMatchObject({ kind: 'ignored' });
    expect(bot.slack.calls).toHaveLength(0);
  });
});

describe('progress facts in the result reply', () => {
  const bot = new BotHarness();
  beforeAll(() => bot.start());
  afterAll(() => bot.stop());

  it('keeps the snapshot, a lock the runner gave up on and the schema check; the status message drops the running state', async () => {
    const handle = buildEventHandler(bot);
    const { review, build } = await approvedBuildRunning(bot);
    // Progress that comes before the status message is posted is kept, and the first post shows it.
    const t = Date.UTC(2026, 10, 24, 9, 2, 0);
    bot.slack.reset();
    expect(await handle(logSubscription(build, [{ at: t, line: progressLine(heartbeat) }]))).toMatchObject({ statusMessage: 'not-shown' });
    expect(bot.slack.callsTo('chat.update')).toHaveLength(0);
    expect(await handle(phaseChange(build, 'PROVISIONING'))).toMatchObject({ statusMessage: 'posted' });
    const posted = blockText(bot.threadReplies(review).find((m) => m.metadata?.event_type === 'deploybot_build_status'));
    expect(posted).toContain('step 3/5 running 1 min 35 s');

    const events: RunProgress[] = [
      { kind: 'snapshot', state: 'creating', snapshotId: 'deploybot-prod-0007', elapsedMs: 1000 },
      {
        kind: 'snapshot',
        state: 'available',
        snapshotId: 'deploybot-prod-0007',
        elapsedMs: 61_000,
        restoreCommand: 'aws rds restore-db-instance-from-db-snapshot --db-snapshot-identifier deploybot-prod-0007',
      },
      {
        kind: 'gave-up',
        migration: '0008_orders_not_null',
        statement: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL',
        waitedMs: 30_000,
        thresholdMs: 30_000,
        attempt: 1,
        blockers: BLOCKERS,
      },
      { kind: 'schema', matches: false, differences: ['orders.customer_id: nullable in the database, NOT NULL in schema.ts'] },
    ];
    bot.aws.logStreams.set(
      `${build.logs.groupName}\t${build.logs.streamName}`,
      events.map((e) => progressLine(e)),
    );
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['PROVISIONING', 14],
        ['BUILD', 30, 'FAILED'],
      ],
      'FAILED',
    );
    expect(await handle(stateChange(build, 'FAILED'))).toMatchObject({ resultPosted: true });
    const result = bot.threadReplies(review).find((m) => m.metadata?.event_type === 'deploybot_build_result');
    const text = blockText(result);
    expect(text).toContain(
      ':camera: Snapshot `deploybot-prod-0007` available (1 min 1 s); restore with `aws rds restore-db-instance-from-db-snapshot --db-snapshot-identifier deploybot-prod-0007`',
    );
    expect(text).not.toContain('being created');
    expect(text).toContain(':warning: `0008_orders_not_null` gave up after waiting 30 s (limit 30 s, attempt 1)');
    expect(text).toContain('held by pid 48213 (reporting-worker, idle in transaction');
    expect(text).toContain(':warning: The live schema differs from database/schema.ts:');
    expect(text).toContain('`orders.customer_id: nullable in the database, NOT NULL in schema.ts`');
    const finalStatus = blockText(bot.threadReplies(review).find((m) => m.metadata?.event_type === 'deploybot_build_status'));
    expect(finalStatus).toContain('*FAILED*');
    expect(finalStatus).not.toContain('running 1 min 35 s');

    // A batch arriving after the end (log delivery lags the build) is kept, never shown over the result.
    bot.slack.reset();
    bot.clock += PROGRESS_WINDOW_MS;
    expect(await handle(logSubscription(build, [{ at: t + 5000, line: progressLine(heartbeat) }]))).toMatchObject({
      statusMessage: 'not-shown',
    });
    expect(bot.slack.calls).toHaveLength(0);
  });
});
