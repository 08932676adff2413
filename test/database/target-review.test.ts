import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { PgliteDryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { computeDryRunTable, PRECOMPUTED_SPLITS, PrecomputedDryRuns } from '../../src/history/dry-run-table.ts';
import { describeDryRun, reviewTarget, targetConfirmationReasons } from '../../src/history/target-review.ts';
import { capture } from '../support/capture.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, HISTORY, HISTORY_TAGS, historyPrefix, loadFolder } from '../support/migration-folders.ts';

describe('review against the target database (pending set, drift, dry run)', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  const runner = new PgliteDryRunner();
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    // The target has run the first three migrations, with drizzle's own migrator.
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
  }, 60_000);
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
    await runner.close();
  });

  it('reads the applied history read-only and computes the pending set as drizzle does', async () => {
    const history = await readAppliedMigrations(db.url);
    expect(history.ok && history.rows.map((r) => r.createdAt)).toEqual(
      (await loadFolder(HISTORY)).migrations.slice(0, 3).map((m) => m.when),
    );
    const target = await reviewTarget({ ...(await loadFolder(HISTORY)), history, dryRunner: runner });
    expect(target.pendingKnown).toBe(true);
    expect(target.plan.applied.map((m) => m.tag)).toEqual(HISTORY_TAGS.slice(0, 3));
    expect(target.plan.pending.map((m) => m.tag)).toEqual(HISTORY_TAGS.slice(3));
    expect(target.plan.drift).toEqual([]);
    // Only the pending set is reviewed: the type changes and drop of 0003, the renames of 0004.
    expect(target.review.migrations.map((m) => m.tag)).toEqual(HISTORY_TAGS.slice(3));
    expect(target.review.summary.destructive).toBeGreaterThan(0);
    expect(target.review.statements.some((s) => s.sql.includes('RENAME COLUMN'))).toBe(true);
    expect(target.dryRun).toMatchObject({ ok: true, migrations: 3 });
    expect(describeDryRun(target.dryRun)).toMatch(/^dry run: ok in \d+ ms \(3 migrations, \d+ statements\)$/);
    expect(targetConfirmationReasons({ ...target, drift: target.plan.drift })).toEqual([]);
  }, 60_000);

  it('never writes: a database drizzle never touched has no history and gains no table', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await readAppliedMigrations(fresh.url)).toEqual({
        ok: true,
        rows: [],
        tables: [],
        searchPath: expect.stringContaining('public'),
      });
      const check = postgres(fresh.url, { max: 1 });
      const [row] = await check<{ n: number }[]>`select count(*)::int as n from pg_namespace where nspname = 'drizzle'`;
      await check.end();
      expect(row?.n).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('reports an unreachable database without its password', async () => {
    const read = await readAppliedMigrations('postgres://deploy:s3cret-pw@127.0.0.1:1/daadaar', { connectTimeoutSeconds: 1 });
    expect(read.ok).toBe(false);
    expect(JSON.stringify(read)).not.toContain('s3cret-pw');
    const target = await reviewTarget({ ...(await loadFolder(HISTORY)), history: read });
    expect(target.pendingKnown).toBe(false);
    expect(target.plan.pending.map((m) => m.tag)).toEqual(HISTORY_TAGS);
    expect(targetConfirmationReasons({ ...target, drift: target.plan.drift })).toEqual(['the pending set is unknown']);
  });

  it('finds each kind of drift drizzle would not notice', async () => {
    const folder = copyHistory();
    // 1. An applied file edited later.
    writeFileSync(join(folder.dir, '0001_anonymous_uploads.sql'), '-- edited after it ran\nSELECT 1;');
    // 2. A migration older than the last applied one that never ran (merged from a slow branch).
    writeFileSync(join(folder.dir, '0001b_late_branch.sql'), 'CREATE INDEX "late_idx" ON "users" ("created_at");');
    const first = folder.journal.entries[1];
    if (!first) throw new Error('journal too short');
    folder.journal.entries.splice(2, 0, { ...first, idx: 99, tag: '0001b_late_branch', when: first.when + 1 });
    // 3. A journal entry without its file.
    rmSync(join(folder.dir, '0005_backfill_trimmed_names.sql'));
    folder.writeJournal();
    // 4. A row the repository knows nothing about.
    await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('feedface', 1)`;
    try {
      const target = await reviewTarget({
        ...(await loadFolder(folder.dir)),
        history: await readAppliedMigrations(db.url),
        dryRunner: runner,
      });
      const kinds = target.plan.drift.map((d) => [d.kind, d.tag]);
      expect(kinds).toEqual([
        ['missing-file', '0005_backfill_trimmed_names'],
        ['unknown-applied', undefined],
        ['edited-after-apply', '0001_anonymous_uploads'],
        ['skipped-forever', '0001b_late_branch'],
      ]);
      expect(target.plan.pending.map((m) => m.tag)).toEqual(['0003_media_sizes_and_cleanup', '0004_rename_biography']);
      expect(targetConfirmationReasons({ ...target, drift: target.plan.drift })).toEqual(["4 drift findings in the target's history"]);
      // drizzle would refuse to run at all with a file missing: no dry run to speak of.
      expect(target.dryRun).toBeUndefined();
    } finally {
      await sql`delete from drizzle.__drizzle_migrations where hash = 'feedface'`;
    }
  }, 60_000);

  it('a failing pending migration is reported with its statement, line and Postgres error', async () => {
    const folder = copyHistory();
    writeFileSync(
      join(folder.dir, '0004_rename_biography.sql'),
      'ALTER TABLE "individuals" RENAME COLUMN "biography" TO "bio";--> statement-breakpoint\nALTER TABLE "individuals" DROP COLUMN "no_such_column";',
    );
    const target = await reviewTarget({
      ...(await loadFolder(folder.dir)),
      history: await readAppliedMigrations(db.url),
      dryRunner: runner,
    });
    expect(target.dryRun).toMatchObject({
      ok: false,
      stage: 'pending',
      tag: '0004_rename_biography',
      line: 2,
      statement: 'ALTER TABLE "individuals" DROP COLUMN "no_such_column"',
      code: '42703',
    });
    expect(describeDryRun(target.dryRun)).toMatch(
      /FAILED applying the pending set at .*0004_rename_biography\.sql:2: .*no_such_column.*SQLSTATE 42703/,
    );
    expect(targetConfirmationReasons({ ...target, drift: target.plan.drift })).toEqual(['the dry run failed']);
    // The rollback left the embedded database clean: the real history still runs afterwards.
    const again = await reviewTarget({ ...(await loadFolder(HISTORY)), history: await readAppliedMigrations(db.url), dryRunner: runner });
    expect(again.dryRun?.ok).toBe(true);
  }, 60_000);

  it('the table of precomputed dry runs answers for the last journal splits, and only for those', async () => {
    const { migrations } = await loadFolder(HISTORY);
    // The shipped history has fewer entries than PRECOMPUTED_SPLITS: every split is there.
    expect(PRECOMPUTED_SPLITS).toBeGreaterThan(migrations.length);
    const table = await computeDryRunTable(migrations, runner);
    expect(Object.keys(table.results)).toHaveLength(migrations.length + 1);
    // With fewer splits, only those nearest the head; a target further behind is dry-run live.
    const head = await computeDryRunTable(migrations, runner, { splits: 2 });
    const headFile = join(mkdtempSync(join(tmpdir(), 'dry-runs-')), 'dry-runs.json');
    writeFileSync(headFile, JSON.stringify(head));
    expect(await new PrecomputedDryRuns(headFile).lookup(migrations.slice(0, 5), migrations.slice(5))).toMatchObject({ ok: true });
    expect(await new PrecomputedDryRuns(headFile).lookup(migrations.slice(0, 4), migrations.slice(4))).toBeUndefined();
    // A result answers only its own context: a target with another search_path or populated tables misses.
    expect(await new PrecomputedDryRuns(headFile).lookup(migrations, [], { populated: ['public.media'] })).toBeUndefined();
    const file = join(mkdtempSync(join(tmpdir(), 'dry-runs-')), 'dry-runs.json');
    writeFileSync(file, JSON.stringify(table));
    const precomputed = new PrecomputedDryRuns(file);
    expect(await precomputed.lookup(migrations.slice(0, 4), migrations.slice(4))).toMatchObject({ ok: true, migrations: 2 });
    expect(await precomputed.lookup(migrations.slice(0, 2), migrations.slice(3))).toBeUndefined();
    expect(await new PrecomputedDryRuns(join(file, 'missing')).lookup([], migrations)).toBeUndefined();
  }, 60_000);

  it('CLI: --database-url reviews only the pending set, shows drift and the dry run', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['--json', '--database-url', db.url, HISTORY], out, err)).toBe(0);
    const doc = JSON.parse(out.text);
    expect(doc.target).toMatchObject({
      database: 'target',
      pendingKnown: true,
      applied: HISTORY_TAGS.slice(0, 3),
      pending: HISTORY_TAGS.slice(3),
      drift: [],
    });
    expect(doc.target.dryRun.ok).toBe(true);
    expect(doc.migrations.map((m: { tag: string }) => m.tag)).toEqual(HISTORY_TAGS.slice(3));

    const text = capture();
    expect(await main(['--database-url', db.url, '--fail-on', 'drift,dry-run', HISTORY], text, err)).toBe(0);
    expect(text.text).toMatch(
      /^Target database: 3 applied, 3 pending: 0003_media_sizes_and_cleanup, 0004_rename_biography, 0005_backfill_trimmed_names\ndry run: ok in \d+ ms/,
    );

    const bad = capture();
    expect(await main(['--database-url', 'postgres://u:hunter2@127.0.0.1:1/x', HISTORY], capture(), bad)).toBe(2);
    expect(bad.text).toMatch(/^Cannot read the target database: /);
    expect(bad.text).not.toContain('hunter2');
  }, 60_000);
});
