import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { migrationHash } from '../src/history/load.ts';
import { maskSecrets, redact } from '../src/redact.ts';
import { loadSqlParser } from '../src/review/parse.ts';
import { reviewMigrations } from '../src/review/review.ts';
import { drizzleStyleMigration } from './drizzle-style-sql.ts';
import { benchDryRunBuild, PRECOMPUTED_SPLITS } from './dry-run-build.ts';

// Figures, not pass/fail: speed targets are read here, never asserted in tests.
const STATEMENTS = 5000;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
mkdirSync('.tmp/bench', { recursive: true });
const file = '.tmp/bench/5000-statements.sql';
const sql = drizzleStyleMigration(STATEMENTS);
writeFileSync(file, sql);

// squawk (Rust) and pgfence (TypeScript on libpg-query, like us) are yardsticks, not
// dependencies: squawk's npm package lists a platform binary for every OS, and the registry
// lacks some of them, which would make the lockfile one `npm ci` refuses; pgfence would pull a
// second libpg-query. The benchmark installs each pinned version beside the repository the
// first time it runs.
function installPeer(home: string, spec: string, installed: string): NodeJS.Require {
  if (!existsSync(`${home}/node_modules/${installed}`)) {
    console.log(`installing ${spec} into ${home} (benchmark only)`);
    mkdirSync(home, { recursive: true });
    const run = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', home, spec], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${spec} could not be installed; the comparison needs it`);
  }
  return createRequire(`${process.cwd()}/${home}/`);
}
const SQUAWK_VERSION = '2.66.0';
const squawk = installPeer('.tmp/squawk', `squawk-cli@${SQUAWK_VERSION}`, 'squawk-cli').resolve(
  `@squawk-cli/${platform()}-${arch()}/bin/squawk`,
);
const PGFENCE_VERSION = '0.1.5';
const pgfence = installPeer('.tmp/pgfence', `@flvmnt/pgfence@${PGFENCE_VERSION}`, '@flvmnt/pgfence').resolve(
  '@flvmnt/pgfence/dist/index.js',
);
const hasTime = existsSync('/usr/bin/time');

interface Timing {
  medianMs: number;
  minMs: number;
  maxRssMb?: number;
}

function time(cmd: string, args: string[], runs: number): Timing {
  const wall: number[] = [];
  let rss: number | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r =
      hasTime && i === 0
        ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
        : spawnSync(cmd, args, { maxBuffer: 1 << 30 });
    const ms = performance.now() - started;
    if (r.error) throw r.error;
    if (hasTime && i === 0) {
      rss = Number(String(r.stderr).trim().split('\n').pop()) / 1024;
      continue; // the timed wrapper run only measures memory
    }
    wall.push(ms);
  }
  wall.sort((a, b) => a - b);
  return { medianMs: wall[Math.floor(wall.length / 2)] ?? Number.NaN, minMs: wall[0] ?? Number.NaN, maxRssMb: rss };
}

const fmt = (t: Timing) =>
  `${t.medianMs.toFixed(0).padStart(6)} ms median  ${t.minMs.toFixed(0).padStart(6)} ms min  ${t.maxRssMb ? `${t.maxRssMb.toFixed(0).padStart(4)} MB max RSS` : ''}`;

console.log(
  `Review throughput: ${STATEMENTS} drizzle-style statements (${(sql.length / 1024).toFixed(0)} KiB), ${cpus().length} cores, node ${process.version}`,
);
console.log(`Whole process, median of ${RUNS} runs (plus one under /usr/bin/time for memory):\n`);

const oursJson = time(process.execPath, ['dist/review.mjs', '--json', file], RUNS + 1);
const squawkJson = time(squawk, ['--reporter', 'json', file], RUNS + 1);
const pgfenceJson = time(process.execPath, [pgfence, 'analyze', '--output', 'json', file], RUNS + 1);
console.log(`  deploybot review --json      ${fmt(oursJson)}`);
console.log(`  squawk --reporter json       ${fmt(squawkJson)}`);
console.log(`  pgfence analyze --output json ${fmt(pgfenceJson)}`);
console.log(`  ratio (squawk / ours)        ${(squawkJson.medianMs / oursJson.medianMs).toFixed(2)}x`);
console.log(`  ratio (pgfence / ours)       ${(pgfenceJson.medianMs / oursJson.medianMs).toFixed(2)}x\n`);

const textRuns = Math.max(2, Math.min(RUNS, 3));
const oursText = time(process.execPath, ['dist/review.mjs', file], textRuns + 1);
const squawkText = time(squawk, [file], textRuns + 1);
const pgfenceText = time(process.execPath, [pgfence, 'analyze', file], textRuns + 1);
console.log(`  deploybot review (text)      ${fmt(oursText)}`);
console.log(`  squawk (default reporter)    ${fmt(squawkText)}   (${textRuns} runs)`);
console.log(`  pgfence analyze (cli)        ${fmt(pgfenceText)}   (${textRuns} runs)\n`);

// Ten times the statements: a review whose cost grows faster than its input shows here first
// (RuleContext.later once copied the rest of the run for every ALTER TABLE: 106 s for this file).
const LARGE = STATEMENTS * 10;
const largeFile = `.tmp/bench/${LARGE}-statements.sql`;
writeFileSync(largeFile, drizzleStyleMigration(LARGE));
const oursLarge = time(process.execPath, ['dist/review.mjs', '--json', largeFile], 2);
const squawkLarge = time(squawk, ['--reporter', 'json', largeFile], 2);
const pgfenceLarge = time(process.execPath, [pgfence, 'analyze', '--output', 'json', largeFile], 2);
console.log(`  ${LARGE} statements, one run each:`);
console.log(`  deploybot review --json      ${fmt(oursLarge)}`);
console.log(`  squawk --reporter json       ${fmt(squawkLarge)}`);
console.log(`  pgfence analyze --output json ${fmt(pgfenceLarge)}\n`);

// Start-up: a one-statement file, the time a person waits for the smallest answer.
const tinyFile = '.tmp/bench/1-statement.sql';
writeFileSync(tinyFile, drizzleStyleMigration(1));
const oursTiny = time(process.execPath, ['dist/review.mjs', '--json', tinyFile], RUNS + 1);
const squawkTiny = time(squawk, ['--reporter', 'json', tinyFile], RUNS + 1);
const pgfenceTiny = time(process.execPath, [pgfence, 'analyze', '--output', 'json', tinyFile], RUNS + 1);
const nodeAlone = time(process.execPath, ['-e', '0'], RUNS + 1);
console.log('  Start-up, one statement:');
console.log(`  deploybot review --json      ${fmt(oursTiny)}`);
console.log(`  squawk --reporter json       ${fmt(squawkTiny)}`);
console.log(`  pgfence analyze --output json ${fmt(pgfenceTiny)}`);
console.log(`  node -e 0 (the floor)        ${fmt(nodeAlone)}\n`);

const loadStarted = performance.now();
await loadSqlParser();
const loadMs = performance.now() - loadStarted;
const migration = [{ tag: 'bench', file, sql, hash: migrationHash(sql) }];
await reviewMigrations(migration); // warm
const inProcess: number[] = [];
let findings = 0;
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  const review = await reviewMigrations(migration);
  inProcess.push(performance.now() - started);
  findings = Object.values(review.summary).reduce((a, b) => a + b, 0);
}
inProcess.sort((a, b) => a - b);
const median = inProcess[Math.floor(inProcess.length / 2)] ?? Number.NaN;
console.log(
  `In process: parser load ${loadMs.toFixed(0)} ms (first in this process), review ${median.toFixed(0)} ms median = ${Math.round((STATEMENTS / median) * 1000).toLocaleString('en')} statements/s, ${findings} findings`,
);

// Redaction of hostile log lines: long runs of what the patterns start, stop or backtrack on.
// The patterns alone see the whole line; redact() cuts it to LONGEST_LINE first.
const HOSTILE = ['a.', 'a://b:', '@', '"password":', "password='", 'Ab1/', 'Authorization: ', '%3a%2f%2f', 'x://u:p@'];
const hostileMs = (redactor: (text: string) => string) => {
  const perLine: number[] = [];
  for (const unit of HOSTILE) {
    const line = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      redactor(line);
      perLine.push(performance.now() - started);
    }
  }
  perLine.sort((a, b) => a - b);
  return { median: perLine[Math.floor(perLine.length / 2)] ?? Number.NaN, max: perLine.at(-1) ?? Number.NaN };
};
const uncut = hostileMs(maskSecrets);
const cut = hostileMs(redact);
console.log(
  `Redaction of a hostile 100 KB line (${HOSTILE.length} shapes × ${RUNS} runs): patterns alone ${uncut.median.toFixed(1)} ms median, ${uncut.max.toFixed(1)} ms worst; redact() (cut first) ${cut.median.toFixed(2)} ms median, ${cut.max.toFixed(2)} ms worst`,
);
const build = await benchDryRunBuild(300);
console.log(
  `Build dry runs (scripts/precompute.ts): 300 generated migrations, the last ${PRECOMPUTED_SPLITS} splits, ${build.splits} runs (${build.failing} not ok) in ${(build.ms / 1000).toFixed(1)} s`,
);
