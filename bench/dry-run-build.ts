import { PgliteDryRunner } from '../src/dryrun/pglite-dry-run.ts';
import { computeDryRunTable, PRECOMPUTED_SPLITS } from '../src/history/dry-run-table.ts';
import { migrationHash } from '../src/history/load.ts';
import type { MigrationSource } from '../src/review/model.ts';

// `npm run build`'s dry-run step (scripts/precompute.ts) on a generated drizzle-shaped history:
// each migration creates a table with a foreign key to the previous one, adds a column and an
// index, as drizzle-kit writes them.
export function generatedHistory(count: number): MigrationSource[] {
  return Array.from({ length: count }, (_, i) => {
    const t = `t${String(i).padStart(4, '0')}`;
    const parent = i > 0 ? `, "parent_id" integer REFERENCES "t${String(i - 1).padStart(4, '0')}"("id")` : '';
    const sql = [
      `CREATE TABLE IF NOT EXISTS "${t}" ("id" serial PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "created_at" timestamp DEFAULT now() NOT NULL${parent});`,
      `ALTER TABLE "${t}" ADD COLUMN "note" text;`,
      `CREATE INDEX IF NOT EXISTS "${t}_name_idx" ON "${t}" USING btree ("name");`,
    ].join('\n--> statement-breakpoint\n');
    const tag = `${String(i).padStart(4, '0')}_${t}`;
    return { tag, file: `drizzle/${tag}.sql`, sql, when: 1_700_000_000_000 + i, hash: migrationHash(sql) };
  });
}

/** The build's dry-run time for `count` migrations, PGlite's start included (as in the build). */
export async function benchDryRunBuild(count: number): Promise<{ ms: number; splits: number; failing: number }> {
  const runner = new PgliteDryRunner();
  const started = performance.now();
  const table = await computeDryRunTable(generatedHistory(count), runner);
  const ms = performance.now() - started;
  await runner.close();
  const results = Object.values(table.results);
  return { ms, splits: results.length, failing: results.filter((r) => !r.ok).length };
}

export { PRECOMPUTED_SPLITS };
