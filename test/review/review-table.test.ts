import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeReviewTable, PrecomputedReviews, reviewKey } from '../../src/history/review-table.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { BotHarness, blockText } from '../support/bot-harness.ts';
import { loadHistory } from '../support/migration-folders.ts';

function tableFile(table: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'reviews-')), 'reviews.json');
  writeFileSync(file, JSON.stringify(table));
  return file;
}

describe('precomputed reviews', () => {
  it('hold exactly the live review of every pending suffix and of the whole history', async () => {
    const migrations = await loadHistory();
    const reviews = new PrecomputedReviews(tableFile(await computeReviewTable(migrations)));
    for (const applied of [0, 3, 5, 6]) {
      const pending = migrations.slice(applied);
      expect(await reviews.lookup(pending, 'run')).toEqual(
        await reviewMigrations(pending, { newTablesScope: 'run', history: migrations.slice(0, applied) }),
      );
    }
    expect(await reviews.lookup(migrations, 'migration')).toEqual(await reviewMigrations(migrations));
    // Anything else misses: a different set, an edited file, a missing table.
    expect(await reviews.lookup(migrations.slice(1, 3), 'run')).toBeUndefined();
    expect(await reviews.lookup([{ ...migrations[5], hash: 'edited' } as (typeof migrations)[number]], 'run')).toBeUndefined();
    expect(await new PrecomputedReviews('/nonexistent/reviews.json').lookup(migrations, 'migration')).toBeUndefined();
  });

  it('are what the bot posts when they match, and a miss is reviewed live', async () => {
    const migrations = await loadHistory();
    const table = await computeReviewTable(migrations);
    // The harness's target has applied nothing: the whole history is one pending run. Mark that
    // review, so the message shows which path produced it.
    const marked = table.reviews[reviewKey(migrations, 'run')];
    const statement = marked?.statements[0];
    if (!statement) throw new Error('no whole-history run review in the table');
    statement.findings.push({
      rule: 'marker',
      category: 'locking',
      message: 'PRECOMPUTED-MARKER',
      help: '',
    } as (typeof statement.findings)[number]);
    if (marked) marked.summary.locking += 1;
    const bot = new BotHarness();
    await bot.start(undefined, { reviews: new PrecomputedReviews(tableFile(table)) });
    try {
      expect(blockText(await bot.request('migrate prod'))).toContain('PRECOMPUTED-MARKER');
    } finally {
      await bot.stop();
    }
    const live = new BotHarness();
    await live.start(undefined, { reviews: new PrecomputedReviews(tableFile({ version: 1, reviews: {} })) });
    try {
      const text = blockText(await live.request('migrate prod'));
      expect(text).not.toContain('PRECOMPUTED-MARKER');
      expect(text).toContain('*Review:* 6 migrations');
    } finally {
      await live.stop();
    }
  });
});
