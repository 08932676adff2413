import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import type { StatementInfo } from '../../database/step-runner.ts';
import type { RunProgress } from '../../src/run-progress.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { drizzleFolder } from '../support/migration-folders.ts';
import { openTransaction } from '../support/open-transaction.ts';

// The step runner against the real PostgreSQL: the rows drizzle would write, own steps between
// commits, a resumed run, an INVALID index rebuilt, and drizzle's all-or-nothing when no
// statement needs a step of its own. CREATE INDEX CONCURRENTLY waits for other transactions,
// which the embedded fallback cannot serve.
const db0 = await createTestDatabase();
const onServer = db0.kind === 'postgres';
await db0.drop();

const FAST = { lockTimeoutMs: 2000, attempts: 1, retryDelayMs: 100, lockWaitMs: 5000, lockPollMs: 50 };

const CREATE_USERS = `CREATE TABLE "users" ("id" integer PRIMARY KEY, "email" text NOT NULL);--> statement-breakpoint
CREATE TABLE "gate" ("open" boolean NOT NULL);--> statement-breakpoint
INSERT INTO "users" VALUES (1, 'a@example.org'), (2, 'b@example.org'), (3, 'a@example.org');`;

describe.skipIf(!onServer)('the step runner', () => {
  const dbs: TestDatabase[] = [];
  let sql: postgres.Sql;
  let db: TestDatabase;
  const fresh = async () => {
    const d = await createTestDatabase();
    dbs.push(d);
    return d;
  };
  beforeEach(async () => {
    db = await fresh();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterEach(async () => {
    await sql.end();
    for (const d of dbs.splice(0)) await d.drop();
  });

  const rows = async (s: postgres.Sql) =>
    (await s<{ hash: string; created_at: string }[]>`select hash, created_at from drizzle.__drizzle_migrations order by id`).map((r) => ({
      hash: r.hash,
      createdAt: Number(r.created_at),
    }));
  const indexValid = async (name: string) =>
    (
      await sql<
        { valid: boolean }[]
      >`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = ${name}`
    )[0]?.valid;
  const run = (folder: string, extra: { onStatement?: (i: StatementInfo) => void; log?: (l: string) => void } = {}) =>
    runMigrations({ databaseUrl: db.url, migrationsFolder: folder, settings: FAST, log: extra.log ?? (() => {}), ...extra });

  it('applies a CREATE INDEX CONCURRENTLY migration as its own step, writing the rows drizzle writes', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      {
        tag: '0001_email_index',
        sql: 'ALTER TABLE "users" ADD COLUMN "name" text;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");--> statement-breakpoint\nUPDATE "users" SET "name" = \'x\';',
      },
    ]);
    const steps: StatementInfo[] = [];
    const events: RunProgress[] = [];
    const result = await runMigrations({
      databaseUrl: db.url,
      migrationsFolder: folder,
      settings: FAST,
      log: () => {},
      onStatement: (i) => steps.push(i),
      progress: (_text, event) => events.push(event),
    });
    expect(result).toMatchObject({ ok: true, applied: ['0000_users', '0001_email_index'] });
    // drizzle's own migrate() cannot apply this folder (the index fails in its transaction); the
    // rows it writes are (hash, folderMillis) of readMigrationFiles, the function it reads the folder with.
    const drizzleRows = readMigrationFiles({ migrationsFolder: folder }).map((m) => ({ hash: m.hash, createdAt: m.folderMillis }));
    expect(await rows(sql)).toEqual(drizzleRows);
    expect(await indexValid('users_email_idx')).toBe(true);
    expect(steps.map((s) => [s.migration, s.step, s.mode])).toEqual([
      ['0000_users', 1, 'transaction'],
      ['0000_users', 2, 'transaction'],
      ['0000_users', 3, 'transaction'],
      ['0001_email_index', 4, 'transaction'],
      ['0001_email_index', 5, 'own-step'],
      ['0001_email_index', 6, 'transaction'],
    ]);
    const [{ pid } = { pid: -1 }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    expect(new Set(steps.map((s) => s.backendPid)).size).toBe(1);
    expect(steps[0]?.backendPid).not.toBe(pid);
    expect(events[4]).toMatchObject({
      kind: 'step',
      step: 5,
      steps: 6,
      mode: 'own-step',
      statement: 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email")',
    });
    // Progress rows go with the migration's own row.
    expect((await sql`select * from drizzle.__deploybot_steps`).length).toBe(0);
  });

  it('writes the same rows and schema as drizzle migrate() when nothing needs its own step, and creates no step table', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      { tag: '0001_index', sql: 'CREATE INDEX "users_email_idx" ON "users" ("email");' },
    ]);
    expect(await run(folder)).toMatchObject({ ok: true });
    const other = await fresh();
    const theirs = postgres(other.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(theirs), { migrationsFolder: folder });
      expect(await rows(sql)).toEqual(await rows(theirs));
      const tables = (s: postgres.Sql) =>
        s`select table_schema, table_name from information_schema.tables where table_schema in ('public', 'drizzle') order by 1, 2`;
      expect(await tables(sql)).toEqual(await tables(theirs));
    } finally {
      await theirs.end();
    }
  });

  it('resumes a run that failed after its concurrent step, without redoing the steps that completed', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      {
        tag: '0001_email_index',
        sql: [
          'ALTER TABLE "users" ADD COLUMN "name" text;',
          'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");',
          // Divides by zero until the test opens the gate: the failure after the own step.
          'SELECT 1 / (SELECT count(*) FROM "gate")::int;',
        ].join('--> statement-breakpoint\n'),
      },
    ]);
    const first: StatementInfo[] = [];
    const failed = await run(folder, { onStatement: (i) => first.push(i) });
    expect(failed).toMatchObject({ ok: false, stage: 'migration' });
    expect(failed.ok || failed.reason).toMatch(
      /division by zero[\s\S]*Committed before it: 0000_users, and the steps of 0001_email_index that ran before it \(drizzle\.__deploybot_steps\)\. The next run resumes at 0001_email_index statement 3\./,
    );
    expect(first.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await rows(sql)).length).toBe(1);
    expect(await indexValid('users_email_idx')).toBe(true);
    expect(
      (await sql<{ statement: number }[]>`select statement from drizzle.__deploybot_steps order by statement`).map((r) => r.statement),
    ).toEqual([0, 1]);

    await sql`insert into gate values (true)`;
    const again: StatementInfo[] = [];
    const lines: string[] = [];
    const resumed = await run(folder, { onStatement: (i) => again.push(i), log: (l) => lines.push(l) });
    // The ADD COLUMN run twice would fail ("already exists"); the index built twice would too.
    expect(resumed).toMatchObject({ ok: true, applied: ['0001_email_index'] });
    expect(again.map((s) => [s.step, s.steps, s.mode])).toEqual([[3, 3, 'transaction']]);
    expect(lines).toContain('Skipping 0001_email_index statement 1: a previous run completed it.');
    expect(lines.at(-1)).toMatch(/^Applied 1 migration with 1 own step between transactions \(resumed: 2 steps done by a previous run\)/);
    expect(await rows(sql)).toEqual(
      readMigrationFiles({ migrationsFolder: folder }).map((m) => ({ hash: m.hash, createdAt: m.folderMillis })),
    );
    expect((await sql`select * from drizzle.__deploybot_steps`).length).toBe(0);
  });

  it('resumes after its session is killed past the concurrent step (pg_terminate_backend), redoing nothing that committed', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      {
        tag: '0001_email_index',
        sql: [
          'ALTER TABLE "users" ADD COLUMN "name" text;',
          'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");',
          'SELECT pg_sleep(1);',
        ].join('--> statement-breakpoint\n'),
      },
    ]);
    const killer = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      let killed = false;
      const failed = await run(folder, {
        onStatement: (i) => {
          if (killed || !i.statement.includes('pg_sleep')) return;
          killed = true;
          setTimeout(() => killer`select pg_terminate_backend(${i.backendPid})`.then(() => {}), 200);
        },
      });
      expect(killed).toBe(true);
      expect(failed).toMatchObject({ ok: false, stage: 'migration' });
      expect((await rows(sql)).length).toBe(1);
    } finally {
      await killer.end();
    }
    const again: StatementInfo[] = [];
    const resumed = await run(folder, { onStatement: (i) => again.push(i) });
    expect(resumed).toMatchObject({ ok: true, applied: ['0001_email_index'] });
    expect(again.map((s) => s.statement.trim())).toEqual(['SELECT pg_sleep(1);']);
    expect(await indexValid('users_email_idx')).toBe(true);
    expect((await rows(sql)).length).toBe(2);
  });

  it('keeps an index an earlier run built but stopped before recording, instead of failing on "already exists"', async () => {
    expect(await run(drizzleFolder([{ tag: '0000_users', sql: CREATE_USERS }]))).toMatchObject({ ok: true });
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      {
        tag: '0001_email_index',
        sql: ['CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");', 'ALTER TABLE "users" ADD COLUMN "name" text;'].join(
          '--> statement-breakpoint\n',
        ),
      },
    ]);
    // The build succeeds and the step's row is lost, as when the session dies between the two.
    await sql.unsafe(
      'CREATE TABLE IF NOT EXISTS "drizzle"."__deploybot_steps" (hash text NOT NULL, statement integer NOT NULL, done_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (hash, statement))',
    );
    await sql.unsafe(`CREATE FUNCTION lose_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the session died'; END $$`);
    await sql.unsafe('CREATE TRIGGER lose_row BEFORE INSERT ON drizzle.__deploybot_steps FOR EACH ROW EXECUTE FUNCTION lose_row()');
    expect(await run(folder)).toMatchObject({ ok: false, stage: 'migration' });
    expect(await indexValid('users_email_idx')).toBe(true);
    expect((await sql`select * from drizzle.__deploybot_steps`).length).toBe(0);
    await sql.unsafe('DROP TRIGGER lose_row ON drizzle.__deploybot_steps');

    const lines: string[] = [];
    const again: StatementInfo[] = [];
    const resumed = await run(folder, { log: (l) => lines.push(l), onStatement: (i) => again.push(i) });
    expect(resumed).toMatchObject({ ok: true, applied: ['0001_email_index'] });
    expect(lines).toContain('Index "public"."users_email_idx" was built by a run that stopped before recording it: keeping it.');
    expect(again.map((i) => i.statement.trim())).toEqual(['ALTER TABLE "users" ADD COLUMN "name" text;']);
    expect((await rows(sql)).length).toBe(2);
    expect((await sql`select * from drizzle.__deploybot_step_starts`).length).toBe(0);
  });

  it('still fails on an index of the same name that no run of its own started, as drizzle would', async () => {
    expect(await run(drizzleFolder([{ tag: '0000_users', sql: CREATE_USERS }]))).toMatchObject({ ok: true });
    // On another column than the migration's: keeping it would be wrong on the first run and every later one.
    await sql.unsafe('CREATE INDEX "users_email_idx" ON "users" ("id")');
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      { tag: '0001_email_index', sql: 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");' },
    ]);
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await run(folder);
      expect(failed).toMatchObject({ ok: false, stage: 'migration' });
      expect(JSON.stringify(failed)).toContain('already exists');
    }
    expect((await rows(sql)).length).toBe(1);
  });

  it('survives its session being killed inside a concurrent index build, and rebuilds the INVALID leftover on the next run', async () => {
    expect(await run(drizzleFolder([{ tag: '0000_users', sql: CREATE_USERS }]))).toMatchObject({ ok: true });
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      { tag: '0001_email_index', sql: 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");' },
    ]);
    // An open REPEATABLE READ transaction holds a snapshot the build must wait out
    // (https://www.postgresql.org/docs/15/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    const reader = postgres(db.url, { max: 1, onnotice: () => {} });
    const killer = postgres(db.url, { max: 1, onnotice: () => {} });
    const reading = await openTransaction(reader, 'select count(*) from users', 'isolation level repeatable read');
    try {
      const failed = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: folder,
        settings: FAST,
        log: () => {},
        timeouts: () => ({ lockTimeoutMs: 10_000 }),
        onStatement: (i) => {
          if (i.mode !== 'own-step') return;
          // Killed while it waits for the reader: the index is left INVALID.
          setTimeout(() => killer`select pg_terminate_backend(${i.backendPid})`.then(() => {}), 500);
        },
      });
      expect(failed).toMatchObject({ ok: false, stage: 'migration' });
    } finally {
      reading.release();
      await reading.done;
      await reader.end();
      await killer.end();
    }
    expect(await indexValid('users_email_idx')).toBe(false);
    const lines: string[] = [];
    expect(await run(folder, { log: (l) => lines.push(l) })).toMatchObject({ ok: true, applied: ['0001_email_index'] });
    expect(lines).toContain(
      'Index "public"."users_email_idx" is INVALID, left by a failed concurrent build: dropping it to build it again.',
    );
    expect(await indexValid('users_email_idx')).toBe(true);
  });

  it('commits a new enum value before the statement that uses it, which fails in drizzle migrate()', async () => {
    const base = {
      tag: '0000_mood',
      sql: `CREATE TYPE "mood" AS ENUM ('sad');--> statement-breakpoint\nCREATE TABLE "people" ("mood" "mood");`,
    };
    const uses = {
      tag: '0001_calm',
      sql: `ALTER TYPE "mood" ADD VALUE 'calm';--> statement-breakpoint\nINSERT INTO "people" VALUES ('calm');`,
    };
    // The type must exist before the run: Postgres lets a value added to a type created in the same transaction be used.
    expect(await run(drizzleFolder([base]))).toMatchObject({ ok: true });
    const folder = drizzleFolder([base, uses]);
    const other = await fresh();
    const theirs = postgres(other.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(theirs), { migrationsFolder: drizzleFolder([base]) });
      await expect(migrate(drizzle(theirs), { migrationsFolder: folder })).rejects.toMatchObject({ cause: { code: '55P04' } });
    } finally {
      await theirs.end();
    }
    const steps: StatementInfo[] = [];
    expect(await run(folder, { onStatement: (i) => steps.push(i) })).toMatchObject({ ok: true, applied: ['0001_calm'] });
    expect(steps.map((s) => s.mode)).toEqual(['own-step', 'transaction']);
    expect(await sql`select mood::text from people`).toEqual([{ mood: 'calm' }]);
  });

  it('does not retry a lock timeout once an own step has committed part of the run: it stops, and the next run resumes', async () => {
    expect(await run(drizzleFolder([{ tag: '0000_users', sql: CREATE_USERS }]))).toMatchObject({ ok: true });
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      {
        tag: '0001_index_then_gate',
        sql: 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");--> statement-breakpoint\nALTER TABLE "gate" ADD COLUMN "note" text;',
      },
    ]);
    const blocker = postgres(db.url, { max: 1, onnotice: () => {} });
    const holding = await openTransaction(blocker, 'lock table gate in access share mode');
    try {
      const stopped = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: folder,
        log: () => {},
        settings: { ...FAST, lockTimeoutMs: 200, attempts: 3 },
      });
      expect(stopped).toMatchObject({ ok: false, stage: 'migration', attempts: 1, postgres: { sqlstate: '55P03' } });
      expect(stopped.ok || stopped.reason).toMatch(/The next run resumes at 0001_index_then_gate statement 2\.$/);
    } finally {
      holding.release();
      await holding.done;
      await blocker.end();
    }
    const steps: StatementInfo[] = [];
    expect(await run(folder, { onStatement: (i) => steps.push(i) })).toMatchObject({ ok: true, applied: ['0001_index_then_gate'] });
    expect(steps.map((s) => s.mode)).toEqual(['transaction']);
  });

  it('drops the INVALID index a failed concurrent build left, and builds it again on the next run', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      { tag: '0001_unique_email', sql: 'CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "users" ("email");' },
    ]);
    const failed = await run(folder);
    expect(failed).toMatchObject({ ok: false, stage: 'migration', postgres: { sqlstate: '23505' } });
    expect(failed.ok || failed.reason).toMatch(
      /^Migration failed at \S*0001_unique_email\.sql:1: could not create unique index "users_email_key" \(SQLSTATE 23505[^\n]*\n {2}statement: CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "users" \("email"\)\n/,
    );
    expect(await indexValid('users_email_key')).toBe(false);

    await sql`delete from users where id = 3`;
    const lines: string[] = [];
    const retried = await run(folder, { log: (l) => lines.push(l) });
    expect(retried).toMatchObject({ ok: true, applied: ['0001_unique_email'] });
    expect(lines).toContain(
      'Index "public"."users_email_key" is INVALID, left by a failed concurrent build: dropping it to build it again.',
    );
    expect(await indexValid('users_email_key')).toBe(true);
  });

  it('rolls back everything when a statement fails and no statement needs its own step', async () => {
    const folder = drizzleFolder([
      { tag: '0000_users', sql: CREATE_USERS },
      { tag: '0001_broken', sql: 'ALTER TABLE "users" ADD COLUMN "name" text;--> statement-breakpoint\nSELECT 1 / 0;' },
    ]);
    const failed = await run(folder);
    expect(failed).toMatchObject({ ok: false, stage: 'migration' });
    expect(failed.ok || failed.reason).toMatch(/The transaction was rolled back: nothing was applied\.$/);
    expect(await rows(sql)).toEqual([]);
    const [t] = await sql<{ users: string | null; steps: string | null }[]>`
      select to_regclass('public.users')::text as users, to_regclass('drizzle.__deploybot_steps')::text as steps`;
    expect(t).toEqual({ users: null, steps: null });
  });

  it('applies per-statement timeouts with SET LOCAL, and only to that statement', async () => {
    const folder = drizzleFolder([
      {
        tag: '0000_settings',
        sql: [
          'CREATE TABLE "seen" ("setting" text);',
          'INSERT INTO "seen" SELECT current_setting(\'statement_timeout\');',
          'INSERT INTO "seen" SELECT current_setting(\'statement_timeout\');',
        ].join('--> statement-breakpoint\n'),
      },
    ]);
    const result = await runMigrations({
      databaseUrl: db.url,
      migrationsFolder: folder,
      settings: FAST,
      log: () => {},
      timeouts: (_tag, index) => (index === 1 ? { statementTimeoutMs: 1234 } : undefined),
    });
    expect(result).toMatchObject({ ok: true });
    expect((await sql<{ setting: string }[]>`select setting from seen`).map((r) => r.setting)).toEqual(['1234ms', '0']);
  });
});
