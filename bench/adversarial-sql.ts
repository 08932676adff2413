import { migrationHash } from '../src/history/load.ts';
import { loadSqlParser } from '../src/review/parse.ts';
import { reviewMigrations } from '../src/review/review.ts';
import { OPERATOR_RUN_BUDGET } from '../src/review/sql-text.ts';

// Figures, not pass/fail: how long hostile migration files take to review (test/review/fuzz.test.ts
// only bounds them generously). PostgreSQL's scanner is quadratic on long runs of operator
// characters (scan.l backs up inside them), so the review refuses to hand it runs whose cost
// passes OPERATOR_RUN_BUDGET; the first table shows the raw parser's rate that budget is set from.
await loadSqlParser();
const ms = (f: () => unknown) => {
  const started = performance.now();
  f();
  return performance.now() - started;
};

const { parseSync } = await import('libpg-query');
const raw = (sql: string) => {
  try {
    parseSync(sql);
  } catch {
    // the figure is the time, not the outcome
  }
};
raw('SELECT 1'); // warm
console.log('libpg-query itself on one run of n `+`, median of 3 (the review refuses what is over budget):');
for (const n of [1024, 2048, 4096, 8192]) {
  const runs = [0, 1, 2].map(() => ms(() => raw(`SELECT 1 ${'+'.repeat(n)} 1`))).sort((a, b) => a - b);
  const verdict = n * n <= OPERATOR_RUN_BUDGET ? 'parsed' : 'refused (over budget)';
  console.log(`  n=${String(n).padStart(5)}  ${(runs[1] ?? 0).toFixed(1).padStart(7)} ms  ${verdict}`);
}

const KB400 = 400 * 1024;
const files: Record<string, string> = {
  'nested comments /* /* … */ */': `${'/* '.repeat(KB400 / 6)}${' */'.repeat(KB400 / 6)}\nDROP TABLE "users";`,
  'nested comments /*/*…*/*/': `${'/*'.repeat(KB400 / 4)}${'*/'.repeat(KB400 / 4)};\nDROP TABLE "users";`,
  'one run of + (refused)': `SELECT 1 ${'+'.repeat(KB400)} 1;\nDROP TABLE "users";`,
  'markers on one line': `SELECT 1; ${'--> statement-breakpoint '.repeat(KB400 / 25)}DROP TABLE "users";`,
};
console.log('\nReview of 400 KB hostile files (median of 3):');
for (const [name, sql] of Object.entries(files)) {
  const source = [{ tag: 'hostile', file: 'hostile.sql', sql, hash: migrationHash(sql) }];
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await reviewMigrations(source);
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(34)} ${(runs[1] ?? 0).toFixed(0).padStart(6)} ms`);
}
