import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeDryRunTable } from '../src/dryrun/dry-run-table.ts';
import { PgliteDryRunner } from '../src/dryrun/pglite-dry-run.ts';
import { loadMigrations } from '../src/history/load.ts';
import { computeReviewTable } from '../src/history/review-table.ts';

// Part of `npm run build`: what the Lambda looks up instead of computing inside Slack's 3 s,
// the review and the dry run of every pending set the shipped history allows
// (src/history/review-table.ts and src/dryrun/dry-run-table.ts say why that is enough).
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

started = performance.now();
const runner = new PgliteDryRunner();
const table = await computeDryRunTable(loaded.migrations, runner);
await runner.close();
writeFileSync(join(outDir, 'dry-runs.json'), `${JSON.stringify(table)}\n`);
const failed = Object.values(table.results).filter((r) => !r.ok).length;
console.log(
  `dry runs: ${Object.keys(table.results).length} pending sets of ${folder} in ${Math.round(performance.now() - started)} ms, ${failed} failing -> ${outDir}/dry-runs.json`,
);
