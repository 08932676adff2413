import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { DryRunContext } from '../src/dryrun/context.ts';
import { PgliteDryRunner } from '../src/dryrun/pglite-dry-run.ts';
import { readDryRunSetup } from '../src/dryrun/setup-file.ts';
import { computeDryRunTable, PRECOMPUTED_SPLITS } from '../src/history/dry-run-table.ts';
import { loadMigrations } from '../src/history/load.ts';
import { computeReviewTable } from '../src/history/review-table.ts';

// Part of `npm run build`: what the Lambda looks up instead of computing inside Slack's 3 s,
// the review of every pending set the shipped history allows and the dry runs of the last
// PRECOMPUTED_SPLITS (src/history/review-table.ts and src/history/dry-run-table.ts say why that
// is enough), once per environment's dry-run setup. The setup files ship beside the config, at
// the same relative path, so the bot reads them where the config names them.
const [folder = 'backend/drizzle', outDir = 'dist/lambda'] = process.argv.slice(2);
const loaded = await loadMigrations([folder]);
if (!loaded.ok) {
  console.error(loaded.reason);
  process.exit(2);
}
let started = performance.now();
const reviews = await computeReviewTable(loaded.migrations);
writeFileSync(join(outDir, 'reviews.json'), `${JSON.stringify(reviews)}\n`);
console.log(
  `reviews: ${Object.keys(reviews.reviews).length} of ${folder} in ${Math.round(performance.now() - started)} ms -> ${outDir}/reviews.json`,
);

const contexts: DryRunContext[] = [];
const config = loadConfig();
const setups = new Set(config.ok ? Object.values(config.config.environments).map((e) => e.dryRun?.setup) : []);
for (const file of setups) {
  if (!file) {
    contexts.push({});
    continue;
  }
  const read = await readDryRunSetup(file);
  if (!read.ok) {
    console.error(read.reason);
    process.exit(2);
  }
  contexts.push({ setup: read.setup });
  mkdirSync(dirname(join(outDir, file)), { recursive: true });
  cpSync(file, join(outDir, file));
}

started = performance.now();
const runner = new PgliteDryRunner();
const table = await computeDryRunTable(loaded.migrations, runner, { contexts });
await runner.close();
writeFileSync(join(outDir, 'dry-runs.json'), `${JSON.stringify(table)}\n`);
const failed = Object.values(table.results).filter((r) => !r.ok).length;
console.log(
  `dry runs: ${Object.keys(table.results).length} pending sets (the last ${PRECOMPUTED_SPLITS} splits of ${loaded.migrations.length} migrations) of ${folder} in ${Math.round(performance.now() - started)} ms, ${failed} not ok -> ${outDir}/dry-runs.json`,
);
