import { createHash } from 'node:crypto';
import { contextKey, type DryRunContext } from '../dryrun/context.ts';
import type { DryRunner, DryRunResult } from '../dryrun/pglite-dry-run.ts';
import { precomputedFile } from '../precomputed-file.ts';
import type { MigrationSource } from '../review/model.ts';
import { journalSplits } from './target-plan.ts';

// The bot cannot start an embedded PostgreSQL inside Slack's 3-second window (PGlite's start
// alone takes seconds). But a dry run depends only on files the bot ships: which migrations
// the target applied and which are pending. Without drift, the applied ones are a prefix of
// the journal, so there are only N+1 possible runs; those near the head, where targets are,
// are computed when the bundle is built and looked up at request time. A drifted history falls outside the table and says so.
// A result answers only the context it ran in (setup SQL, search_path, populated tables): the
// key holds it, so a target whose role or rows differ from the build's is dry-run live.

export interface DryRunSource {
  /** undefined: no result for this combination (drifted history, or no table shipped). */
  lookup(
    applied: readonly MigrationSource[],
    pending: readonly MigrationSource[],
    context?: DryRunContext,
  ): Promise<DryRunResult | undefined>;
}

export function dryRunKey(
  applied: readonly Pick<MigrationSource, 'hash'>[],
  pending: readonly Pick<MigrationSource, 'hash'>[],
  context?: DryRunContext,
): string {
  const key = contextKey(context);
  return createHash('sha256')
    .update(`${applied.map((m) => m.hash).join(',')}|${pending.map((m) => m.hash).join(',')}${key ? `|${key}` : ''}`)
    .digest('hex');
}

export interface DryRunTable {
  version: 2;
  results: Record<string, DryRunResult>;
}

/**
 * How many splits the build dry-runs: the last ones, where the applied history is the journal
 * less its newest PRECOMPUTED_SPLITS - 1 entries. Each split replays its whole prefix, so all
 * of them cost O(n^2) statements (151 s for 186 migrations, issue 18); the last few cost
 * O(n) each. A target an approver migrates is deployed regularly, so it is a few migrations
 * behind the head: 8 covers a target up to seven migrations behind. Anything older (or any
 * other context, or a drifted history) is dry-run live by PrecomputedThenLive below, in the
 * asynchronous invocation that fills the request form (src/bot/jobs/request-form.ts), outside
 * Slack's 3-second window.
 */
export const PRECOMPUTED_SPLITS = 8;

/** The last `splits` journal prefixes as the applied history, the rest as the pending set, in each context. */
export async function computeDryRunTable(
  migrations: readonly MigrationSource[],
  runner: DryRunner,
  options: { splits?: number; contexts?: readonly DryRunContext[] } = {},
): Promise<DryRunTable> {
  const results: Record<string, DryRunResult> = {};
  const splits = journalSplits(migrations).slice(-(options.splits ?? PRECOMPUTED_SPLITS));
  for (const context of options.contexts?.length ? options.contexts : [{}])
    for (const { applied, pending } of splits) results[dryRunKey(applied, pending, context)] = await runner.run(applied, pending, context);
  return { version: 2, results };
}

export class PrecomputedDryRuns implements DryRunSource {
  readonly #table: () => Promise<DryRunTable | undefined>;

  constructor(path: string) {
    this.#table = precomputedFile<DryRunTable>(path);
  }

  async lookup(
    applied: readonly MigrationSource[],
    pending: readonly MigrationSource[],
    context?: DryRunContext,
  ): Promise<DryRunResult | undefined> {
    const table = await this.#table();
    // A table from an older build holds results in another shape: none of them answers.
    return table?.version === 2 ? table.results[dryRunKey(applied, pending, context)] : undefined;
  }
}

/** Runs each combination for real (the CLI, `npm run dev`, tests); no 3-second window there. */
export class LiveDryRuns implements DryRunSource {
  readonly #cache = new Map<string, Promise<DryRunResult>>();

  constructor(private readonly runner: DryRunner) {}

  lookup(applied: readonly MigrationSource[], pending: readonly MigrationSource[], context?: DryRunContext): Promise<DryRunResult> {
    const key = dryRunKey(applied, pending, context);
    let result = this.#cache.get(key);
    if (!result) {
      result = this.runner.run(applied, pending, context);
      this.#cache.set(key, result);
    }
    return result;
  }
}

/**
 * The bot's source: the precomputed table first (instant), else a live run. The live run
 * happens in the asynchronous invocation, outside Slack's window, so a drifted history or a set
 * the table does not hold still gets a dry run.
 */
export class PrecomputedThenLive implements DryRunSource {
  constructor(
    private readonly precomputed: DryRunSource,
    private readonly live: DryRunSource,
  ) {}

  async lookup(
    applied: readonly MigrationSource[],
    pending: readonly MigrationSource[],
    context?: DryRunContext,
  ): Promise<DryRunResult | undefined> {
    const found = await this.precomputed.lookup(applied, pending, context);
    if (found) return found;
    // No embedded PostgreSQL here (it failed to load or start): the review says so.
    return this.live.lookup(applied, pending, context).catch(() => undefined);
  }
}
