import { describe, expect, it } from 'vitest';
import { reviewMigrations } from '../../src/review/review.ts';
import { HISTORY_TAGS, loadHistory } from '../support/migration-folders.ts';

// The repository's own migration history, reviewed the way `npm start` does. Each later
// migration is judged as if the earlier ones ran in production long ago.
describe('the backend/drizzle history', async () => {
  const review = await reviewMigrations(await loadHistory());
  const flagged = review.statements
    .filter((s) => s.findings.length > 0)
    .map((s) => `${s.migration}:${s.line} ${s.findings.map((f) => f.rule).join(',')}`);

  it('is read in journal order', () => {
    expect(review.migrations.map((m) => m.tag)).toEqual(HISTORY_TAGS);
  });

  it('finds nothing to flag in 0000_init: every index and key is on a table it creates', () => {
    expect(review.migrations[0]?.statements).toBe(83);
    expect(flagged.filter((f) => f.startsWith('0000'))).toEqual([]);
  });

  it('flags exactly the risky statements', () => {
    expect(flagged).toEqual([
      '0001_anonymous_uploads:3 add-check-validated',
      '0001_anonymous_uploads:4 add-check-validated',
      '0002_shareable_uuids:1 add-column-volatile-default',
      '0002_shareable_uuids:2 add-column-volatile-default',
      '0002_shareable_uuids:3 add-column-volatile-default',
      '0002_shareable_uuids:4 add-column-volatile-default',
      '0002_shareable_uuids:5 add-unique-or-primary-key',
      '0002_shareable_uuids:6 add-unique-or-primary-key',
      '0002_shareable_uuids:7 add-unique-or-primary-key',
      '0002_shareable_uuids:8 add-unique-or-primary-key',
      '0003_media_sizes_and_cleanup:1 alter-column-type,alter-column-type-rewrite',
      // media.file_size: integer -> bigint widens, so no data is at risk; it still rewrites the table.
      '0003_media_sizes_and_cleanup:2 alter-column-type-rewrite',
      '0003_media_sizes_and_cleanup:3 drop-column',
      '0004_rename_biography:1 rename',
      '0004_rename_biography:2 rename',
    ]);
    expect(review.summary).toEqual({ destructive: 2, breaking: 2, security: 0, locking: 12, transaction: 0, unreviewable: 0 });
  });

  it('splits the hand-written data fix into its five UPDATEs though it has no breakpoint', () => {
    const fix = review.statements.filter((s) => s.migration === '0005_backfill_trimmed_names');
    expect(fix.map((s) => s.sql.split(' ').slice(0, 2).join(' '))).toEqual(
      Array(5)
        .fill('UPDATE "organizations"')
        .map((u, i) => (i < 2 ? u : i < 4 ? 'UPDATE "individuals"' : 'UPDATE "roles"')),
    );
    expect(fix.map((s) => s.line)).toEqual([3, 4, 5, 6, 7]);
  });

  it('records the sha256 drizzle stores for each file', () => {
    expect(review.migrations.every((m) => /^[0-9a-f]{64}$/.test(m.hash))).toBe(true);
  });
});
