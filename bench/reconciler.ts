import { SdkCodeBuildGateway } from '../src/aws/codebuild.ts';
import { SdkLogTailGateway } from '../src/aws/log-tail.ts';
import { DynamoRequestStore } from '../src/aws/request-store.ts';
import { createLog } from '../src/log.ts';
import { type ReconcilerDeps, reconcileRequests } from '../src/reconciler/reconcile-requests.ts';
import type { RequestRecord } from '../src/requests/record.ts';
import { signingKey } from '../src/signed-token.ts';
import { slackClient } from '../src/slack/web-client.ts';
import { APPROVER, BOT_TOKEN, CHANNEL, REQUESTER, SECRET, testConfig } from '../test/support/bot-harness.ts';
import { DevProcessWorld, until } from '../test/support/dev-process.ts';
import { DynamoFaultProxy } from '../test/support/dynamo-faults.ts';
import { FakeAws } from '../test/support/fake-aws.ts';
import { FakeSlackApi, type StoredMessage } from '../test/support/fake-slack-api.ts';
import { LocalDynamo } from '../test/support/local-dynamo.ts';

// The reconciler's figures, printed, never asserted: what one scheduled run costs on a table
// with history in it, and how long after a fault ends a request is true again. DynamoDB is
// dynalite behind the fault proxy (which counts the calls); Slack and AWS are the loopback fakes.
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const FLOWS = Number(process.env.BENCH_CONVERGE_RUNS ?? 5);
const SETTLED = 1000;
const UNSETTLED = 50;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? Number.NaN, max: s.at(-1) ?? Number.NaN };
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function reconcilerCost(): Promise<void> {
  const config = testConfig();
  const prod = config.environments.prod;
  if (!prod) throw new Error('no prod');
  const slackApi = await new FakeSlackApi().start();
  const aws = await new FakeAws().start();
  aws.projects.set(prod.codebuildProject, []);
  const dynamo = await new LocalDynamo().start();
  const table = await dynamo.table();
  const proxy = await new DynamoFaultProxy(dynamo.url).start();
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_REGION = 'us-east-1';
  const store = new DynamoRequestStore(table, { endpoint: proxy.url });
  const log = createLog({ service: 'bench' }, 'error', () => {});
  const slack = slackClient(BOT_TOKEN, slackApi.url, log);
  let clock = Date.now();
  const intervalMs = 1000;
  const deps: ReconcilerDeps = {
    config,
    codeBuild: new SdkCodeBuildGateway(),
    logs: new SdkLogTailGateway(),
    slack,
    store,
    actionKey: signingKey(SECRET),
    log,
    now: () => clock,
    intervalMs,
    claimStaleMs: 2 * intervalMs,
  };

  const t0 = clock - 24 * 60 * 60_000;
  const base = (id: string, at: number): RequestRecord => ({
    id,
    kind: 'migrate',
    env: 'prod',
    requestedBy: REQUESTER,
    reason: 'bench',
    channel: CHANNEL,
    planSha256: 'a'.repeat(64),
    plan: 'bench-plan',
    pending: ['0005_backfill_trimmed_names'],
    pendingKnown: true,
    confirmed: true,
    approvalsRequired: 1,
    approvals: [{ user: APPROVER, at: at + 1000 }],
    state: 'succeeded',
    thread: {},
    createdAt: at,
    expiresAt: at + 30 * 60_000,
    updatedAt: at + 60_000,
    version: 5,
    events: [{ at, by: REQUESTER, what: 'requested' }],
  });
  const posted = async (text: string) => {
    const answer = await slack.chat.postMessage({ channel: CHANNEL, text });
    return String(answer.ts);
  };
  // Settled history: every effect done, absent from the due index (a sparse index).
  for (let i = 0; i < SETTLED; i++) {
    const at = t0 + i * 60_000;
    const record = base(`settled-${i}`, at);
    await store.create(
      {
        ...record,
        messageTs: `${(at / 1000).toFixed(0)}.000100`,
        build: { id: `${prod.codebuildProject}:old-${i}`, region: prod.region, status: 'SUCCEEDED', startedAt: at + 2000 },
        thread: { resultTs: `${(at / 1000).toFixed(0)}.000200`, shownVersion: 5 },
        viewVersion: 5,
        settledAt: at + 120_000,
      },
      '[]',
    );
  }
  // Unsettled: builds still running, each with its review message in the channel; every run
  // finds them due again (nothing heard for two intervals) and asks CodeBuild.
  for (let i = 0; i < UNSETTLED; i++) {
    const id = `running-${i}`;
    const build = aws.addRunningBuild(prod.codebuildProject, { DEPLOYBOT_REQUEST_ID: id });
    const at = clock - 10 * 60_000;
    await store.create(
      {
        ...base(id, at),
        state: 'started',
        messageTs: await posted(`review ${id}`),
        build: { id: build.id, region: prod.region, status: 'IN_PROGRESS', startedAt: at + 2000 },
      },
      '[]',
    );
  }

  const idle = { ms: [] as number[], dynamo: [] as number[] };
  const busy = { ms: [] as number[], dynamo: [] as number[], codeBuild: [] as number[], slack: [] as number[], looked: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    clock += 2.5 * intervalMs;
    const calls = proxy.calls.length;
    const awsCalls = aws.requests.length;
    const slackCalls = slackApi.calls.length;
    const started = performance.now();
    const done = await reconcileRequests(deps);
    busy.ms.push(performance.now() - started);
    busy.dynamo.push(proxy.calls.length - calls);
    busy.codeBuild.push(aws.requests.length - awsCalls);
    busy.slack.push(slackApi.calls.length - slackCalls);
    busy.looked.push(done.looked);
    // Straight after: what the run just looked at is not due again yet, but the budget (25) left
    // the other unsettled requests for this run.
    const before = proxy.calls.length;
    const quiet = performance.now();
    await reconcileRequests(deps);
    idle.ms.push(performance.now() - quiet);
    idle.dynamo.push(proxy.calls.length - before);
  }
  const line = (name: string, xs: number[], unit = '') =>
    `${name} ${stats(xs).median.toFixed(0)}${unit} median, ${stats(xs).max.toFixed(0)}${unit} max`;
  console.log(
    `\nReconciler, one scheduled run, ${SETTLED.toLocaleString('en')} settled + ${UNSETTLED} unsettled records (running builds) in dynalite, budget 25, ${RUNS} runs:`,
  );
  console.log(
    `  with due requests:   ${line('time', busy.ms, ' ms')}; ${line('DynamoDB calls', busy.dynamo)}; ${line('CodeBuild calls', busy.codeBuild)}; ${line('Slack calls', busy.slack)}; ${line('requests looked at', busy.looked)}`,
  );
  console.log(`  the run straight after (what the budget left): ${line('time', idle.ms, ' ms')}; ${line('DynamoDB calls', idle.dynamo)}`);
  await proxy.stop();
  await dynamo.stop();
  await aws.stop();
  await slackApi.stop();
}

/** A real `npm run dev` (DEPLOYBOT_RECONCILE_SECONDS=1): how long after a fault ends the request is true again. */
async function convergence(): Promise<void> {
  const world = await new DevProcessWorld().start();
  const throttled: number[] = [];
  const lostEvents: number[] = [];
  const crashed: number[] = [];
  const isRunning = async (id: string, review: StoredMessage) => {
    const record = await world.record(id);
    const lock = await world.store.readLock('prod');
    const shown = JSON.stringify(world.message(review)?.blocks ?? []);
    return (
      record?.state === 'started' && lock?.requestId === id && shown.includes('deploybot_stop') && !shown.includes('deploybot_approve')
    );
  };
  const hasEnded = async (id: string, review: StoredMessage) => {
    const record = await world.record(id);
    const lock = await world.store.readLock('prod');
    const shown = JSON.stringify(world.message(review)?.blocks ?? []);
    return record?.state === 'succeeded' && record.thread.resultTs !== undefined && !lock && !shown.includes('deploybot_stop');
  };
  const timeUntil = async (what: string, ok: () => Promise<boolean>) => {
    const from = performance.now();
    await until(what, async () => (await ok()) || undefined, 60_000);
    return performance.now() - from;
  };
  try {
    await world.spawn();
    for (let flow = 0; flow < FLOWS; flow++) {
      const { review, id } = await world.request();
      // DynamoDB throttles the write that records the started build for 3 s: the approver's
      // handler gives up (its budget is 2 s), the build runs, the record says `starting`.
      world.faults.fail('throttling', { operation: 'PutItem', containing: '{"S":"started"}', count: Number.POSITIVE_INFINITY });
      await world.click('deploybot_approve', review);
      await until('the write of `started` to be throttled', () => world.faults.faulted.length > 0 || undefined);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      world.faults.clear();
      world.faults.faulted.length = 0;
      throttled.push(await timeUntil('the throttled start to converge', () => isRunning(id, review)));
      // The build ends and its event never arrives: only the reconciler's poll can tell.
      const build = world.buildsOf(id)[0];
      if (!build) throw new Error('no build');
      world.aws.finishBuild(build.id, 'SUCCEEDED');
      lostEvents.push(await timeUntil('the ended build to be reported', () => hasEnded(id, review)));
    }
    for (let flow = 0; flow < Math.min(FLOWS, 3); flow++) {
      const { review, id } = await world.request();
      world.aws.hang('StartBuild');
      await world.click('deploybot_approve', review);
      await until('StartBuild to be called', () => world.aws.callsOf('StartBuild').some((c) => c.idempotencyToken === id) || undefined);
      await world.kill();
      world.aws.unhang('StartBuild');
      await world.spawn();
      crashed.push(await timeUntil('the killed start to converge', () => isRunning(id, review)));
      const build = world.buildsOf(id)[0];
      if (!build) throw new Error('no build');
      world.aws.finishBuild(build.id, 'SUCCEEDED');
      await timeUntil('the build to be reported', () => hasEnded(id, review));
    }
  } finally {
    await world.stop();
  }
  const line = (xs: number[]) => `${ms(stats(xs).median)} median, ${ms(stats(xs).max)} max (${xs.length} flows)`;
  console.log('\nFrom a fault’s end to convergence, real `npm run dev`, DEPLOYBOT_RECONCILE_SECONDS=1:');
  console.log(`  3 s of throttled \`started\` writes (build ran, record said starting): ${line(throttled)}`);
  console.log(`  a build ended and its event was lost (record, result reply, lock, message): ${line(lostEvents)}`);
  console.log(`  SIGKILL after open → starting, from the restarted process answering: ${line(crashed)}`);
}

await reconcilerCost();
await convergence();
