import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_SESSION, checkLiveSchema, describeSchemaCheck } from '../../database/schema-check.ts';
import { readProgress } from '../../src/run-progress.ts';
import { parseRunnerLine } from '../../src/runner-report.ts';
import { createMigratedDatabase, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BUN, NODE_TSX } from '../support/runtimes.ts';

// The check as the image runs it: the child under Bun (the Dockerfile's runtime), against real
// PostgreSQL with the repository's own history applied by drizzle's migrator.

const MIGRATIONS = resolve('backend/drizzle');
const SCHEMA = resolve('database/schema.ts');
const databases: TestDatabase[] = [];

afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function migrated(): Promise<TestDatabase> {
  const db = await createMigratedDatabase(MIGRATIONS);
  databases.push(db);
  return db;
}

async function onDatabase<T>(url: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

/** Every column and index of the public schema: what a check that applied something would change. */
function catalog(url: string): Promise<string[]> {
  return onDatabase(url, async (sql) => {
    const columns = await sql<{ c: string }[]>`
      select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as c
      from information_schema.columns where table_schema = 'public'`;
    const indexes = await sql<{ c: string }[]>`select indexdef as c from pg_indexes where schemaname = 'public'`;
    return [...columns, ...indexes].map((r) => r.c).sort();
  });
}

describe('checkLiveSchema', () => {
  it('finds the repository’s own history matching database/schema.ts, under Bun', async () => {
    const db = await migrated();
    const started = Date.now();
    const check = await checkLiveSchema(db.url, SCHEMA, { runtime: [BUN] });
    console.log(`schema check under Bun: ${Date.now() - started} ms`);
    expect(check).toEqual({ ok: true, matches: true, differences: [] });
  }, 120_000);

  it('names a column added by hand and an index dropped by hand, and applies neither', async () => {
    const db = await migrated();
    await onDatabase(db.url, async (sql) => {
      await sql`alter table reports add column moderator_note text`;
      await sql`drop index reports_created_at_idx`;
    });
    const before = await catalog(db.url);
    const check = await checkLiveSchema(db.url, SCHEMA, { runtime: [BUN] });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.matches).toBe(false);
    expect(check.differences).toContain('ALTER TABLE "reports" DROP COLUMN "moderator_note";');
    expect(check.differences.some((d) => d.startsWith('CREATE INDEX "reports_created_at_idx" ON "reports"'))).toBe(true);
    expect(check.differences).toHaveLength(2);
    expect(await catalog(db.url)).toEqual(before);
    const said = describeSchemaCheck(check);
    expect(said.text).toMatch(/differs from database\/schema\.ts: drizzle-kit push would run 2 statement\(s\)/);
    expect(readProgress(said.event)).toEqual({ kind: 'schema', matches: false, differences: check.differences });
  }, 120_000);

  it('on an empty database lists at most 20 differences, the last counting the rest, each one line', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const check = await checkLiveSchema(db.url, SCHEMA, { runtime: [...NODE_TSX] });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.differences).toHaveLength(20);
    const more = /^… and (\d+) more$/.exec(check.differences.at(-1) ?? '');
    expect(Number(more?.[1])).toBeGreaterThan(50);
    for (const d of check.differences) {
      expect(d).not.toContain('\n');
      expect(d.length).toBeLessThanOrEqual(200);
    }
    expect(check.differences[0]).toMatch(/^CREATE TYPE "public"\./);
    // Nothing was created.
    expect(await catalog(db.url)).toEqual([]);
    expect(readProgress(describeSchemaCheck(check).event)).toBeDefined();
  }, 120_000);

  it('does not wait for an answer drizzle-kit would ask at a terminal (a renamed column)', async () => {
    const db = await migrated();
    await onDatabase(db.url, (sql) => sql`alter table reports rename column title_en to title_english`);
    const before = await catalog(db.url);
    const started = Date.now();
    const check = await checkLiveSchema(db.url, SCHEMA, { runtime: [BUN], timeoutMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/^drizzle-kit would ask whether something was renamed/) });
    expect(await catalog(db.url)).toEqual(before);
  }, 120_000);

  it('connects with a session that Postgres keeps read-only: DDL and writes fail with 25006', async () => {
    const db = await migrated();
    const sql = postgres(db.url, { max: 1, onnotice: () => {}, connection: CHECK_SESSION });
    try {
      expect(await sql`select count(*)::int as n from reports`).toEqual([{ n: 0 }]);
      await expect(sql`create table sneaked_in (id int)`).rejects.toMatchObject({ code: '25006' });
      await expect(sql`alter table reports add column sneaked_in text`).rejects.toMatchObject({ code: '25006' });
      await expect(
        sql`insert into pow_challenges (challenge, difficulty, resource, expires_at) values ('c', 1, 'r', now())`,
      ).rejects.toMatchObject({
        code: '25006',
      });
    } finally {
      await sql.end();
    }
  }, 60_000);

  it('gives up on a child that does not finish in time', async () => {
    const db = await migrated();
    const check = await checkLiveSchema(db.url, SCHEMA, { runtime: [BUN], timeoutMs: 50 });
    expect(check).toEqual({ ok: false, reason: 'the check did not finish within 0 s' });
  }, 60_000);

  it('says why it could not connect, without the password', async () => {
    const check = await checkLiveSchema('postgres://app:hunter2-secret@127.0.0.1:1/nowhere', SCHEMA, { runtime: [BUN] });
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(check)).not.toContain('hunter2-secret');
  }, 60_000);
});

describe('database/migrate.ts --local under Bun', () => {
  function migrate(url: string) {
    return spawnSync(BUN, ['database/migrate.ts', '--local'], {
      env: { PATH: process.env.PATH, DATABASE_URL: url },
      encoding: 'utf8',
      timeout: 120_000,
    });
  }

  it('ends a successful run with a schema event: it matches', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const run = migrate(db.url);
    expect(run.status).toBe(0);
    const reports = run.stdout.split('\n').flatMap((l) => parseRunnerLine(l) ?? []);
    const last = reports.at(-1);
    expect(last?.progress).toEqual({ kind: 'schema', matches: true, differences: [] });
    expect(last?.text).toMatch(/matches database\/schema\.ts/);
  }, 180_000);

  it('keeps exit 0 when the check cannot answer, and says so', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    // A second composite primary key in public: drizzle-kit's pushSchema cannot tell the two apart (drizzle-orm#5557).
    await onDatabase(db.url, (sql) => sql`create table team_members (team int, member int, primary key (team, member))`);
    const run = migrate(db.url);
    expect(run.status).toBe(0);
    const reports = run.stdout.split('\n').flatMap((l) => parseRunnerLine(l) ?? []);
    expect(reports.at(-1)?.text).toMatch(
      /^Could not check the live schema against database\/schema\.ts: 2 tables have a composite primary key/,
    );
    expect(reports.some((r) => r.progress?.kind === 'schema')).toBe(false);
  }, 180_000);
});
