import { createHash } from 'node:crypto';
import { journalSplits } from '../history/target-plan.ts';
import { precomputedFile } from '../precomputed-file.ts';
import type { MigrationSource } from '../review/model.ts';
import type { DryRunner, DryRunResult } from './pglite-dry-run.ts';

// The bot cannot start an embedded PostgreSQL inside Slack's 3-second window (PGlite's start
// alone takes seconds). But a dry run depends only on files the bot ships: which migrations
// the target applied and which are pending. Without drift, the applied ones are a prefix of
// the journal, so there are only N+1 possible runs; they are computed when the bundle is built
// and looked up at request time. A drifted history falls outside the table and says so.

export interface DryRunSource {
  /** undefined: no result for this combination (drifted history, or no table shipped). */
  lookup(applied: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult | undefined>;
}

export function dryRunKey(applied: readonly Pick<MigrationSource, 'hash'>[], pending: readonly Pick<MigrationSource, 'hash'>[]): string {
  return createHash('sha256')
    .update(`${applied.map((m) => m.hash).join(',')}|${pending.map((m) => m.hash).join(',')}`)
    .digest('hex');
}

export interface DryRunTable {
  version: 1;
  results: Record<string, DryRunResult>;
}

/** Every journal prefix as the applied history, the rest as the pending set. */
export async function computeDryRunTable(migrations: readonly MigrationSource[], runner: DryRunner): Promise<DryRunTable> {
  const results: Record<string, DryRunResult> = {};
  for (const { applied, pending } of journalSplits(migrations)) results[dryRunKey(applied, pending)] = await runner.run(applied, pending);
  return { version: 1, results };
}

export class PrecomputedDryRuns implements DryRunSource {
  readonly #table: () => Promise<DryRunTable | undefined>;

  constructor(path: string) {
    this.#table = precomputedFile<DryRunTable>(path);
  }

  async lookup(applied: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult | undefined> {
    return (await this.#table())?.results[dryRunKey(applied, pending)];
  }
}

/** Runs each combination for real (the CLI, `npm run dev`, tests); no 3-second window there. */
export class LiveDryRuns implements DryRunSource {
  readonly #cache = new Map<string, Promise<DryRunResult>>();

  constructor(private readonly runner: DryRunner) {}

  lookup(applied: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult> {
    const key = dryRunKey(applied, pending);
    let result = this.#cache.get(key);
    if (!result) {
      result = this.runner.run(applied, pending);
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

  async lookup(applied: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult | undefined> {
    const found = await this.precomputed.lookup(applied, pending);
    if (found) return found;
    // No embedded PostgreSQL here (it failed to load or start): the review says so.
    return this.live.lookup(applied, pending).catch(() => undefined);
  }
}
