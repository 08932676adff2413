import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readAppliedMigrations } from '../db/applied-migrations.ts';
import type { DryRunContext } from '../dryrun/context.ts';
import type { DryRunner } from '../dryrun/pglite-dry-run.ts';
import { loadJournalFolder, loadMigrations } from '../history/load.ts';
import { pinTimeouts } from '../history/pinned-timeouts.ts';
import { buildMigratePlan, planSha256 } from '../history/plan.ts';
import type { AppliedRow } from '../history/target-plan.ts';
import { dryRunContextFor, reviewTarget } from '../history/target-review.ts';
import { redact } from '../redact.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';
import { type TableStats, withTableSizes } from '../review/table-size.ts';
import { readBaseHistory } from './branch-base.ts';
import { planBranch } from './branch-plan.ts';
import { describeScope, emptyMigrationNotices, migrationFilesSha256, type ReviewReport } from './review-report.ts';

// Which migrations a `deploybot review` looks at, and how: loose .sql files, a folder's whole
// history on a fresh database, what a target database has not applied, or what a branch adds.

export interface ReviewRequest {
  paths: string[];
  databaseUrl?: string;
  changedSince?: string;
  asOneRun: boolean;
  /** The image the build would run (sha256:…), pinned in the plan. */
  imageDigest?: string;
  /** Table sizes given offline (--stats-file), when the target is not read. */
  tables?: TableStats[];
  /** --search-path and --dry-run-setup. */
  dryRunContext?: DryRunContext;
}

/** `what` heads the message a person sees; by default "Cannot review". */
export type ReportResult = { ok: true; report: ReviewReport } | { ok: false; reason: string; what?: string };

export async function buildReport(request: ReviewRequest, runner: DryRunner | undefined): Promise<ReportResult> {
  const { paths, databaseUrl, changedSince } = request;
  const folder = paths.length === 1 && paths[0] ? await asFolder(paths[0]) : undefined;
  if ((databaseUrl || changedSince) && !folder) {
    return {
      ok: false,
      reason: `${databaseUrl ? '--database-url' : '--changed-since'} needs exactly one drizzle migrations folder as PATH`,
    };
  }
  if (databaseUrl && changedSince) return { ok: false, reason: '--database-url and --changed-since answer different questions: use one' };
  if (folder && changedSince) return branchReport(folder, changedSince, runner, request);
  if (folder) return folderReport(folder, request, runner);

  const loaded = await loadMigrations(paths);
  if (!loaded.ok) return loaded;
  const scope = request.asOneRun ? 'run' : 'migration';
  // Loose .sql files carry no history to replay them on: no dry run for them.
  const review = withTableSizes(await reviewMigrations(loaded.migrations, { newTablesScope: scope }), request.tables);
  return {
    ok: true,
    report: {
      mode: 'files',
      scope,
      scopeText: `Reviewed ${loaded.migrations.length} .sql file${loaded.migrations.length === 1 ? '' : 's'}, ${describeScope(scope)}.`,
      review,
      migrationSetSha256: migrationFilesSha256(review),
      drift: [],
      checks: [],
      dryRunSkipped: 'loose .sql files have no history to replay',
      notices: emptyMigrationNotices(loaded.migrations, review),
    },
  };
}

async function folderReport(folder: string, request: ReviewRequest, runner: DryRunner | undefined): Promise<ReportResult> {
  const loaded = await loadJournalFolder(folder);
  if (!loaded.ok) return loaded;
  const { databaseUrl } = request;
  if (!databaseUrl && loaded.missing[0]) return { ok: false, reason: `${loaded.missing[0].file}: listed in the journal but missing` };
  const history = databaseUrl ? await readAppliedMigrations(databaseUrl, { catalog: true }) : undefined;
  if (history && !history.ok) return { ok: false, reason: redact(history.reason), what: 'Cannot read the target database' };
  // Without a target the whole history is "pending" on a fresh database; keep the per-migration
  // view (every table was new once) unless asked to treat it as one run.
  const scope = databaseUrl || request.asOneRun ? 'run' : 'migration';
  const target = await reviewTarget({
    migrations: loaded.migrations,
    missing: loaded.missing,
    history,
    dryRunner: runner,
    scope,
    tables: request.tables,
    dryRunContext: request.dryRunContext,
  });
  const { applied, pending } = target.plan;
  return {
    ok: true,
    report: {
      mode: databaseUrl ? 'target' : 'history',
      scope,
      scopeText: databaseUrl
        ? `Reviewed what the target database has not applied: ${pending.length} of ${loaded.migrations.length} migrations in ${folder}, ${describeScope(scope)}.`
        : `Reviewed the whole history of ${folder} (${pending.length} migrations, as on a fresh database), ${describeScope(scope)}. To review only what a branch adds: --changed-since REF.`,
      review: target.review,
      migrationSetSha256: migrationFilesSha256(target.review),
      target: {
        fromDatabase: databaseUrl !== undefined,
        pendingKnown: target.pendingKnown,
        applied: applied.map((m) => m.tag),
        pending: pending.map((m) => m.tag),
      },
      // The plan the bot would pin for this target (a fresh database when none is named).
      plan: planSummary(history?.ok ? history.rows : [], pending, request.imageDigest, target.review),
      drift: target.plan.drift,
      checks: [],
      dryRun: target.dryRun,
      dryRunSkipped: runner ? 'a journal entry has no file' : '--no-dry-run',
      notices: emptyMigrationNotices(pending, target.review),
    },
  };
}

async function branchReport(folder: string, ref: string, runner: DryRunner | undefined, request: ReviewRequest): Promise<ReportResult> {
  const head = await loadJournalFolder(folder);
  if (!head.ok) return head;
  const read = await readBaseHistory(ref, folder);
  if (!read.ok) return read;
  const { base } = read;
  const journalPath = join(folder, 'meta', '_journal.json');
  const journalText = await readFile(journalPath, 'utf8');
  const plan = planBranch(base, { ...head, journalFile: relative(process.cwd(), journalPath), journalText }, ref);
  // The added set runs in one transaction on top of the base's history: tables it creates are new.
  const review = withTableSizes(await reviewMigrations(plan.added, { newTablesScope: 'run' }), request.tables);
  const context = dryRunContextFor(request.dryRunContext, undefined, request.tables);
  const dryRun = runner && plan.added.length > 0 ? await runner.run(plan.history, plan.added, context) : undefined;
  const short = base.commit.slice(0, 12);
  return {
    ok: true,
    report: {
      mode: 'branch',
      scope: 'run',
      scopeText: `Reviewed the ${plan.added.length} migration${plan.added.length === 1 ? '' : 's'} this branch adds to ${ref} (${short}, ${plan.history.length} migrations), as one run on top of ${ref}'s history.`,
      review,
      migrationSetSha256: migrationFilesSha256(review),
      branch: { ref, commit: base.commit, history: plan.history.length, added: plan.added.map((m) => m.tag) },
      drift: [],
      checks: plan.checks,
      dryRun,
      dryRunSkipped: !runner ? '--no-dry-run' : 'the branch adds no migration',
      notices: emptyMigrationNotices(plan.added, review),
    },
  };
}

async function asFolder(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? path : undefined;
}

function planSummary(rows: AppliedRow[], pending: readonly MigrationSource[], imageDigest: string | undefined, review: Review) {
  // The default timeout policy: an environment's `timeouts` in deploybot.config.json changes them, and so the sha256.
  const timeouts = pinTimeouts(review, pending);
  const plan = buildMigratePlan({ appliedRows: rows, pending, image: imageDigest ?? null, timeouts });
  return {
    sha256: planSha256(plan),
    image: plan.image,
    timeouts: plan.timeouts ?? timeouts,
  };
}
