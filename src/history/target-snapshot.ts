import { readAppliedMigrations } from '../db/applied-migrations.ts';
import type { MigrationSource } from '../review/model.ts';
import { loadJournalFolder } from './load.ts';
import { buildMigratePlan, type ImageDigest, type MigratePlan } from './plan.ts';
import { type AppliedRow, planAgainstDatabase, type TargetPlan } from './target-plan.ts';

// The target as the build finds it: the image's migration folder against the rows of
// __drizzle_migrations, read and planned exactly as the review does (readAppliedMigrations,
// planAgainstDatabase), so the bot and the verifier compute one plan the same way.

export interface TargetSnapshot {
  rows: AppliedRow[];
  migrations: MigrationSource[];
  target: TargetPlan;
}

export type SnapshotRead = { ok: true; snapshot: TargetSnapshot } | { ok: false; reason: string };

export async function readTargetSnapshot(databaseUrl: string, migrationsFolder: string): Promise<SnapshotRead> {
  const folder = await loadJournalFolder(migrationsFolder);
  if (!folder.ok) return folder;
  // A build may wait on a busy database longer than a Slack review can; still bounded.
  const applied = await readAppliedMigrations(databaseUrl, { connectTimeoutSeconds: 10, statementTimeoutMs: 10_000 });
  if (!applied.ok) return applied;
  return {
    ok: true,
    snapshot: {
      rows: applied.rows,
      migrations: folder.migrations,
      target: planAgainstDatabase(folder.migrations, folder.missing, applied.rows),
    },
  };
}

export function snapshotPlan(snapshot: TargetSnapshot, image: ImageDigest): MigratePlan {
  return buildMigratePlan({ appliedRows: snapshot.rows, pending: snapshot.target.pending, image });
}
