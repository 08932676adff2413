import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { FakeSlackApi } from '../test/support/fake-slack-api.ts';

// Lambda cold start, measured as Slack experiences it: a fresh process loads the bundled
// handler and answers its first signed slash command (modal opened, migrations reviewed,
// modal filled in) against a loopback Slack API. Slack gives the whole of it 3 s.
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const bundle = resolve('dist/lambda/slack.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
const config = join(dir, 'deploybot.config.json');
writeFileSync(
  config,
  JSON.stringify({
    environments: {
      prod: {
        codebuildProject: 'daadaar-migrations',
        region: 'us-east-1',
        databaseUrlSecretId: 'daadaar/prod/database-url',
        channels: ['C0DEPLOYS01'],
        approvers: ['U0APPROVER1'],
      },
    },
  }),
);

const slack = await new FakeSlackApi().start();
const results: Record<string, number>[] = [];
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  // Asynchronous on purpose: the loopback Slack API lives in this process and must keep answering.
  const run = await promisify(execFile)(process.execPath, ['bench/cold-start-child.mjs'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      BUNDLE: bundle,
      DEPLOYBOT_CONFIG: config,
      MIGRATIONS_DIR: resolve('backend/drizzle'),
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: slack.url,
      LOG_LEVEL: 'warn',
      AWS_REGION: 'us-east-1',
    },
  });
  const wall = performance.now() - started;
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`cold start run failed: ${run.stderr || run.stdout}`);
  results.push({ ...JSON.parse(line), wallMs: wall });
}
await slack.stop();
if (results.some((r) => r.status !== 200)) throw new Error('a cold start did not answer 200');
const updates = slack.callsTo('views.update').length;
if (updates !== RUNS) throw new Error(`expected ${RUNS} filled-in modals, saw ${updates}`);

const median = (key: string) => {
  const values = results.map((r) => r[key] ?? Number.NaN).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? Number.NaN;
};
const kib = (path: string) => (statSync(path).size / 1024).toFixed(0);
const chunks = readdirSync('dist/lambda/chunks').map((name) => statSync(join('dist/lambda/chunks', name)).size);
const chunkKib = (chunks.reduce((a, b) => a + b, 0) / 1024).toFixed(0);
console.log(`Lambda cold start: bundled handler, fresh process, first signed /daadaar migrate prod answered; median of ${RUNS} runs`);
console.log(`  node start to first line      ${median('processStartToImportMs').toFixed(0).padStart(5)} ms`);
console.log(`  module load (bundle import)   ${median('importMs').toFixed(0).padStart(5)} ms`);
console.log(
  `  first request answered        ${median('firstRequestMs').toFixed(0).padStart(5)} ms   (config, views.open, review of 6 migrations, views.update)`,
);
console.log(
  `  load + first request          ${(median('importMs') + median('firstRequestMs')).toFixed(0).padStart(5)} ms   target < 500 ms`,
);
console.log(`  whole process, spawn to exit  ${median('wallMs').toFixed(0).padStart(5)} ms`);
console.log(`  peak RSS                      ${median('rssMb').toFixed(0).padStart(5)} MB`);
console.log(
  `  bundle                        ${kib(bundle)} KiB dist/lambda/slack.mjs loaded at start; ${chunkKib} KiB in ${chunks.length} lazy chunks (AWS SDK); ${kib('node_modules/libpg-query/wasm/libpg-query.wasm')} KiB libpg-query.wasm`,
);
