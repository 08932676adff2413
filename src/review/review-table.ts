import { readFile } from 'node:fs/promises';
import type { MigrationSource, Review } from './model.ts';
import { reviewMigrations } from './review.ts';

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
  for (let applied = 0; applied <= migrations.length; applied++) {
    const pending = migrations.slice(applied);
    reviews[reviewKey(pending, 'run')] = await reviewMigrations(pending, { newTablesScope: 'run' });
  }
  reviews[reviewKey(migrations, 'migration')] = await reviewMigrations(migrations, { newTablesScope: 'migration' });
  return { version: 1, reviews };
}

export interface ReviewSource {
  lookup(migrations: readonly MigrationSource[], scope: ReviewScope): Promise<Review | undefined>;
}

export class PrecomputedReviews implements ReviewSource {
  #table?: Promise<ReviewTable | undefined>;

  constructor(private readonly path: string) {}

  async lookup(migrations: readonly MigrationSource[], scope: ReviewScope): Promise<Review | undefined> {
    this.#table ??= readFile(this.path, 'utf8')
      .then((text) => JSON.parse(text) as ReviewTable)
      .catch(() => undefined);
    return (await this.#table)?.reviews[reviewKey(migrations, scope)];
  }
}
