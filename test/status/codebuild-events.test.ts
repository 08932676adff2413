import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SdkCodeBuildGateway } from '../../src/aws/codebuild.ts';
import { composeBuildEvents } from '../../src/handlers/codebuild-events.ts';
import { createLog } from '../../src/log.ts';
import { transition } from '../../src/requests/transition.ts';
import { formatRunnerLine } from '../../src/runner-report.ts';
import { APPROVER, BOT_TOKEN, BotHarness, blockText, REQUESTER, SECRET, writeConfigFile } from '../support/bot-harness.ts';
import { phaseChange, stateChange } from '../support/codebuild-events.ts';
import { advanceBuild, type FakeBuild } from '../support/fake-aws.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';

// The real handler; CodeBuild, CloudWatch Logs and Slack on loopback.
/** The real EventBridge handler, configured as the Lambda would be, talking to the harness's fakes. */
function eventHandlerFor(bot: BotHarness): (event: unknown) => Promise<unknown> {
  // The store is found as the Lambda finds it: the table by name, the endpoint from the SDK's variable.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = bot.dynamo.url;
  return composeBuildEvents(
    {
      DEPLOYBOT_CONFIG: writeConfigFile(),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: bot.slack.url,
      DEPLOYBOT_TABLE: bot.table,
    },
    createLog({ service: 'test' }, 'error', () => {}),
    () => bot.clock,
  );
}

/** Requests, approves and returns the build CodeBuild started, with the review message. */
async function approvedBuild(bot: BotHarness): Promise<{ review: StoredMessage; build: FakeBuild }> {
  const review = await bot.request('migrate prod');
  await bot.click('deploybot_approve', APPROVER);
  const build = bot.aws.builds.at(-1);
  if (!build) throw new Error('no build started');
  return { review, build };
}

const resultsIn = (bot: BotHarness, review: StoredMessage): StoredMessage[] =>
  bot.threadReplies(review).filter((m) => m.metadata?.event_type === 'deploybot_build_result');

describe('build status in the thread (EventBridge → codebuild-events Lambda)', () => {
  const bot = new BotHarness();
  let handle: (event: unknown) => Promise<unknown>;
  let review: StoredMessage;
  let build: FakeBuild;

  const statusMessages = () => bot.threadReplies(review).filter((m) => m.metadata?.event_type === 'deploybot_build_status');
  const resultReplies = () => resultsIn(bot, review);
  const tailReplies = () => bot.threadReplies(review).filter((m) => m.text?.startsWith('Log tail of'));

  beforeAll(async () => {
    await bot.start();
    handle = eventHandlerFor(bot);
    ({ review, build } = await approvedBuild(bot));
  });
  afterAll(() => bot.stop());
  beforeEach(() => bot.slack.reset());

  it('posts one status message with the phase timeline, then keeps it up to date', async () => {
    advanceBuild(build, [
      ['SUBMITTED', 1],
      ['QUEUED', 2],
      ['PROVISIONING', 14],
      ['PRE_BUILD', 5],
    ]);
    expect(await handle(phaseChange(build, 'PROVISIONING'))).toMatchObject({ kind: 'reported', statusMessage: 'posted' });
    expect(statusMessages()).toHaveLength(1);
    const first = blockText(statusMessages()[0]);
    expect(first).toContain('*IN_PROGRESS* · phase `PRE_BUILD`');
    expect(first).toContain(':white_check_mark: `PROVISIONING` 14 s');
    expect(first).toContain('`PRE_BUILD`');
    expect(first).toContain('(running)');

    advanceBuild(build, [
      ['SUBMITTED', 1],
      ['QUEUED', 2],
      ['PROVISIONING', 14],
      ['PRE_BUILD', 5],
      ['BUILD', 30],
    ]);
    bot.slack.reset();
    expect(await handle(phaseChange(build, 'PRE_BUILD'))).toMatchObject({ statusMessage: 'updated' });
    expect(statusMessages()).toHaveLength(1);
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(bot.slack.callsTo('chat.update')).toHaveLength(1);
    expect(blockText(statusMessages()[0])).toContain('phase `BUILD`');
  });

  it('on failure: one broadcast result with outcome, duration, people and a redacted log tail; the review shows it', async () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `[Container] 2026/11/24 09:01:${String(i).padStart(2, '0')}.000001 Running command step ${i + 1}`,
    );
    lines.push('Connecting to postgres://daadaar:Pr0d-Passw0rd!@db.internal:5432/daadaar');
    lines.push(formatRunnerLine({ source: 'migrate', level: 'info', text: 'Applying 0004_rename_biography (sha256 0123456789ab)' }));
    lines.push('error: column "biography" does not exist (AKIAABCDEFGHIJKLMNOP)');
    lines.push(
      formatRunnerLine({ source: 'migrate', level: 'error', text: 'Connecting with postgres://daadaar:Pr0d-Passw0rd!@db.internal failed' }),
    );
    bot.aws.logStreams.set(`${build.logs.groupName}\t${build.logs.streamName}`, lines);
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['QUEUED', 2],
        ['PROVISIONING', 14],
        ['PRE_BUILD', 5],
        ['BUILD', 95, 'FAILED'],
        ['FINALIZING', 2],
      ],
      'FAILED',
    );
    expect(await handle(stateChange(build, 'FAILED'))).toMatchObject({ kind: 'reported', status: 'FAILED', resultPosted: true });
    const [result] = resultReplies();
    expect(result?.reply_broadcast).toBe(true);
    expect(blockText(result)).toContain('*Migration on prod FAILED* in 1 min 59 s');
    expect(blockText(result)).toContain(`Requested by <@${REQUESTER}>, approved by <@${APPROVER}>`);
    // The broadcast carries the outcome only; the log tail stays in the thread.
    expect(blockText(result)).not.toContain('[Container]');
    const tail = tailReplies();
    expect(tail).toHaveLength(1);
    expect(tail[0]?.reply_broadcast).toBeUndefined();
    const text = blockText(tail[0]);
    // Only the runner's reports and CodeBuild's lines, the last 40 of them; other output is counted.
    expect(text).toContain('Last 40 report lines');
    expect(text).toContain('Running command step 23\\n');
    expect(text).not.toContain('Running command step 22\\n');
    expect(text).toContain('· migrate: Applying 0004_rename_biography (sha256 0123456789ab)');
    expect(text).toContain('2 other lines of tool output not shown');
    expect(text).not.toContain('column \\"biography\\"');
    expect(text).not.toContain('Pr0d-Passw0rd');
    expect(text).not.toContain('AKIAABCDEFGHIJKLMNOP');
    expect(text).toContain('✗ migrate: Connecting with postgres://daadaar:[REDACTED]@db.internal failed');
    expect(blockText(statusMessages()[0])).toContain('*FAILED*');
    expect(blockText(statusMessages()[0])).toContain(':x: `BUILD` 1 min 35 s FAILED');
    const parent = bot.slack.messages.find((m) => m.ts === review.ts);
    expect(blockText(parent)).toContain('*FAILED*');
    expect(parent?.metadata?.event_payload).toMatchObject({ state: 'failed' });
    expect(await bot.record(review)).toMatchObject({ state: 'failed', build: { id: build.id, status: 'FAILED' } });
  });

  it('a duplicate or late event changes nothing and posts nothing', async () => {
    const before = JSON.stringify(bot.slack.messages);
    expect(await handle(stateChange(build, 'FAILED'))).toMatchObject({ statusMessage: 'unchanged', resultPosted: false });
    expect(await handle(phaseChange(build, 'BUILD', '2026-11-24T09:03:00Z'))).toMatchObject({ resultPosted: false });
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(JSON.stringify(bot.slack.messages)).toBe(before);
  });

  it('a report read while the build was younger never replaces a newer status', async () => {
    // As if a slow invocation had read the build before it finished and only now writes.
    const finished = structuredClone(build);
    advanceBuild(build, [
      ['SUBMITTED', 1],
      ['QUEUED', 2],
    ]);
    build.buildStatus = 'IN_PROGRESS';
    delete build.endTime;
    try {
      expect(await handle(phaseChange(build, 'SUBMITTED'))).toMatchObject({ statusMessage: 'kept-newer' });
      expect(blockText(statusMessages()[0])).toContain('*FAILED*');
    } finally {
      Object.assign(build, finished);
    }
  });

  it('ignores events of other projects and other sources', async () => {
    const other = structuredClone(build);
    other.projectName = 'someone-elses-project';
    expect(await handle(stateChange(other, 'SUCCEEDED'))).toMatchObject({ kind: 'ignored' });
    expect(await handle({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} })).toMatchObject({
      kind: 'ignored',
    });
    expect(bot.slack.calls).toHaveLength(0);
  });
});

describe('a build with no logs yet, and a Slack failure at the end', () => {
  const bot = new BotHarness();
  let handle: (event: unknown) => Promise<unknown>;

  beforeAll(async () => {
    await bot.start();
    handle = eventHandlerFor(bot);
  });
  afterAll(() => bot.stop());

  it('says there are no log lines yet, and a failed result post is made good by the next event', async () => {
    const { review, build } = await approvedBuild(bot);
    // Stopped while provisioning: CodeBuild never created the log stream.
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['QUEUED', 2],
        ['PROVISIONING', 3, 'STOPPED'],
      ],
      'STOPPED',
    );
    // The status message posts; the result reply hits a Slack error.
    bot.slack.script('chat.postMessage', { status: 200, body: { ok: true, channel: 'C', ts: '1764000000.999001' } });
    bot.slack.script('chat.postMessage', { status: 200, body: { ok: false, error: 'internal_error' } });
    await expect(handle(stateChange(build, 'STOPPED'))).rejects.toThrow(/internal_error/);
    expect(resultsIn(bot, review)).toHaveLength(0);

    // EventBridge's retry (or the next event) finishes the job, once.
    expect(await handle(stateChange(build, 'STOPPED'))).toMatchObject({ resultPosted: true });
    expect(await handle(stateChange(build, 'STOPPED'))).toMatchObject({ resultPosted: false });
    const results = resultsIn(bot, review);
    expect(results).toHaveLength(1);
    expect(blockText(results[0])).toContain('*Migration on prod STOPPED*');
    expect(
      bot
        .threadReplies(review)
        .filter((m) => m.text?.startsWith('Log tail of'))
        .map(blockText),
    ).toEqual([expect.stringContaining('No log lines yet')]);
  });
});

describe('/daadaar status without EventBridge', () => {
  const bot = new BotHarness();
  beforeAll(() => bot.start());
  afterAll(() => bot.stop());

  it('reads the build and its log tail itself, and brings the thread up to date', async () => {
    const { review, build } = await approvedBuild(bot);
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['PROVISIONING', 10],
        ['BUILD', 40],
      ],
      'SUCCEEDED',
    );
    bot.aws.logStreams.set(`${build.logs.groupName}\t${build.logs.streamName}`, [
      formatRunnerLine({ source: 'migrate', level: 'info', text: 'Applying 0003_media_sizes_and_cleanup (sha256 0123456789ab)' }),
      formatRunnerLine({ source: 'migrate', level: 'info', text: 'Applied 3 migrations in one transaction in 812 ms.' }),
      'DATABASE_URL=postgres://app:leaked-pw@db/daadaar',
    ]);
    await bot.command('status prod');
    const reply = bot.responseTexts().join('\n');
    expect(reply).toContain('SUCCEEDED');
    expect(reply).toContain('Applied 3 migrations in one transaction in 812 ms.');
    expect(reply).not.toContain('leaked-pw');
    expect(bot.aws.callsOf('GetLogEvents').length).toBeGreaterThan(0);
    const results = resultsIn(bot, review);
    expect(results).toHaveLength(1);
    expect(blockText(results[0])).toContain('*Migration on prod SUCCEEDED* in 51 s');
    // Asking again repairs nothing twice.
    await bot.command('status prod');
    expect(resultsIn(bot, review)).toHaveLength(1);
  });
});

describe('final events handled at the same moment', () => {
  it('post exactly one status message and one result reply, however many handlers race', async () => {
    for (let round = 0; round < 6; round++) {
      const bot = await new BotHarness().start();
      try {
        const handle = eventHandlerFor(bot);
        const { review, build } = await approvedBuild(bot);
        advanceBuild(
          build,
          [
            ['SUBMITTED', 1],
            ['PROVISIONING', 10],
            ['BUILD', 30],
            ['FINALIZING', 2],
          ],
          'SUCCEEDED',
        );
        // The last phase change, the state change, and a duplicate delivery, all at once.
        const results = await Promise.allSettled([
          handle(phaseChange(build, 'FINALIZING', '2026-11-24T09:01:00Z')),
          handle(stateChange(build, 'SUCCEEDED')),
          handle(stateChange(build, 'SUCCEEDED')),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
        const thread = bot.threadReplies(review);
        expect(resultsIn(bot, review)).toHaveLength(1);
        expect(thread.filter((m) => m.metadata?.event_type === 'deploybot_build_status')).toHaveLength(1);
        expect(thread.filter((m) => m.text?.startsWith('Log tail of'))).toHaveLength(1);
        expect(await bot.record(review)).toMatchObject({ state: 'succeeded' });
      } finally {
        await bot.stop();
      }
    }
  }, 120_000);
});

/**
 * A finished build someone else started with a request's variables: an attacker with
 * codebuild:StartBuild, a console retry, a copy-paste into the wrong project.
 */
async function startedElsewhere(bot: BotHarness, project: string, environment: Record<string, string>): Promise<FakeBuild> {
  const started = await new SdkCodeBuildGateway().startBuild({
    project,
    region: 'us-east-1',
    idempotencyToken: `lookalike-${project}-${bot.aws.builds.length}`,
    environment,
  });
  if (!started.ok) throw new Error(started.message);
  const made = bot.aws.builds.find((b) => b.id === started.build.id);
  if (!made) throw new Error('no lookalike build');
  advanceBuild(
    made,
    [
      ['SUBMITTED', 1],
      ['BUILD', 20],
    ],
    'SUCCEEDED',
  );
  return made;
}

describe('a build settles only the request that started it, in its own environment', () => {
  const bot = new BotHarness();
  let handle: (event: unknown) => Promise<unknown>;
  let review: StoredMessage;
  let build: FakeBuild;

  const lookalike = (project: string) =>
    startedElsewhere(bot, project, Object.fromEntries((build.environment.environmentVariables ?? []).map((v) => [v.name, v.value])));

  /** Nothing of the request moved: its state, its build, its lock, its thread. */
  async function expectUnsettled(): Promise<void> {
    const record = await bot.record(review);
    expect(record).toMatchObject({ state: 'started', build: { id: build.id } });
    expect(await bot.store.readLock('prod')).toMatchObject({ requestId: record?.id });
    expect(resultsIn(bot, review)).toHaveLength(0);
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(bot.slack.callsTo('chat.update')).toHaveLength(0);
  }

  beforeAll(async () => {
    await bot.start();
    handle = eventHandlerFor(bot);
    ({ review, build } = await approvedBuild(bot));
  });
  afterAll(() => bot.stop());
  beforeEach(() => bot.slack.reset());

  it("never settles a prod request from a build run in staging's project, by event or by /daadaar status", async () => {
    const staging = await lookalike('daadaar-migrations-staging');
    expect(await handle(stateChange(staging, 'SUCCEEDED'))).toEqual({
      kind: 'not-ours',
      reason: `build ${staging.id} ran in daadaar-migrations-staging (us-east-1), not in prod's project daadaar-migrations (us-east-1)`,
    });
    await expectUnsettled();
    // /daadaar status staging reads staging's newest build (the lookalike) and repairs its "thread".
    await bot.command('status staging');
    expect(bot.logs.some((l) => l.includes('"build ignored"') && l.includes("not in prod's project"))).toBe(true);
    expect(await bot.record(review)).toMatchObject({ state: 'started' });
    expect(resultsIn(bot, review)).toHaveLength(0);
  });

  it("never settles it from another build of prod's own project carrying the request's id", async () => {
    const second = await lookalike('daadaar-migrations');
    expect(await handle(stateChange(second, 'SUCCEEDED'))).toMatchObject({
      kind: 'not-ours',
      reason: expect.stringContaining(`build is ${build.id}, not ${second.id}`),
    });
    await expectUnsettled();
    // Newest in prod's project now: /daadaar status tries it, and ignores it as well.
    await bot.command('status prod');
    expect(await bot.record(review)).toMatchObject({ state: 'started', build: { id: build.id } });
    expect(resultsIn(bot, review)).toHaveLength(0);
  });

  it('the build the record names still settles it', async () => {
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['BUILD', 30],
      ],
      'SUCCEEDED',
    );
    expect(await handle(stateChange(build, 'SUCCEEDED'))).toMatchObject({ kind: 'reported', resultPosted: true });
    expect(await bot.record(review)).toMatchObject({ state: 'succeeded', build: { id: build.id, status: 'SUCCEEDED' } });
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect(resultsIn(bot, review)).toHaveLength(1);
  });
});

describe('a request whose build was never recorded', () => {
  const bot = new BotHarness();
  beforeAll(() => bot.start());
  afterAll(() => bot.stop());

  it('is not adopted by a build event, from its own project or another: the record names the build', async () => {
    const handle = eventHandlerFor(bot);
    const review = await bot.request('migrate prod');
    const id = String((await bot.record(review))?.id);
    // The approving job died right after its open → starting write, before StartBuild answered.
    const stuck = await transition(bot.store, id, (r) => ({ ok: true, next: { ...r, state: 'starting', version: r.version + 1 } }));
    expect(stuck.ok).toBe(true);
    bot.slack.reset();

    const staging = await startedElsewhere(bot, 'daadaar-migrations-staging', { DEPLOYBOT_REQUEST_ID: id });
    expect(await handle(stateChange(staging, 'SUCCEEDED'))).toMatchObject({
      kind: 'not-ours',
      reason: expect.stringContaining("not in prod's project daadaar-migrations"),
    });
    const own = await startedElsewhere(bot, 'daadaar-migrations', { DEPLOYBOT_REQUEST_ID: id });
    expect(await handle(stateChange(own, 'SUCCEEDED'))).toEqual({
      kind: 'not-ours',
      reason: `request ${id} names no build yet; only the job or the reconciler binds one`,
    });
    const record = await bot.record(review);
    expect(record?.state).toBe('starting');
    expect(record?.build).toBeUndefined();
    expect(await bot.store.readLock('prod')).toMatchObject({ requestId: id });
    expect(bot.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
