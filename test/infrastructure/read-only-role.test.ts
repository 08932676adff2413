import { readFileSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// The documented GRANTs, run as written against a real database that drizzle migrated: the
// role they create reads drizzle's history as the bot does, and reads or writes nothing else.
describe('infrastructure/aws/read-only-role.sql', () => {
  let db: TestDatabase;
  let admin: postgres.Sql;
  // Roles are cluster-wide: a name of this run's own.
  const role = `deploybot_reader_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    db = await createTestDatabase();
    admin = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(admin), { migrationsFolder: historyPrefix(3) });
    await admin.unsafe(readFileSync('infrastructure/aws/read-only-role.sql', 'utf8').replaceAll('deploybot_reader', role));
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    if (db?.kind === 'postgres') {
      const server = postgres(new URL('/test', db.url).toString(), { max: 1, onnotice: () => {} });
      await server.unsafe(`drop role if exists "${role}"`);
      await server.end();
    }
  });

  /** A statement run with the role's privileges, in a transaction rolled back after. */
  async function asRole(statement: string): Promise<{ ok: true; rows: unknown[] } | { ok: false; code: string }> {
    try {
      const rows = await admin.begin(async (tx) => {
        await tx.unsafe(`set local role "${role}"`);
        const result = await tx.unsafe(statement);
        throw Object.assign(new Error('rollback'), { rows: [...result] });
      });
      return { ok: true, rows };
    } catch (error) {
      const e = error as { rows?: unknown[]; code?: string };
      return e.rows ? { ok: true, rows: e.rows } : { ok: false, code: e.code ?? '?' };
    }
  }

  it("reads drizzle's history and resolves it in the catalog", async () => {
    expect(await asRole('select count(*)::int as n from drizzle.__drizzle_migrations')).toEqual({ ok: true, rows: [{ n: 3 }] });
    expect(await asRole(`select to_regclass('drizzle.__drizzle_migrations')::text as t`)).toEqual({
      ok: true,
      rows: [{ t: 'drizzle.__drizzle_migrations' }],
    });
  });

  it("reads none of the application's data and writes nothing (42501 insufficient_privilege)", async () => {
    expect(await asRole('select * from organizations limit 1')).toEqual({ ok: false, code: '42501' });
    expect(await asRole('select * from users limit 1')).toEqual({ ok: false, code: '42501' });
    expect(await asRole(`insert into drizzle.__drizzle_migrations (hash, created_at) values ('x', 1)`)).toEqual({
      ok: false,
      code: '42501',
    });
    expect(await asRole('delete from drizzle.__drizzle_migrations')).toEqual({ ok: false, code: '42501' });
    expect(await asRole('create table drizzle.intruder (id int)')).toEqual({ ok: false, code: '42501' });
  });

  it('logs in and reads the history through the same reader the bot uses', async () => {
    // PGlite's socket server has one user; a login as the role needs the real server.
    if (db.kind !== 'postgres') return;
    const url = new URL(db.url);
    url.username = role;
    const read = await readAppliedMigrations(url.toString(), { connectTimeoutSeconds: 2, statementTimeoutMs: 1500 });
    expect(read.ok && read.rows.length).toBe(3);
    const session = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const [setting] = await session`show default_transaction_read_only`;
      expect(setting?.default_transaction_read_only).toBe('on');
    } finally {
      await session.end();
    }
  });
});
