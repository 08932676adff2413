import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { loadMigrations } from '../src/review/load.ts';
import { type AppliedMigration, pendingMigrations } from '../src/review/pending.ts';

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
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const pending = pendingMigrations(loaded.migrations, await lastAppliedMigration(client));
    if (pending.length === 0) {
      log(`Nothing to apply: all ${loaded.migrations.length} migrations are applied.`);
      return { applied: [], ms: 0 };
    }
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

async function lastAppliedMigration(sql: postgres.Sql): Promise<AppliedMigration | undefined> {
  const [exists] = await sql<{ table: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations')::text as table`;
  if (!exists?.table) return undefined;
  const [row] = await sql<{ hash: string; created_at: string }[]>`
    select hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
  return row ? { hash: row.hash, createdAt: Number(row.created_at) } : undefined;
}
