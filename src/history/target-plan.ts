import type { MigrationSource } from '../review/model.ts';
import type { MissingMigration } from './load.ts';
import { pendingMigrations } from './pending.ts';
import { planByName } from './target-plan-v1.ts';

// What the target database will run, and where its history disagrees with the repository.
//
// drizzle-orm 0.45's PostgreSQL migrator (src/pg-core/dialect.ts, PgDialect.migrate) reads
// only the newest row of __drizzle_migrations (ORDER BY created_at DESC LIMIT 1) and applies
// every journal entry whose `when` is greater; readMigrationFiles (src/migrator.ts) throws if
// a journal entry's file is missing. It stores sha256(file) in `hash` but never compares it.
// So three kinds of drift go unnoticed by drizzle, and this module names them.

/** One row of drizzle.__drizzle_migrations. */
export interface AppliedRow {
  id: number;
  hash: string;
  /** The journal `when` of the migration that wrote the row (drizzle stores folderMillis). */
  createdAt: number;
  /** drizzle v1's `name` column (the migration's folder name); absent or null before v1. */
  name?: string | null;
}

export type DriftKind = 'edited-after-apply' | 'unknown-applied' | 'skipped-forever' | 'missing-file' | 'out-of-order';

export interface Drift {
  kind: DriftKind;
  /** The journal tag involved, when one is. */
  tag?: string;
  message: string;
}

export interface TargetPlan {
  /** Journal entries the database has applied (matched by hash), in journal order. */
  applied: MigrationSource[];
  /** What drizzle will apply next, in one transaction. */
  pending: MigrationSource[];
  drift: Drift[];
  lastApplied?: AppliedRow;
}

export function planAgainstDatabase(
  migrations: readonly MigrationSource[],
  missing: readonly MissingMigration[],
  rows: readonly AppliedRow[],
): TargetPlan {
  // drizzle-kit v1's layout has no journal and drizzle-orm v1 plans by name (target-plan-v1.ts).
  if (migrations.some((m) => m.name !== undefined)) return planByName(migrations, rows);
  const lastApplied = rows.reduce<AppliedRow | undefined>((last, row) => (!last || row.createdAt > last.createdAt ? row : last), undefined);
  const pending = pendingMigrations(migrations, lastApplied);
  const pendingTags = new Set(pending.map((m) => m.tag));
  const appliedHashes = new Set(rows.map((r) => r.hash));
  const byHash = new Map(migrations.map((m) => [m.hash, m]));
  const byWhen = new Map<number, MigrationSource>();
  for (const m of migrations) if (m.when !== undefined) byWhen.set(m.when, m);

  const drift: Drift[] = [];
  for (const entry of missing) {
    drift.push({
      kind: 'missing-file',
      tag: entry.tag,
      message: `${entry.file} is listed in meta/_journal.json but the file is missing: drizzle's migrator refuses to run any migration until it is restored or the entry removed.`,
    });
  }
  for (const row of rows) {
    if (byHash.has(row.hash)) continue;
    const sameWhen = byWhen.get(row.createdAt);
    if (sameWhen) {
      drift.push({
        kind: 'edited-after-apply',
        tag: sameWhen.tag,
        message: `${sameWhen.file} was edited after it was applied: the database ran a version with sha256 ${row.hash.slice(0, 12)}…, the file now hashes to ${sameWhen.hash.slice(0, 12)}…. drizzle never re-runs it, so the edit will never reach this database.`,
      });
    } else {
      drift.push({
        kind: 'unknown-applied',
        message: `The database records a migration (row ${row.id}, created_at ${row.createdAt}, sha256 ${row.hash.slice(0, 12)}…) that matches no file in this repository: it was applied from another branch or its file was deleted.`,
      });
    }
  }
  const editedTags = new Set(drift.flatMap((d) => (d.kind === 'edited-after-apply' && d.tag ? [d.tag] : [])));
  const applied: MigrationSource[] = [];
  for (const m of migrations) {
    if (pendingTags.has(m.tag)) continue;
    if (appliedHashes.has(m.hash) || editedTags.has(m.tag)) {
      applied.push(m);
      continue;
    }
    drift.push({
      kind: 'skipped-forever',
      tag: m.tag,
      message: `${m.file} was never applied, and its journal time (${m.when === undefined ? '?' : new Date(m.when).toISOString()}) is older than the last applied migration's: drizzle will skip it on every run. Give it a newer journal entry (regenerate it) to apply it.`,
    });
  }
  return { applied, pending, drift, lastApplied };
}

/**
 * Every way a target without drift can stand against this history: the first `applied`
 * journal entries applied, the rest pending. What build-time tables are computed for.
 */
export function journalSplits<T>(migrations: readonly T[]): { applied: T[]; pending: T[] }[] {
  return Array.from({ length: migrations.length + 1 }, (_, applied) => ({
    applied: migrations.slice(0, applied),
    pending: migrations.slice(applied),
  }));
}
