import { precomputedFile } from '../precomputed-file.ts';
import type { MigrationSource, Review } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';
import { journalSplits } from './target-plan.ts';

// Reviews computed when the Lambda bundle is built, so a cold start answers Slack without
// loading PostgreSQL's parser at all. Like the dry runs, the reviews the bot can need are few:
// each journal suffix as one pending run, and the whole history migration by migration (the
// "pending set unknown" view). Keys carry every file's hash, so a table built from other files
// simply misses, and the bot reviews live.

export type ReviewScope = 'run' | 'migration';

export function reviewKey(migrations: readonly Pick<MigrationSource, 'hash'>[], scope: ReviewScope): string {
  return `${scope}:${migrations.map((m) => m.hash).join(',')}`;
}

export interface ReviewTable {
  version: 1;
  reviews: Record<string, Review>;
}

export async function computeReviewTable(migrations: readonly MigrationSource[]): Promise<ReviewTable> {
  const reviews: Record<string, Review> = {};
  for (const { applied, pending } of journalSplits(migrations)) {
    // The applied prefix tells the review each column's type before the pending set changes it.
    reviews[reviewKey(pending, 'run')] = await reviewMigrations(pending, { newTablesScope: 'run', history: applied });
  }
  reviews[reviewKey(migrations, 'migration')] = await reviewMigrations(migrations, { newTablesScope: 'migration' });
  return { version: 1, reviews };
}

export interface ReviewSource {
  lookup(migrations: readonly MigrationSource[], scope: ReviewScope): Promise<Review | undefined>;
}

export class PrecomputedReviews implements ReviewSource {
  readonly #table: () => Promise<ReviewTable | undefined>;

  constructor(path: string) {
    this.#table = precomputedFile<ReviewTable>(path);
  }

  async lookup(migrations: readonly MigrationSource[], scope: ReviewScope): Promise<Review | undefined> {
    return (await this.#table())?.reviews[reviewKey(migrations, scope)];
  }
}
