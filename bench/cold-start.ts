import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { signingKey } from '../src/signed-token.ts';
import { signRef } from '../src/slack/action-value.ts';
import { APPROVER, BotHarness, CHANNEL, writeConfigFile } from '../test/support/bot-harness.ts';
import { FakeAws } from '../test/support/fake-aws.ts';
import { FakeSlackApi } from '../test/support/fake-slack-api.ts';
import { LocalDynamo } from '../test/support/local-dynamo.ts';

// What Slack experiences: how long the bundled Lambda takes to answer (acknowledge) a signed
// slash command and an Approve click, cold (a fresh process: module load included) and warm;
// then, with the bot in this process, how long from a click until CodeBuild's StartBuild
// arrives and from a command until the modal is filled in. The slow halves run in the
// asynchronous self-invocation, so an answer does not wait for them. Slack gives 3 s.
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SECRET = 'bench-signing-secret';
const bundle = resolve('dist/lambda/slack.mjs');

const slack = await new FakeSlackApi().start();
const aws = await new FakeAws().start();
const dynamo = await new LocalDynamo().start();
const table = await dynamo.table();
aws.secrets.set('daadaar/prod/database-read-url', process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const env = {
  PATH: process.env.PATH,
  BUNDLE: bundle,
  DEPLOYBOT_CONFIG: writeConfigFile(),
  MIGRATIONS_DIR: resolve('backend/drizzle'),
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: slack.url,
  CHANNEL_ID: CHANNEL,
  LOG_LEVEL: 'warn',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: aws.url,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
  AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_LAMBDA_FUNCTION_NAME: 'deploybot-slack',
  DEPLOYBOT_TABLE: table,
  DRY_RUNS_FILE: resolve('dist/lambda/dry-runs.json'),
  REVIEWS_FILE: resolve('dist/lambda/reviews.json'),
};
const clickValue = signRef({ id: 'bench-request', env: 'prod' }, signingKey(SECRET));

interface ChildRun {
  status: number;
  importMs: number;
  acks: number[];
  rssMb: number;
}

async function child(extra: Record<string, string>): Promise<ChildRun> {
  // Asynchronous on purpose: the loopback servers live in this process and must keep answering.
  const run = await promisify(execFile)(process.execPath, ['bench/cold-start-child.mjs'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, ...extra },
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`bench child failed: ${run.stderr || run.stdout}`);
  const result = JSON.parse(line) as ChildRun;
  if (result.status !== 200) throw new Error(`a request was answered ${result.status}`);
  return result;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
};
const fmt = (values: number[]) => {
  const { median, max } = stats(values);
  return `median ${median.toFixed(0).padStart(4)} ms, max ${max.toFixed(0).padStart(4)} ms`;
};

const coldCommand: ChildRun[] = [];
const coldClick: ChildRun[] = [];
for (let i = 0; i < RUNS; i++) {
  coldCommand.push(await child({ REPEAT: '1', COMMAND_TEXT: 'migrate prod' }));
  coldClick.push(await child({ REPEAT: '1', CLICK_VALUE: clickValue }));
}
const warmCommand = (await child({ REPEAT: String(RUNS + 1), COMMAND_TEXT: 'migrate prod' })).acks.slice(1);
const warmClick = (await child({ REPEAT: String(RUNS + 1), CLICK_VALUE: clickValue })).acks.slice(1);
const handedOver = aws.invocations.filter((i) => i.type === 'Event').length;
await slack.stop();
await aws.stop();
await dynamo.stop();

// The slow halves, in this process: the real bot, its jobs run as the asynchronous invocation runs them.
const untilSeen = async (seen: () => boolean): Promise<number> => {
  const started = performance.now();
  while (!seen()) await new Promise((resolve) => setImmediate(resolve));
  return performance.now() - started;
};
const clickToStart: number[] = [];
const commandToModal: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const bot = await new BotHarness().start();
  try {
    const sent = bot.post(
      (await import('../test/support/slack-requests.ts')).slashCommandBody({
        text: 'migrate prod',
        userId: 'U0REQUESTER',
        channelId: CHANNEL,
      }),
    );
    commandToModal.push(await untilSeen(() => bot.slack.callsTo('views.update').length > 0));
    await sent;
    await bot.settled();
    await bot.submitModal('U0REQUESTER', { reason: 'bench', confirm: 'prod' });
    const clicked = bot.clickNow('deploybot_approve', APPROVER);
    clickToStart.push(await untilSeen(() => bot.aws.callsOf('StartBuild').length > 0));
    await clicked;
  } finally {
    await bot.stop();
  }
}

const kib = (path: string) => (statSync(path).size / 1024).toFixed(0);
// What a cold start parses: the entry and the chunks it imports statically (transitively);
// the rest (the AWS SDK clients) loads on first use.
const staticImports = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|;)import\s*(?:\{[^}]*\}\s*from\s*)?"(\.\/[^"]+)"/gm)].map((m) =>
    join(dirname(file), m[1] ?? ''),
  );
const atStart = new Set<string>([bundle]);
for (const file of atStart) for (const dep of staticImports(file)) atStart.add(dep);
const all = readdirSync('dist/lambda/chunks').map((name) => resolve('dist/lambda/chunks', name));
const size = (files: Iterable<string>) => ([...files].reduce((sum, f) => sum + statSync(f).size, 0) / 1024).toFixed(0);
const lazy = all.filter((f) => !atStart.has(f));

console.log(`Slack's answer (the HTTP reply: acknowledged, slow half handed to the asynchronous invocation); ${RUNS} runs each`);
console.log(
  `  slash command, cold           ${fmt(coldCommand.map((r) => r.acks[0] ?? Number.NaN))}   (+ module load ${fmt(coldCommand.map((r) => r.importMs))})`,
);
console.log(`  slash command, cold + load    ${fmt(coldCommand.map((r) => (r.acks[0] ?? Number.NaN) + r.importMs))}`);
console.log(`  slash command, warm           ${fmt(warmCommand)}`);
console.log(`  Approve click, cold           ${fmt(coldClick.map((r) => r.acks[0] ?? Number.NaN))}`);
console.log(`  Approve click, cold + load    ${fmt(coldClick.map((r) => (r.acks[0] ?? Number.NaN) + r.importMs))}`);
console.log(`  Approve click, warm           ${fmt(warmClick)}`);
console.log(`  jobs handed to Lambda Invoke  ${handedOver} (one per answered request)`);
console.log(
  `  peak RSS, cold                ${stats(coldCommand.map((r) => r.rssMb))
    .median.toFixed(0)
    .padStart(4)} MB`,
);
console.log('The slow half, in process (real bot, dynalite, loopback Slack and CodeBuild)');
console.log(`  command to modal filled in    ${fmt(commandToModal)}   (target read, review, dry-run lookup, ECR digest, views.update)`);
console.log(`  click to StartBuild           ${fmt(clickToStart)}   (record read, conditional write, running-build check, StartBuild)`);
console.log(
  `Bundle: ${size(atStart)} KiB loaded at start (slack.mjs + ${atStart.size - 1} chunks); ${size(lazy)} KiB in ${lazy.length} lazy chunks (AWS SDK); ${kib('node_modules/libpg-query/wasm/libpg-query.wasm')} KiB libpg-query.wasm (loaded only for a live review)`,
);
