import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { readAppliedMigrations } from '../src/db/applied-migrations.ts';
import { loadMigrations } from '../src/review/load.ts';
import { planAgainstDatabase } from '../src/review/target-plan.ts';

export interface MigrationRun {
  applied: string[];
  ms: number;
}

export interface MigrateOptions {
  databaseUrl: string;
  migrationsFolder: string;
  log?: (line: string) => void;
}

/**
 * Applies pending migrations with drizzle-orm's own migrator (one transaction for the whole
 * set) and says which ones, since drizzle itself reports nothing.
 */
export async function runMigrations({ databaseUrl, migrationsFolder, log = console.log }: MigrateOptions): Promise<MigrationRun> {
  const loaded = await loadMigrations([migrationsFolder]);
  if (!loaded.ok) throw new Error(loaded.reason);
  // The same read-only look at drizzle's history that the review takes, so both name the same set.
  const applied = await readAppliedMigrations(databaseUrl, { connectTimeoutSeconds: 10, statementTimeoutMs: 10_000 });
  if (!applied.ok) throw new Error(applied.reason);
  const { pending } = planAgainstDatabase(loaded.migrations, [], applied.rows);
  if (pending.length === 0) {
    log(`Nothing to apply: all ${loaded.migrations.length} migrations are applied.`);
    return { applied: [], ms: 0 };
  }
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    for (const m of pending) log(`Applying ${m.tag} (sha256 ${m.hash.slice(0, 12)})`);
    const started = performance.now();
    await migrate(drizzle(client), { migrationsFolder });
    const ms = Math.round(performance.now() - started);
    log(`Applied ${pending.length} migration${pending.length === 1 ? '' : 's'} in one transaction in ${ms} ms.`);
    return { applied: pending.map((m) => m.tag), ms };
  } finally {
    await client.end({ timeout: 5 });
  }
}
