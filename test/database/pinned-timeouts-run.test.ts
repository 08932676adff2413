import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import type { PinnedTimeouts } from '../../src/history/pinned-timeouts.ts';
import { buildMigratePlan, type MigratePlan } from '../../src/history/plan.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import { loadSqlParser } from '../../src/review/parse.ts';
import { splitMigration } from '../../src/review/split.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { HISTORY, historyPrefix, loadFolder } from '../support/migration-folders.ts';

// The build runs each statement with the timeouts the approvers saw, from the approved plan,
// not with the runner's own MIGRATION_LOCK_TIMEOUT_MS.
describe('the runner applies the timeouts pinned in the approved plan', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let blocker: postgres.Sql;

  beforeEach(async () => {
    await loadSqlParser();
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    blocker = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
  });
  afterEach(async () => {
    await blocker.end({ timeout: 1 });
    await sql.end();
    await db.drop();
  });

  async function approvedWith(lockTimeoutMs: number): Promise<MigratePlan> {
    const rows = await readAppliedMigrations(db.url);
    if (!rows.ok) throw new Error(rows.reason);
    const folder = await loadFolder();
    const { pending } = planAgainstDatabase(folder.migrations, folder.missing, rows.rows);
    const first = pending[0];
    if (first?.tag !== '0003_media_sizes_and_cleanup') throw new Error(`unexpected pending set: ${pending.map((m) => m.tag)}`);
    // The ACCESS EXCLUSIVE statement on "users" gets its own wait; every other statement the default.
    const index = splitMigration(first.sql).findIndex((s) => s.sql.includes('DROP COLUMN "legacy_profile_url"'));
    const timeouts: PinnedTimeouts = {
      giveUpAfterMs: 60_000,
      default: { lockTimeoutMs: 20_000, statementTimeoutMs: 0 },
      statements: [{ migration: 0, index, lockTimeoutMs: lockTimeoutMs, statementTimeoutMs: 60_000 }],
    };
    return buildMigratePlan({ appliedRows: rows.rows, pending, image: null, timeouts });
  }

  it('waits for a lock only as long as the plan says for that statement, and says so', async () => {
    const approved = await approvedWith(700);
    // A reader in an open transaction: ACCESS EXCLUSIVE on "users" must wait for it.
    const reserved = await blocker.reserve();
    await reserved`begin`;
    await reserved`select count(*) from users`;
    const started = performance.now();
    const run = await runMigrations({
      databaseUrl: db.url,
      migrationsFolder: HISTORY,
      approved,
      settings: { attempts: 1, lockTimeoutMs: 30_000 },
      log: () => {},
    });
    const ms = performance.now() - started;
    await reserved`rollback`;
    reserved.release();
    expect(run).toMatchObject({ ok: false, stage: 'migration' });
    if (run.ok) return;
    expect(run.reason).toContain('lock_timeout (700 ms) reached');
    expect(run.reason).toContain('0003_media_sizes_and_cleanup.sql:3');
    // Well under the runner's own 30 s: the pinned value was in force.
    expect(ms).toBeLessThan(15_000);
    const applied = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(applied[0]?.n).toBe(3);
  }, 60_000);

  it('runs to the end when nothing blocks, with the pinned values and the plan unchanged', async () => {
    const approved = await approvedWith(700);
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, approved, log: () => {} });
    expect(run).toMatchObject({
      ok: true,
      applied: ['0003_media_sizes_and_cleanup', '0004_rename_biography', '0005_backfill_trimmed_names'],
    });
  }, 60_000);
});
