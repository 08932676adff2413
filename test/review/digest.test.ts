import { describe, expect, it } from 'vitest';
import { digestReview, excerpt } from '../../src/render/review-digest.ts';
import { reviewSql } from './helpers.ts';

describe('digestReview', () => {
  it('puts destructive statements first, then the rest in migration order', async () => {
    const review = await reviewSql(
      ['CREATE INDEX "i" ON "reports" ("title");', 'ALTER TABLE "a" RENAME COLUMN "b" TO "c";', 'DROP TABLE "votes";', 'SELECT 1;'].join(
        '\n',
      ),
    );
    const digest = digestReview(review);
    expect(digest.items.map((i) => i.category)).toEqual(['destructive', 'breaking', 'locking']);
    expect(digest.statements).toBe(4);
    expect(digest.clean).toBe(false);
    expect(digest.counts).toEqual({ destructive: 1, breaking: 1, security: 0, locking: 1, transaction: 0, unreviewable: 0 });
  });

  it('is clean only when nothing at all was flagged', async () => {
    expect(digestReview(await reviewSql('SELECT 1;')).clean).toBe(true);
    expect(digestReview(await reviewSql('SELEC 1;')).clean).toBe(false);
  });

  it('cuts long SQL and says so, and caps the number of items', async () => {
    const long = `UPDATE "reports" SET "content" = '${'x'.repeat(5000)}';`;
    const review = await reviewSql(Array(30).fill(long).join('\n'));
    const digest = digestReview(review, { maxSqlChars: 300, maxItems: 10 });
    expect(digest.items).toHaveLength(10);
    expect(digest.omittedItems).toBe(20);
    expect(digest.items[0]?.sqlTruncated).toBe(true);
    expect(digest.items[0]?.sqlExcerpt.length).toBeLessThanOrEqual(300);
  });

  it('never splits a surrogate pair when cutting', () => {
    const text = `${'a'.repeat(9)}😀😀`;
    const { text: cut } = excerpt(text, 11);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.includes('\ud83d…')).toBe(false);
  });
});
