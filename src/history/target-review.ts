import { type DryRunContext, populatedFromStats } from '../dryrun/context.ts';
import type { DryRunner, DryRunResult } from '../dryrun/pglite-dry-run.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import { withObservedEffects } from '../review/observed.ts';
import { reviewMigrations } from '../review/review.ts';
import type { TargetCatalog } from '../review/schema-catalog.ts';
import { type SizeThresholds, type TableStats, withTableSizes } from '../review/table-size.ts';
import type { DryRunSource } from './dry-run-table.ts';
import type { MissingMigration } from './load.ts';
import type { ReviewScope } from './review-table.ts';
import { type AppliedRow, planAgainstDatabase, type TargetPlan } from './target-plan.ts';

// The review of exactly what will run on one target: its pending set (or, when the target
// cannot be read, the whole history, marked so), the drift between its history and the
// repository, and a dry run of the pending set on embedded PostgreSQL.

/** `tables`: the target's relation sizes, when they were read with the history; `searchPath`: its role's. */
export type AppliedHistory =
  | { ok: true; rows: AppliedRow[]; tables?: TableStats[]; catalog?: TargetCatalog; searchPath?: string }
  | { ok: false; reason: string };

export interface TargetReview {
  /** False when the target could not be read: `plan.pending` is then the whole history. */
  pendingKnown: boolean;
  unknownReason?: string;
  plan: TargetPlan;
  /** The review of `plan.pending`, as one run (drizzle applies the pending set in one transaction). */
  review: Review;
  dryRun?: DryRunResult;
}

export interface TargetReviewInput {
  migrations: readonly MigrationSource[];
  missing?: readonly MissingMigration[];
  /** The target's drizzle history; undefined for a fresh database (the embedded default). */
  history?: AppliedHistory;
  dryRunner?: DryRunner;
  /** Instead of a runner: results looked up (the bot's precomputed table, else a live run). */
  dryRuns?: DryRunSource;
  /** How the pending set is reviewed; the bot's looks up precomputed reviews first. */
  reviewer?: (pending: MigrationSource[], scope: ReviewScope, applied: MigrationSource[]) => Promise<Review>;
  /** How to review the pending set; by default as reviewScopeFor(history) says. */
  scope?: ReviewScope;
  /** Relation sizes from elsewhere (a stats file); the target's own, when read, come first. */
  tables?: TableStats[];
  sizeThresholds?: Partial<SizeThresholds>;
  /** What the platform provides (setup SQL, a search_path given by hand); the target's own search_path and populated tables are added. */
  dryRunContext?: DryRunContext;
}

/**
 * A known pending set runs as one transaction, so tables it creates are new throughout. An
 * unknown one is reviewed migration by migration: earlier ones may already be applied.
 */
export function reviewScopeFor(history: AppliedHistory | undefined): ReviewScope {
  return history === undefined || history.ok ? 'run' : 'migration';
}

/** The one review of a target, for the CLI and the bot alike: pending set, review, drift, dry run. */
export async function reviewTarget(input: TargetReviewInput): Promise<TargetReview> {
  const { migrations, missing = [], history, dryRunner, scope } = input;
  const known = history === undefined || history.ok;
  const plan = planAgainstDatabase(migrations, missing, history?.ok ? history.rows : []);
  const newTablesScope = scope ?? reviewScopeFor(history);
  const reviewed = input.reviewer
    ? await input.reviewer(plan.pending, newTablesScope, known ? plan.applied : [])
    : await reviewMigrations(plan.pending, {
        newTablesScope,
        history: known ? plan.applied : [],
        targetCatalog: history?.ok ? history.catalog : undefined,
      });
  const tables = (history?.ok ? history.tables : undefined) ?? input.tables;
  const review = withTableSizes(reviewed, tables, input.sizeThresholds);
  const context = dryRunContextFor(input.dryRunContext, history, tables);
  // With drift the replayed history is only the repository's idea of the target; still worth running.
  const dryRun =
    missing.length > 0
      ? undefined
      : dryRunner
        ? await dryRunner.run(plan.applied, plan.pending, context)
        : await input.dryRuns?.lookup(plan.applied, plan.pending, context);
  // The dry run applies the pending set as one run; compared per migration it would disagree by design.
  const oneRun = (scope ?? reviewScopeFor(history)) === 'run';
  return {
    pendingKnown: known,
    unknownReason: history && !history.ok ? history.reason : undefined,
    plan,
    review: dryRun?.ok && oneRun ? withObservedEffects(review, dryRun.trace) : review,
    dryRun,
  };
}

const DEFAULT_SEARCH_PATHS = new Set(['"$user",public', '$user,public', 'public']);

/**
 * The dry run starts where the target does: a search_path given by hand wins over the role's
 * own (read with the history), and every table the stats say holds rows gets a synthetic row.
 */
export function dryRunContextFor(
  given: DryRunContext | undefined,
  history: AppliedHistory | undefined,
  tables: readonly TableStats[] | undefined,
): DryRunContext {
  const role = history?.ok ? history.searchPath : undefined;
  // PostgreSQL's default ("$user", public) is what the embedded server has: leave it out, so the
  // precomputed results, computed without one, still answer.
  const searchPath = given?.searchPath ?? (role && !DEFAULT_SEARCH_PATHS.has(role.replace(/\s/g, '')) ? role : undefined);
  const populated = populatedFromStats(tables);
  return {
    ...(given?.setup ? { setup: given.setup } : {}),
    ...(searchPath ? { searchPath } : {}),
    ...(populated.length ? { populated } : {}),
  };
}

/**
 * Why the target's state needs the typed confirmation (none: it does not). Drift, an unknown
 * pending set and a failed dry run each mean the approver cannot trust the review alone.
 */
export function targetConfirmationReasons(target: { pendingKnown: boolean; drift: readonly unknown[]; dryRun?: DryRunResult }): string[] {
  const reasons: string[] = [];
  if (!target.pendingKnown) reasons.push('the pending set is unknown');
  const drift = target.drift.length;
  if (drift > 0) reasons.push(`${drift} drift finding${drift === 1 ? '' : 's'} in the target's history`);
  // `unavailable` says nothing about the migrations (the embedded server lacks an extension):
  // it is shown, but asks for no confirmation by itself.
  if (dryRunStatus(target.dryRun) === 'failed') reasons.push('the dry run failed');
  return reasons;
}

export type DryRunStatus = 'ok' | 'failed' | 'unavailable' | 'not run';

export function dryRunStatus(result: DryRunResult | undefined): DryRunStatus {
  return !result ? 'not run' : result.ok ? 'ok' : result.status;
}

const STAGES = { setup: 'running the dry-run setup', history: 'replaying the applied history', pending: 'applying the pending set' };

export function describeDryRun(result: DryRunResult | undefined): string {
  if (!result) return 'dry run: not run';
  if (result.ok) {
    const rows = result.populated?.length ? `, ${result.populated.length} populated table${result.populated.length === 1 ? '' : 's'}` : '';
    const ok = `dry run: ok in ${result.ms} ms (${result.migrations} migration${result.migrations === 1 ? '' : 's'}, ${result.statements} statements${rows})`;
    const n = result.notJudged;
    return n
      ? `${ok}; could not judge ${n.file}:${n.line} on populated tables: it failed on the synthetic rows' values (${n.error}), which real data may not have`
      : ok;
  }
  const where = `${result.file}:${result.line}`;
  if (result.status === 'unavailable')
    return `dry run: UNAVAILABLE ${STAGES[result.stage]} at ${where}: ${result.missing} is not available in embedded PostgreSQL`;
  const code = result.code ? ` (SQLSTATE ${result.code})` : '';
  const populated = result.populated?.length ? ` (fails on a populated table: ${result.populated.join(', ')} held a synthetic row)` : '';
  return `dry run: FAILED ${STAGES[result.stage]} at ${where}: ${result.error}${code}${populated}`;
}
