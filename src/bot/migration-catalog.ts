import { digestReview, type ReviewDigest } from '../review/digest.ts';
import { loadMigrations } from '../review/load.ts';
import { migrationSetHash } from '../review/migration-set.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';

export interface ReviewedSet {
  migrations: MigrationSource[];
  review: Review;
  digest: ReviewDigest;
  setHash: string;
  /**
   * Whether the set is exactly what the target database has not applied. Until the bot can
   * read the target's drizzle.__drizzle_migrations, it is the whole shipped history.
   */
  pendingKnown: boolean;
}

export type ReviewedSetResult = { ok: true; set: ReviewedSet } | { ok: false; reason: string };

/** The migrations shipped with the bot, loaded and reviewed once per process. */
export class MigrationCatalog {
  #reviewed?: Promise<ReviewedSetResult>;

  constructor(readonly folder: string) {}

  reviewed(): Promise<ReviewedSetResult> {
    this.#reviewed ??= this.#load();
    return this.#reviewed;
  }

  async #load(): Promise<ReviewedSetResult> {
    const loaded = await loadMigrations([this.folder]);
    if (!loaded.ok) return { ok: false, reason: loaded.reason };
    const review = await reviewMigrations(loaded.migrations);
    return {
      ok: true,
      set: {
        migrations: loaded.migrations,
        review,
        digest: digestReview(review, { maxItems: 12 }),
        setHash: migrationSetHash(loaded.migrations),
        pendingKnown: false,
      },
    };
  }
}
