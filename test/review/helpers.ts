import { migrationHash } from '../../src/review/load.ts';
import type { MigrationSource, Review } from '../../src/review/model.ts';
import { type ReviewOptions, reviewMigrations } from '../../src/review/review.ts';

export function source(sql: string, tag = '0000_test'): MigrationSource {
  return { tag, file: `${tag}.sql`, sql, hash: migrationHash(sql) };
}

export function reviewSql(sql: string, options?: ReviewOptions): Promise<Review> {
  return reviewMigrations([source(sql)], options);
}

export function rulesFired(review: Review): string[] {
  return review.statements.flatMap((s) => s.findings.map((f) => f.rule));
}
