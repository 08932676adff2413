import type { DryRunResult } from '../dryrun/pglite-dry-run.ts';
import { migrationSetHash } from '../history/migration-set.ts';
import type { PinnedTimeouts } from '../history/pinned-timeouts.ts';
import type { ReviewScope } from '../history/review-table.ts';
import type { Drift } from '../history/target-plan.ts';
import { dryRunStatus } from '../history/target-review.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import type { BranchCheck } from './branch-plan.ts';

// Everything one `deploybot review` found, before it is rendered as text, JSON, GitHub
// annotations or SARIF: the review itself plus what the summary must not leave out (drift, the
// dry run, repository checks, empty migrations) and which scope the review used.

export type ReviewMode = 'files' | 'history' | 'target' | 'branch';

export interface Notice {
  kind: 'empty-migration' | 'comment-only-migration';
  tag: string;
  file: string;
  line: number;
  message: string;
}

export interface ReviewReport {
  mode: ReviewMode;
  /** `migration`: each migration judged alone; `run`: the set judged as one pending run. */
  scope: ReviewScope;
  /** One sentence naming what was reviewed and how, printed with every review so no reader mistakes one for another. */
  scopeText: string;
  review: Review;
  /**
   * sha256 of the reviewed migration files (src/history/migration-set.ts), shown as "migration
   * files sha256": tells two checkouts apart. Not what is approved: that is `plan.sha256`.
   */
  migrationSetSha256: string;
  target?: { fromDatabase: boolean; pendingKnown: boolean; applied: string[]; pending: string[] };
  /** The plan the bot would pin for this target: what approvers approve (src/history/plan.ts). */
  plan?: { sha256: string; image: string | null; timeouts: PinnedTimeouts };
  branch?: { ref: string; commit: string; history: number; added: string[] };
  drift: Drift[];
  checks: BranchCheck[];
  /** Undefined when no dry run was made; `dryRunSkipped` then says why. */
  dryRun?: DryRunResult;
  dryRunSkipped?: string;
  notices: Notice[];
}

/**
 * An empty or comment-only migration is a notice, not a finding: it cannot hurt a database
 * (drizzle records it as applied and runs nothing), but it is usually a `drizzle-kit generate
 * --custom` placeholder someone forgot to fill, and once applied, filling it in later never runs.
 */
export function emptyMigrationNotices(sources: readonly MigrationSource[], review: Review): Notice[] {
  const statements = new Map(review.migrations.map((m) => [m.file, m.statements]));
  return sources.flatMap((m): Notice[] => {
    if (statements.get(m.file) !== 0) return [];
    const empty = m.sql.trim() === '';
    return [
      {
        kind: empty ? 'empty-migration' : 'comment-only-migration',
        tag: m.tag,
        file: m.file,
        line: 1,
        message: `${m.file} ${empty ? 'is empty' : 'holds only comments'}: drizzle records it as applied and runs nothing, and filling it in after it has been applied never runs. Write its SQL, or remove it and its journal entry.`,
      },
    ];
  });
}

export function migrationFilesSha256(review: Review): string {
  return migrationSetHash(review.migrations);
}

export function describeScope(scope: ReviewScope): string {
  return scope === 'run' ? 'as one run (tables created earlier in the run count as new)' : 'each migration alone';
}

/** The JSON summary: category counts plus the results that are not findings. */
export function reportSummary(report: ReviewReport) {
  return {
    ...report.review.summary,
    drift: report.drift.length,
    checks: report.checks.length,
    emptyMigrations: report.notices.length,
    dryRun: dryRunStatus(report.dryRun),
  };
}

/** What the text summary line adds after the category counts. */
export function summaryTail(report: ReviewReport): string {
  const parts: string[] = [];
  if (report.mode === 'branch')
    parts.push(report.checks.length ? `${report.checks.length} repository problem${plural(report.checks.length)}` : 'repository checks ok');
  if (report.mode === 'target' || report.mode === 'history') parts.push(report.drift.length ? `${report.drift.length} drift` : 'no drift');
  if (report.notices.length) parts.push(`${report.notices.length} empty migration${plural(report.notices.length)}`);
  const dry = report.dryRun;
  parts.push(
    !dry
      ? `no dry run${report.dryRunSkipped ? ` (${report.dryRunSkipped})` : ''}`
      : dry.ok
        ? `dry run ok (${dry.ms} ms)${dry.notJudged ? ', one statement not judged on populated tables' : ''}`
        : dry.status === 'unavailable'
          ? `dry run unavailable (${dry.missing} is not available in embedded PostgreSQL)`
          : `dry run FAILED${dry.populated?.length ? ' (fails on a populated table)' : ''}`,
  );
  return parts.join('; ');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

export function reportJson(report: ReviewReport) {
  const { review } = report;
  return {
    scope: { mode: report.mode, newTables: report.scope, description: report.scopeText },
    migrations: review.migrations,
    statements: review.statements,
    summary: reportSummary(report),
    tables: review.tables ?? [],
    migrationSetSha256: report.migrationSetSha256,
    plan: report.plan ?? null,
    target: report.target && {
      database: report.target.fromDatabase ? 'target' : 'embedded',
      pendingKnown: report.target.pendingKnown,
      applied: report.target.applied,
      pending: report.target.pending,
      drift: report.drift,
      dryRun: report.dryRun ?? null,
    },
    branch: report.branch && { ...report.branch, checks: report.checks, dryRun: report.dryRun ?? null },
    notices: report.notices,
  };
}
