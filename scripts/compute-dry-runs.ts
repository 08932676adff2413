import { writeFileSync } from 'node:fs';
import { computeDryRunTable } from '../src/dryrun/dry-run-table.ts';
import { PgliteDryRunner } from '../src/dryrun/pglite-dry-run.ts';
import { loadMigrations } from '../src/review/load.ts';

// Part of `npm run build`: the dry run of every possible pending set of the shipped history,
// looked up by the Lambda at request time (see src/dryrun/dry-run-table.ts for why).
const [folder = 'backend/drizzle', out = 'dist/lambda/dry-runs.json'] = process.argv.slice(2);
const loaded = await loadMigrations([folder]);
if (!loaded.ok) {
  console.error(loaded.reason);
  process.exit(2);
}
const runner = new PgliteDryRunner();
const started = performance.now();
const table = await computeDryRunTable(loaded.migrations, runner);
await runner.close();
writeFileSync(out, `${JSON.stringify(table)}\n`);
const failed = Object.values(table.results).filter((r) => !r.ok).length;
console.log(
  `dry runs: ${Object.keys(table.results).length} pending sets of ${folder} in ${Math.round(performance.now() - started)} ms, ${failed} failing -> ${out}`,
);
