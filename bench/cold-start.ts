import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeConfigFile } from '../test/support/bot-harness.ts';
import { FakeAws } from '../test/support/fake-aws.ts';
import { FakeSlackApi } from '../test/support/fake-slack-api.ts';

// Lambda cold start, measured as Slack experiences it: a fresh process loads the bundled
// handler and answers its first signed slash command (modal opened, migrations reviewed,
// modal filled in) against a loopback Slack API. Slack gives the whole of it 3 s.
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const bundle = resolve('dist/lambda/slack.mjs');
const config = writeConfigFile();

const slack = await new FakeSlackApi().start();
// The target's history is read as in production: URL from Secrets Manager (loopback), then the
// local PostgreSQL (a database drizzle never touched: everything is pending).
const aws = await new FakeAws().start();
const targetUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
aws.secrets.set('daadaar/prod/database-read-url', targetUrl);
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
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      DRY_RUNS_FILE: resolve('dist/lambda/dry-runs.json'),
      REVIEWS_FILE: resolve('dist/lambda/reviews.json'),
    },
  });
  const wall = performance.now() - started;
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`cold start run failed: ${run.stderr || run.stdout}`);
  results.push({ ...JSON.parse(line), wallMs: wall });
}
await slack.stop();
await aws.stop();
const modal = JSON.stringify(slack.callsTo('views.update').at(-1)?.args.view ?? {});
const target = modal.includes('Pending set unknown') ? 'target unreachable: pending set unknown' : 'target read';
if (process.env.BENCH_DEBUG) console.log(modal.slice(0, 1500));
if (results.some((r) => r.status !== 200)) throw new Error('a cold start did not answer 200');
const updates = slack.callsTo('views.update').length;
if (updates !== RUNS) throw new Error(`expected ${RUNS} filled-in modals, saw ${updates}`);

const median = (key: string) => {
  const values = results.map((r) => r[key] ?? Number.NaN).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? Number.NaN;
};
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
console.log(`Lambda cold start: bundled handler, fresh process, first signed /daadaar migrate prod answered; median of ${RUNS} runs`);
console.log(`  node start to first line      ${median('processStartToImportMs').toFixed(0).padStart(5)} ms`);
console.log(`  module load (bundle import)   ${median('importMs').toFixed(0).padStart(5)} ms`);
console.log(
  `  first request answered        ${median('firstRequestMs').toFixed(0).padStart(5)} ms   (config, views.open, secret + target history read (${target}), precomputed review and dry run looked up, views.update)`,
);
console.log(
  `  load + first request          ${(median('importMs') + median('firstRequestMs')).toFixed(0).padStart(5)} ms   target < 500 ms`,
);
console.log(`  whole process, spawn to exit  ${median('wallMs').toFixed(0).padStart(5)} ms`);
console.log(`  peak RSS                      ${median('rssMb').toFixed(0).padStart(5)} MB`);
console.log(
  `  bundle                        ${size(atStart)} KiB loaded at start (slack.mjs + ${atStart.size - 1} chunks); ${size(lazy)} KiB in ${lazy.length} lazy chunks (AWS SDK); ${kib('node_modules/libpg-query/wasm/libpg-query.wasm')} KiB libpg-query.wasm (loaded only for a live review)`,
);
