import { migrationHash } from '../../src/history/load.ts';
import type { MigrationSource, Review } from '../../src/review/model.ts';
import { type ReviewOptions, reviewMigrations } from '../../src/review/review.ts';
import { splitExample } from '../../src/review/rule.ts';

export function source(sql: string, tag = '0000_test'): MigrationSource {
  return { tag, file: `${tag}.sql`, sql, hash: migrationHash(sql) };
}

/** Reviews SQL as one pending migration; a rule example's `-- applied earlier` part becomes the applied history. */
export function reviewSql(sql: string, options?: ReviewOptions): Promise<Review> {
  const { applied, pending } = splitExample(sql);
  return reviewMigrations([source(pending)], {
    ...options,
    history: applied === undefined ? options?.history : [source(applied, '0000_applied')],
  });
}

export function rulesFired(review: Review): string[] {
  return review.statements.flatMap((s) => s.findings.map((f) => f.rule));
}
