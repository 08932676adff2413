import type { MissingMigration } from '../history/load.ts';
import type { MigrationSource } from '../review/model.ts';

// What a branch adds to the base's migration history, and the mistakes that only show when the
// two are compared. drizzle-orm 0.45's PostgreSQL migrator (node_modules/drizzle-orm/pg-core/
// dialect.js, PgDialect.migrate) reads the newest row of __drizzle_migrations once, then runs
// each journal entry only if `lastDbMigration.created_at < migration.folderMillis` (the entry's
// `when`). It never compares hashes. Hence:
// - an entry the branch adds whose `when` is not newer than every base entry is skipped, forever,
//   on every database that has applied the base;
// - an edit to a file the base already has never reaches a database that applied it;
// - a journal entry without its file makes readMigrationFiles (drizzle-orm/migrator.js) throw,
//   so nothing migrates at all.

export type BranchCheckKind = 'edited-migration' | 'retimed-migration' | 'out-of-order' | 'missing-file' | 'removed-migration';

export interface BranchCheck {
  kind: BranchCheckKind;
  tag: string;
  /** Where to point: the migration file, or the journal for entry-level problems. */
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface BranchSide {
  migrations: readonly MigrationSource[];
  missing: readonly MissingMigration[];
}

export interface HeadSide extends BranchSide {
  /** Path of meta/_journal.json as shown, and its text: entry-level checks point at their line in it. */
  journalFile: string;
  journalText: string;
}

export interface BranchPlan {
  /** The base's migrations in its journal order: the history a database has once the base is deployed. */
  history: MigrationSource[];
  /** Entries the branch adds, in its journal order: what the review and the dry run are about. */
  added: MigrationSource[];
  checks: BranchCheck[];
}

export function planBranch(base: BranchSide, head: HeadSide, baseName: string): BranchPlan {
  const baseByTag = new Map(base.migrations.map((m) => [m.tag, m]));
  const baseTags = new Set([...base.migrations.map((m) => m.tag), ...base.missing.map((m) => m.tag)]);
  const headTags = new Set([...head.migrations.map((m) => m.tag), ...head.missing.map((m) => m.tag)]);
  const baseWhens = [...base.migrations, ...base.missing].flatMap((m) => (m.when === undefined ? [] : [m.when]));
  const newestBase = baseWhens.length ? Math.max(...baseWhens) : undefined;
  const journalLine = (tag: string) => lineOfTag(head.journalText, tag);
  const checks: BranchCheck[] = [];
  const added: MigrationSource[] = [];

  for (const m of head.migrations) {
    const old = baseByTag.get(m.tag);
    if (!old) {
      if (baseTags.has(m.tag)) continue; // the base lists it without a file: the base's problem, not this branch's
      added.push(m);
      if (newestBase !== undefined && m.when !== undefined && m.when <= newestBase) {
        checks.push({
          kind: 'out-of-order',
          tag: m.tag,
          file: head.journalFile,
          line: journalLine(m.tag),
          message: `${m.tag}'s journal "when" (${iso(m.when)}) is not newer than ${baseName}'s newest entry (${iso(newestBase)}): drizzle runs only entries newer than the last one a database applied, so it would skip this migration forever on every database that has applied ${baseName}. Regenerate it on top of ${baseName} (or give it a newer "when").`,
        });
      }
      continue;
    }
    if (old.hash !== m.hash) {
      checks.push({
        kind: 'edited-migration',
        tag: m.tag,
        file: m.file,
        line: firstDifferentLine(old.sql, m.sql),
        message: `${m.file} already exists on ${baseName} and this branch edits it: drizzle never re-runs an applied migration (it does not compare hashes), so the edit never reaches a database that applied it. Put the change in a new migration.`,
      });
    }
    if (old.when !== m.when) {
      checks.push({
        kind: 'retimed-migration',
        tag: m.tag,
        file: head.journalFile,
        line: journalLine(m.tag),
        message: `${m.tag}'s journal "when" changed from ${iso(old.when)} to ${iso(m.when)}: a database that applied it may run it a second time (if newer than its last applied entry) or skip what follows. Keep the base's journal entry as it is.`,
      });
    }
  }
  for (const entry of head.missing) {
    checks.push({
      kind: 'missing-file',
      tag: entry.tag,
      file: head.journalFile,
      line: journalLine(entry.tag),
      message: `${entry.file} is listed in the journal but the file is missing: drizzle's migrator refuses to run any migration until it is restored or the entry removed.`,
    });
  }
  for (const m of [...base.migrations, ...base.missing]) {
    if (headTags.has(m.tag)) continue;
    checks.push({
      kind: 'removed-migration',
      tag: m.tag,
      file: head.journalFile,
      line: 1,
      message: `${baseName} has ${m.tag} and this branch's journal does not: merge or rebase onto ${baseName} (or restore the entry); databases that applied it would record a migration this branch does not know.`,
    });
  }
  return { history: [...base.migrations], added, checks };
}

function lineOfTag(journal: string, tag: string): number {
  const at = journal.indexOf(`"${tag}"`);
  return at === -1 ? 1 : journal.slice(0, at).split('\n').length;
}

function firstDifferentLine(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  const n = Math.max(left.length, right.length);
  for (let i = 0; i < n; i++) if (left[i] !== right[i]) return Math.min(i + 1, Math.max(right.length, 1));
  return 1;
}

function iso(when: number | undefined): string {
  return when === undefined ? 'none' : new Date(when).toISOString();
}
