import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { loadJournalFolder } from '../../src/history/load.ts';
import { v1FolderMillis } from '../../src/history/load-v1.ts';
import { reviewTarget } from '../../src/history/target-review.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { loadHistory } from '../support/migration-folders.ts';

// The repository's history in drizzle-kit v1's layout: one folder per migration named
// <YYYYMMDDHHMMSS>_<name>, holding migration.sql, and no meta/_journal.json.
async function v1Folder(): Promise<{ dir: string; names: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'drizzle-v1-'));
  const names: string[] = [];
  for (const m of await loadHistory()) {
    const stamp = new Date(m.when ?? 0).toISOString().replace(/\D/g, '').slice(0, 14);
    const name = `${stamp}_${m.tag.replace(/^\d+_/, '')}`;
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), m.sql);
    names.push(name);
  }
  mkdirSync(join(dir, 'not-a-migration')); // v1 skips folders without migration.sql
  return { dir, names };
}

describe("drizzle-kit v1's folder layout", () => {
  it('is loaded in folder-name order, with the time from the name and the hash of the file', async () => {
    const { dir, names } = await v1Folder();
    const loaded = await loadJournalFolder(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.migrations.map((m) => m.name)).toEqual(names);
    expect(loaded.migrations.map((m) => m.tag)).toEqual(names);
    expect(loaded.migrations[0]?.file).toMatch(/_init\/migration\.sql$/);
    const history = await loadHistory();
    expect(loaded.migrations.map((m) => m.hash)).toEqual(history.map((m) => m.hash));
    expect(loaded.migrations.map((m) => m.when)).toEqual(history.map((m) => Math.floor((m.when ?? 0) / 1000) * 1000));
    expect(v1FolderMillis('20260102030405_x')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
  });

  describe('against a target whose __drizzle_migrations has v1 columns (name, applied_at)', () => {
    let db: TestDatabase;
    let names: string[];
    let dir: string;
    beforeAll(async () => {
      ({ dir, names } = await v1Folder());
      const loaded = await loadJournalFolder(dir);
      if (!loaded.ok) throw new Error(loaded.reason);
      db = await createTestDatabase();
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      // The table as drizzle-orm v1 creates it (src/pg-core/async/session.ts on the beta branch).
      await sql.unsafe(`create schema drizzle; create table drizzle.__drizzle_migrations (
        id serial primary key, hash text not null, created_at bigint, name text, applied_at timestamp with time zone default now())`);
      // Applied: the first three and the fifth; the fourth was merged late and never ran.
      for (const i of [0, 1, 2, 4]) {
        const m = loaded.migrations[i];
        await sql`insert into drizzle.__drizzle_migrations (hash, created_at, name) values (${m?.hash ?? ''}, ${m?.when ?? 0}, ${m?.name ?? ''})`;
      }
      await sql.end();
    }, 60_000);
    afterAll(() => db?.drop());

    it('computes the pending set by name, as v1 does, older unapplied migrations included, and says so', async () => {
      const history = await readAppliedMigrations(db.url);
      expect(history.ok && history.rows.map((r) => r.name)).toEqual([0, 1, 2, 4].map((i) => names[i]));
      const loaded = await loadJournalFolder(dir);
      if (!loaded.ok) throw new Error(loaded.reason);
      const target = await reviewTarget({ ...loaded, history });
      expect(target.plan.pending.map((m) => m.name)).toEqual([names[3], names[5]]);
      expect(target.plan.applied.map((m) => m.name)).toEqual([0, 1, 2, 4].map((i) => names[i]));
      expect(target.plan.drift).toEqual([expect.objectContaining({ kind: 'out-of-order', tag: names[3] })]);
      // The review knows the columns the applied migrations created: media.file_size widens
      // (locking only); confidence_score real -> numeric(5, 4) and the dropped column are destructive.
      expect(target.review.summary).toMatchObject({ destructive: 2, breaking: 0, locking: 2 });
    }, 60_000);
  });
});
