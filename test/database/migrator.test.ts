import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEYS } from '../../database/migration-lock.ts';
import { runMigrations } from '../../database/run-migrations.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, HISTORY, historyPrefix } from '../support/migration-folders.ts';
import { openTransaction } from '../support/open-transaction.ts';

// The migrator's manners, against the real PostgreSQL: it waits for another migrator and says
// who that is, it gives up on a table lock after lock_timeout and retries the whole run, and a
// failing statement is reported where a person will look for it. Sessions that hold locks here
// are real, concurrent connections, which the embedded fallback cannot serve.
const db0 = await createTestDatabase();
const onServer = db0.kind === 'postgres';
await db0.drop();

/** The repository's history plus one more migration, newer than the rest. */
function withMigration(tag: string, text: string): string {
  const folder = copyHistory();
  writeFileSync(join(folder.dir, `${tag}.sql`), text);
  const when = (folder.journal.entries.at(-1)?.when ?? 0) + 1000;
  folder.journal.entries.push({ idx: folder.journal.entries.length, version: '7', when, tag, breakpoints: true });
  folder.writeJournal();
  return folder.dir;
}

const FAST = { lockTimeoutMs: 200, attempts: 5, retryDelayMs: 200, lockWaitMs: 10_000, lockPollMs: 50 };

describe.skipIf(!onServer)('the migrator', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
  });
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  const rowCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]?.n;

  it('runs one migrator at a time: the second waits, naming the first, then finds nothing to apply', async () => {
    // A pending migration that takes two seconds, so the second migrator surely starts meanwhile.
    const folder = withMigration('0006_slow', 'SELECT pg_sleep(2);\n');
    let first: () => void = () => {};
    const started = new Promise<void>((r) => {
      first = r;
    });
    const a: string[] = [];
    const b: string[] = [];
    const runA = runMigrations({
      databaseUrl: db.url,
      migrationsFolder: folder,
      settings: FAST,
      log: (l) => {
        a.push(l);
        if (l.startsWith('Applying 0006_slow')) first();
      },
    });
    await started;
    const runB = runMigrations({ databaseUrl: db.url, migrationsFolder: folder, log: (l) => b.push(l), settings: FAST });
    const [ra, rb] = await Promise.all([runA, runB]);
    expect(ra).toMatchObject({
      ok: true,
      applied: ['0003_media_sizes_and_cleanup', '0004_rename_biography', '0005_backfill_trimmed_names', '0006_slow'],
    });
    expect(rb).toMatchObject({ ok: true, applied: [] });
    expect(b[0]).toMatch(/^Waiting for the migration lock \(up to 10 s\): held by pid \d+, application 'daadaar-deploybot migrate'/);
    expect(b.at(-1)).toBe('Nothing to apply: all 7 migrations are applied.');
    expect(await rowCount()).toBe(7);
  });

  it('waits for the lock holder, naming it, and gives up after the bounded wait with nothing applied', async () => {
    const holder = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: 'backfill by hand' } });
    try {
      await holder`select pg_advisory_lock(${MIGRATION_LOCK_KEYS[0]}::int, ${MIGRATION_LOCK_KEYS[1]}::int)`;
      const lines: string[] = [];
      const run = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: HISTORY,
        log: (l) => lines.push(l),
        settings: { ...FAST, lockWaitMs: 400 },
      });
      expect(run).toMatchObject({ ok: false, stage: 'lock' });
      expect(!run.ok && run.reason).toMatch(
        /^Another migrator still holds the migration lock after \d+\.\d s: pid \d+, application 'backfill by hand'/,
      );
      expect(lines[0]).toMatch(/^Waiting for the migration lock \(up to 0\.4 s\): held by pid \d+, application 'backfill by hand'/);
      expect(await rowCount()).toBe(3);

      // postgres.js runs a query when it is awaited (then-ed), not when it is written.
      setTimeout(() => holder`select pg_advisory_unlock_all()`.then(() => {}), 300);
      const later = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log: () => {}, settings: FAST });
      expect(later).toMatchObject({ ok: true, applied: expect.arrayContaining(['0003_media_sizes_and_cleanup']) });
    } finally {
      await holder.end();
    }
  });

  it('times out behind a held table lock, retries the whole run, and succeeds once the lock is released', async () => {
    const blocker = postgres(db.url, { max: 1, onnotice: () => {} });
    // A long transaction holding the table 0003 alters, as a busy application would.
    const holding = await openTransaction(blocker, 'lock table ai_verification in access share mode');
    try {
      const lines: string[] = [];
      // The application finishes its transaction while the migrator backs off after attempt 1.
      const log = (line: string) => {
        lines.push(line);
        if (line.startsWith('Attempt 1 of')) holding.release();
      };
      const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log, settings: FAST });
      expect(run).toMatchObject({ ok: true });
      expect(run.ok && run.attempts).toBe(2);
      const retry = lines.find((l) => l.startsWith('Attempt 1 of 5:'));
      expect(retry).toMatch(
        /lock_timeout \(200 ms\) reached at backend\/drizzle\/0003_media_sizes_and_cleanup\.sql:1: ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" SET DATA TYPE numeric\(5, 4\)\. Rolled back; retrying in 0\.2 s\./,
      );
      expect(await rowCount()).toBe(6);
    } finally {
      holding.release();
      await holding.done;
      await blocker.end();
    }
  });

  it('gives up after the last attempt while the lock is still held, with nothing applied', async () => {
    const blocker = postgres(db.url, { max: 1, onnotice: () => {} });
    const holding = await openTransaction(blocker, 'lock table ai_verification in access share mode');
    try {
      const run = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: HISTORY,
        log: () => {},
        settings: { ...FAST, attempts: 2 },
      });
      expect(run).toMatchObject({ ok: false, stage: 'migration', attempts: 2 });
      expect(!run.ok && run.reason).toContain('Gave up after 2 attempts; nothing was applied.');
      expect(await rowCount()).toBe(3);
    } finally {
      holding.release();
      await holding.done;
      await blocker.end();
    }
  });

  it('reports a failing statement with its file, line, statement, error and SQLSTATE, and applies nothing', async () => {
    const folder = withMigration(
      '0006_notes',
      [
        'CREATE TABLE "notes" ("id" serial PRIMARY KEY, "body" text);',
        '--> statement-breakpoint',
        `INSERT INTO "notes" ("body") VALUES ('first');`,
        `INSERT INTO "notes" ("bodyy") VALUES ('second');`,
        '',
      ].join('\n'),
    );
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder, log: () => {}, settings: FAST });
    expect(run).toMatchObject({ ok: false, stage: 'migration', attempts: 1 });
    const reason = run.ok ? '' : run.reason;
    expect(reason).toMatch(
      /^Migration failed at .*0006_notes\.sql:4: column "bodyy" of relation "notes" does not exist \(SQLSTATE 42703\)\./,
    );
    expect(reason).toContain(`statement: INSERT INTO "notes" ("bodyy") VALUES ('second')`);
    expect(reason).toContain('The transaction was rolled back: nothing was applied.');
    expect(await rowCount()).toBe(3);
    expect(await sql`select to_regclass('notes') as t`).toEqual([{ t: null }]);
  });

  it('warns about drift drizzle never notices: an applied migration edited afterwards', async () => {
    await sql`update drizzle.__drizzle_migrations set hash = md5(hash) where id = (select min(id) from drizzle.__drizzle_migrations)`;
    const lines: string[] = [];
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log: (l) => lines.push(l), settings: FAST });
    expect(run).toMatchObject({ ok: true });
    expect(lines[0]).toMatch(/^Warning \(edited-after-apply\): backend\/drizzle\/0000_init\.sql was edited after it was applied/);
  });
});
