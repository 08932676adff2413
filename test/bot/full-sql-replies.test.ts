import { describe, expect, it } from 'vitest';
import type { ReviewedSet } from '../../src/bot/migration-catalog.ts';
import { fullSqlReplies } from '../../src/bot/views/review-message.ts';
import { digestReview } from '../../src/review/digest.ts';
import { migrationHash } from '../../src/review/load.ts';
import { reviewMigrations } from '../../src/review/review.ts';

async function setOf(sql: string): Promise<ReviewedSet> {
  const migrations = [{ tag: '0006_big', file: 'backend/drizzle/0006_big.sql', sql, hash: migrationHash(sql) }];
  const review = await reviewMigrations(migrations);
  return {
    migrations,
    review,
    digest: digestReview(review, { maxItems: 12 }),
    setHash: 'x',
    pendingKnown: true,
    appliedCount: 6,
    drift: [],
  };
}

describe('full SQL in the thread', () => {
  it('cuts a statement longer than a reply into closed code blocks, losing nothing', async () => {
    const values = Array.from({ length: 400 }, (_, i) => `  "col_${i}" = 'a & b < c > d ${i}'`).join(',\n');
    const sql = `UPDATE "organizations" SET\n${values};`;
    const replies = fullSqlReplies(await setOf(sql));
    expect(replies.length).toBeGreaterThan(3);
    for (const reply of replies) {
      expect(reply.length).toBeLessThanOrEqual(3500);
      expect(reply.split('```').length % 2).toBe(1); // fences come in pairs
    }
    const text = replies.join('\n');
    expect(text).toContain('part 1/');
    for (const i of [0, 199, 399]) expect(text).toContain(`"col_${i}" = 'a &amp; b &lt; c &gt; d ${i}'`);
  });

  it('cuts one enormous line too', async () => {
    const sql = `DROP TABLE ${Array.from({ length: 3000 }, (_, i) => `"t${i}"`).join(', ')};`;
    const replies = fullSqlReplies(await setOf(sql));
    for (const reply of replies) {
      expect(reply.length).toBeLessThanOrEqual(3500);
      expect(reply.split('```').length % 2).toBe(1);
    }
    expect(replies.length).toBeGreaterThan(5);
    expect(replies.join('')).toContain('"t2999"');
  });
});
