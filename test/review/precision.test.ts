import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reviewSql } from './helpers.ts';

// Classes of change a review of real drizzle projects got wrong (issue 18): each fixture holds
// the history as drizzle-kit writes it (`-- applied earlier`) and the statements under review.
async function findings(fixture: string): Promise<string[]> {
  const review = await reviewSql(readFileSync(`test/fixtures/${fixture}.sql`, 'utf8'));
  return review.statements.map((s) => {
    const rules = [...new Set(s.findings.map((f) => `${f.rule}:${f.category}`))].sort();
    return `${s.line} ${rules.join(' ') || 'clean'}`;
  });
}

describe('review precision on real-shaped migrations', () => {
  it('calls renames breaking only for what running code names: columns, tables and callable functions', async () => {
    expect(await findings('precision/renames')).toEqual([
      '1 clean', // index
      '2 clean', // foreign key constraint
      '3 clean', // trigger
      '4 clean', // a function returning trigger: no query can call it
      '5 rename:breaking', // a SQL function code calls by name
      '6 rename:breaking', // column
      '7 rename:breaking', // table
    ]);
  });

  it('calls an UPDATE that sets a column to NULL or a constant for every row holding anything else destructive', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/precision/update-erases.sql', 'utf8'));
    expect(await findings('precision/update-erases')).toEqual([
      '1 update-erases-column:destructive', // SET bio = NULL WHERE bio IS NOT NULL
      '2 update-erases-column:destructive', // SET plan = 'free' WHERE plan <> 'free'
      '3 update-erases-column:destructive', // legacy_token erased; plan set only where the token was
      '4 clean', // one value remapped to another
      '5 clean', // bounded by another column too
      '6 clean', // the new value depends on the old one
    ]);
    expect(review.statements[1]?.findings[0]?.message).toBe(
      `Sets "plan" of "users" to 'free' in every row that holds anything else: the column's data is erased.`,
    );
    expect(review.statements[2]?.findings.map((f) => f.message)).toEqual([
      `Sets "legacy_token" of "users" to NULL in every row that holds anything else: the column's data is erased.`,
    ]);
  });

  it('leaves a TRUNCATE of a temporary table the run created alone, also inside a DO block, and still flags the real table', async () => {
    expect(await findings('precision/temporary-truncate')).toEqual(['1 clean', '2 clean', '3 clean', '4 clean', '9 truncate:destructive']);
  });

  it('judges a default by the volatility PostgreSQL declares: STABLE and the history’s STABLE functions add no rewrite', async () => {
    expect(await findings('precision/stable-defaults')).toEqual([
      '1 clean', // now()
      '2 clean', // CURRENT_TIMESTAMP
      '3 clean', // timezone('utc', now())
      '4 clean', // statement_timestamp()
      '5 clean', // a function the history declared STABLE
      '6 add-column-volatile-default:locking', // gen_random_uuid()
      '7 add-column-volatile-default:locking', // random()
      '8 add-column-volatile-default:locking', // clock_timestamp()
      '9 add-column-volatile-default:locking', // the history's function, VOLATILE by default
    ]);
  });

  it('still calls DROP TYPE of a type no column uses breaking (code casts to it)', async () => {
    expect(await findings('precision/drop-unused-type')).toEqual(['1 drop-column:destructive', '2 drop-type:breaking']);
  });

  it('calls dropping a pgvector dimension lossless and a new dimension failing', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/pgvector-dimensions.sql', 'utf8'));
    expect(await findings('casts/pgvector-dimensions')).toEqual([
      '1 clean', // vector(1536) -> vector
      '2 clean', // halfvec(768) -> halfvec
      '3 alter-column-type-rewrite:locking alter-column-type:destructive', // vector(1536) -> vector(3072)
      '4 alter-column-type-rewrite:locking alter-column-type:destructive', // vector -> vector(1536)
    ]);
    expect(review.statements[2]?.findings[0]?.message).toContain('a value that does not have 3072 dimensions fails the migration');
  });
});

describe("drizzle-kit 0.31's enum value removal (text, DROP TYPE, CREATE TYPE, cast back)", () => {
  it('is one destructive change per column, on the cast back, with the rewrites as locking', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/enum-value-removal-columns.sql', 'utf8'));
    expect(await findings('casts/enum-value-removal-columns')).toEqual([
      '1 alter-column-type-rewrite:locking', // status -> text
      '2 clean',
      '3 alter-column-type-rewrite:locking', // tags (an enum array) -> text
      '4 alter-column-type-rewrite:locking', // prev -> text
      '5 clean', // DROP TYPE, created again below
      '6 clean',
      '7 clean',
      '8 alter-column-type-rewrite:locking alter-column-type:destructive',
      '9 alter-column-type-rewrite:locking alter-column-type:destructive',
      '10 alter-column-type-rewrite:locking alter-column-type:destructive',
    ]);
    const destructive = review.statements.flatMap((s) => s.findings.filter((f) => f.category === 'destructive').map((f) => f.message));
    expect(destructive).toEqual([
      `Changes "articles"."status" from text to "article_status": removes 'archived' from enum "article_status": a row holding one fails the cast.`,
      `Changes "articles"."tags" from text to "article_status"[]: removes 'archived' from enum "article_status": a row holding one fails the cast.`,
      `Changes "articles"."prev" from text to "article_status": removes 'archived' from enum "article_status": a row holding one fails the cast.`,
    ]);
  });

  it('is still one destructive change with its locking when the history does not say which labels the enum had', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/enum-value-removal-unseen-labels.sql', 'utf8'));
    expect(await findings('casts/enum-value-removal-unseen-labels')).toEqual([
      '1 alter-column-type-rewrite:locking',
      '2 clean',
      '3 clean',
      '4 clean',
      '5 clean',
      '6 alter-column-type-rewrite:locking alter-column-type:destructive',
    ]);
    expect(review.statements[5]?.findings.find((f) => f.category === 'destructive')?.message).toContain(
      "enum \"status\" was dropped and re-created with 'active', 'paused'",
    );
  });
});
