import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { PgliteDryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { reviewTarget } from '../../src/history/target-review.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, HISTORY, loadFolder } from '../support/migration-folders.ts';

// Each way a migration author could get a statement past the review, tried as the bot does it:
// the target has applied the shipped history, the probe is the one pending migration. The
// review (reviewTarget, what the bot posts) must show the statement and judge it, the dry run
// must run it, and the real migrator then does exactly what the review said.

/** The shipped history plus the probe as the next migration. */
function withProbe(text: string): string {
  const folder = copyHistory();
  writeFileSync(join(folder.dir, '0006_probe.sql'), text);
  const when = (folder.journal.entries.at(-1)?.when ?? 0) + 1000;
  folder.journal.entries.push({ idx: folder.journal.entries.length, version: '7', when, tag: '0006_probe', breakpoints: true });
  folder.writeJournal();
  return folder.dir;
}

const PROBES: Record<string, string> = {
  'a statement after a marker in mid-line': 'SELECT 1; --> statement-breakpoint DROP TABLE "ban_history" CASCADE;\n',
  'a marker inside a -- comment': 'SELECT 1; -- tidy up --> statement-breakpoint DROP TABLE "ban_history" CASCADE;\n',
  'CREATE TABLE IF NOT EXISTS on the existing table':
    'CREATE TABLE IF NOT EXISTS "ban_history" ("id" serial);--> statement-breakpoint\nDROP TABLE "ban_history" CASCADE;\n',
  'CREATE TEMP TABLE of the same name':
    'CREATE TEMP TABLE "ban_history" ("id" serial);--> statement-breakpoint\nDROP TABLE "public"."ban_history" CASCADE;\n',
  'CREATE TABLE under another search_path': [
    'CREATE SCHEMA "scratch";',
    'SET search_path TO "scratch";',
    'CREATE TABLE "ban_history" ("id" serial);',
    'SET search_path TO "public";',
    'DROP TABLE "ban_history" CASCADE;\n',
  ].join('--> statement-breakpoint\n'),
};

describe('the review sees what drizzle runs, on PostgreSQL', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const runner = new PgliteDryRunner();
  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: HISTORY });
    await sql`insert into ban_history (target_type, action, reason) values ('user', 'ban', 'kept for the appeal')`;
  }, 60_000);
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });
  afterAll(() => runner.close());

  it.each(Object.entries(PROBES))(
    '%s: the DROP is shown, destructive, dry-run, and does what the review said',
    async (_name, probe) => {
      const folder = withProbe(probe);
      const target = await reviewTarget({ ...(await loadFolder(folder)), history: await readAppliedMigrations(db.url), dryRunner: runner });
      expect(target.plan.pending.map((m) => m.tag)).toEqual(['0006_probe']);
      const drop = target.review.statements.find((s) => s.sql.startsWith('DROP TABLE'));
      expect(drop?.sql).toMatch(/^DROP TABLE (?:"public"\.)?"ban_history" CASCADE$/);
      expect(drop?.findings.filter((f) => f.category === 'destructive').map((f) => f.rule)).toEqual(['drop-table']);
      expect(target.review.summary.destructive).toBe(1);
      // The dry run executed every statement the review showed, the DROP among them.
      expect(target.dryRun).toMatchObject({ ok: true, migrations: 1, statements: target.review.statements.length });

      const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder, log: () => {} });
      expect(run).toMatchObject({ ok: true, applied: ['0006_probe'] });
      expect(await sql`select to_regclass('public.ban_history') as t`).toEqual([{ t: null }]);
    },
    120_000,
  );

  it('a hidden statement that fails is where the dry run and the migrator both stop, and both name it', async () => {
    const folder = withProbe('SELECT 1; --> statement-breakpoint DROP TABLE "no_such_table";\n');
    const target = await reviewTarget({ ...(await loadFolder(folder)), history: await readAppliedMigrations(db.url), dryRunner: runner });
    expect(target.dryRun).toMatchObject({ ok: false, stage: 'pending', line: 1, statement: 'DROP TABLE "no_such_table"', code: '42P01' });
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder, log: () => {} });
    expect(run.ok).toBe(false);
    const reason = run.ok ? '' : run.reason;
    expect(reason).toMatch(/^Migration failed at .*0006_probe\.sql:1: table "no_such_table" does not exist \(SQLSTATE 42P01\)\./);
    expect(reason).toContain('statement: DROP TABLE "no_such_table"');
  }, 120_000);

  it('names the failing statement of a query holding several, by the position PostgreSQL gives', async () => {
    const folder = withProbe('SELECT 1;--> statement-breakpoint\nSELECT 2;\nSELECT "no_such_column" FROM "ban_history";\n');
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder, log: () => {} });
    const reason = run.ok ? '' : run.reason;
    expect(reason).toMatch(/^Migration failed at .*0006_probe\.sql:3: column "no_such_column" does not exist \(SQLSTATE 42703\)\./);
    expect(reason).toContain('statement: SELECT "no_such_column" FROM "ban_history"');
  }, 120_000);
});
