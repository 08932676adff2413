import type { EnvironmentConfig } from '../config.ts';
import type { TargetHistoryReader } from '../db/target-history.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import type { DryRunContext } from '../dryrun/context.ts';
import type { DryRunResult } from '../dryrun/pglite-dry-run.ts';
import { readDryRunSetup } from '../dryrun/setup-file.ts';
import type { DryRunSource } from '../history/dry-run-table.ts';
import { type JournalFolderResult, loadJournalFolder } from '../history/load.ts';
import { migrationSetHash } from '../history/migration-set.ts';
import { type ReviewScope, type ReviewSource, reviewKey } from '../history/review-table.ts';
import type { AppliedRow, Drift } from '../history/target-plan.ts';
import { type AppliedHistory, reviewTarget } from '../history/target-review.ts';
import { digestReview, type ReviewDigest } from '../render/review-digest.ts';
import type { RequestKind } from '../requests/record.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';

export interface ReviewedSet {
  /** What will run on the target: its pending set, or the whole history when that is unknown. */
  migrations: MigrationSource[];
  review: Review;
  digest: ReviewDigest;
  /**
   * sha256 of the shipped migration files (src/history/migration-set.ts). Never shown as what
   * was approved (that is the plan sha256): the form compares it on submit, so a bot redeployed
   * with other migrations while the form was open refuses the stale form.
   */
  migrationSetSha256: string;
  /** Whether `migrations` is exactly what the target database has not applied. */
  pendingKnown: boolean;
  unknownReason?: string;
  /** How many migrations the target has applied (when known). */
  appliedCount: number;
  /** The target's __drizzle_migrations rows as read (undefined when it could not be read): the plan pins them. */
  appliedRows?: AppliedRow[];
  drift: Drift[];
  /** undefined: no dry run available for this combination (say so, never imply it passed). */
  dryRun?: DryRunResult;
}

export type ReviewedSetResult = { ok: true; set: ReviewedSet } | { ok: false; reason: string };

export interface CatalogOptions {
  history?: TargetHistoryReader;
  dryRuns?: DryRunSource;
  /** Reviews computed at build time; anything they miss is reviewed live. */
  reviews?: ReviewSource;
}

/** The migrations shipped with the bot, loaded once per process, reviewed against each target. */
export class MigrationCatalog {
  #shipped?: Promise<JournalFolderResult>;
  readonly #reviews = new Map<string, Promise<Review>>();
  readonly #setups = new Map<string, Promise<DryRunContext | undefined>>();

  constructor(
    readonly folder: string,
    private readonly options: CatalogOptions = {},
  ) {}

  /**
   * The set as it stands against `env`'s database. A seed runs no migrations, so for a seed
   * the target is not read at all: its request pins the shipped set only.
   */
  async reviewedFor(env: EnvironmentConfig, kind: RequestKind): Promise<ReviewedSetResult> {
    const loaded = await this.#load();
    if (!loaded.ok) return loaded;
    const history: AppliedHistory =
      kind === 'seed'
        ? { ok: false, reason: 'not read for a seed' }
        : this.options.history
          ? await withDeadline(this.options.history.read(env), BUDGET.targetRead, 'The target database').catch((error: unknown) => ({
              ok: false as const,
              reason: (error as Error).message,
            }))
          : { ok: false, reason: 'the bot has no access to the target database configured' };
    // The same review of a target as the CLI's, with the bot's sources: precomputed reviews and
    // dry runs first (a cold start needs no parser), live ones otherwise.
    const setup = await this.#setup(env);
    const target = await reviewTarget({
      migrations: loaded.migrations,
      missing: loaded.missing,
      history,
      // A setup file that cannot be read would make the dry run judge the wrong database: none then.
      dryRuns: setup ? this.options.dryRuns : undefined,
      dryRunContext: setup,
      reviewer: (pending, scope, applied) => this.#review(pending, scope, applied),
      sizeThresholds: env.tableSizes,
    });
    return {
      ok: true,
      set: {
        migrations: target.plan.pending,
        review: target.review,
        digest: digestReview(target.review, { maxItems: 12 }),
        migrationSetSha256: migrationSetHash(loaded.migrations),
        pendingKnown: target.pendingKnown,
        unknownReason: target.unknownReason,
        appliedCount: target.plan.applied.length,
        appliedRows: history.ok ? history.rows : undefined,
        drift: target.plan.drift,
        dryRun: target.dryRun,
      },
    };
  }

  /** The environment's `dryRun.setup` SQL, read once per process; undefined when it cannot be read. */
  #setup(env: EnvironmentConfig): Promise<DryRunContext | undefined> {
    const file = env.dryRun?.setup;
    if (!file) return Promise.resolve({});
    let setup = this.#setups.get(file);
    if (!setup) {
      setup = readDryRunSetup(file).then((read) => (read.ok ? { setup: read.setup } : undefined));
      this.#setups.set(file, setup);
    }
    return setup;
  }

  #load(): Promise<JournalFolderResult> {
    this.#shipped ??= loadJournalFolder(this.folder);
    return this.#shipped;
  }

  /** `applied` tells the review each column's type before the pending set changes it. */
  #review(migrations: MigrationSource[], scope: ReviewScope, applied: MigrationSource[] = []): Promise<Review> {
    const key = `${reviewKey(applied, 'run')}|${reviewKey(migrations, scope)}`;
    let review = this.#reviews.get(key);
    if (!review) {
      const precomputed = this.options.reviews?.lookup(migrations, scope) ?? Promise.resolve(undefined);
      review = precomputed.then((found) => found ?? reviewMigrations(migrations, { newTablesScope: scope, history: applied }));
      this.#reviews.set(key, review);
    }
    return review;
  }
}
