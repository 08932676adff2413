import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reviewMigrations } from '../../src/review/review.ts';
import { loadFolder } from '../support/migration-folders.ts';
import { reviewSql } from './helpers.ts';

// Each fixture holds the table as the history left it (`-- applied earlier`) and the type
// changes under review (`-- pending`): one class of cast per file.
async function verdicts(fixture: string): Promise<string[]> {
  const review = await reviewSql(readFileSync(`test/fixtures/casts/${fixture}.sql`, 'utf8'));
  return review.statements.map((s) => {
    const column = /ALTER COLUMN "(\w+)"/.exec(s.sql)?.[1] ?? s.sql.slice(0, 30);
    const categories = [...new Set(s.findings.map((f) => f.category))].sort();
    return `${column}: ${categories.join(',') || 'clean'}`;
  });
}

describe('type changes on an existing table, judged from the type the history gave the column', () => {
  it('leaves binary-coercible changes alone: varchar widening, varchar to text, numeric widening, same type, collation', async () => {
    expect(await verdicts('clean')).toEqual([
      'name: clean',
      'email: clean',
      'bio: clean',
      'note: clean',
      'amount: clean',
      'ratio: clean',
      'handle: clean',
    ]);
  });

  it('calls value-preserving casts that rewrite the table locking, not destructive', async () => {
    expect(await verdicts('rewrite')).toEqual([
      'visits: locking',
      'tiny: locking',
      'balance: locking',
      'code: locking',
      'plan: locking',
      'settings: locking',
      'public_id: locking',
      'seen_at: locking',
      'born: locking',
      'weight: locking',
    ]);
  });

  it('calls casts that round, cut or normalise values destructive', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/lossy.sql', 'utf8'));
    expect(await verdicts('lossy')).toEqual([
      'score: destructive,locking',
      'amount: destructive,locking',
      'total: destructive,locking',
      'seen_at: destructive,locking',
      'payload: destructive,locking',
      'nickname: destructive,locking',
    ]);
    const messages = review.statements.map((s) => s.findings.find((f) => f.category === 'destructive')?.message);
    expect(messages[1]).toContain('rounded from 4 to 2 decimal places');
    expect(messages[5]).toContain('explicit cast cuts values longer than 20');
  });

  it('calls casts that can abort the migration destructive, and judges a USING expression rather than trusting it', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/failing.sql', 'utf8'));
    expect(await verdicts('failing')).toEqual([
      'visits: destructive,locking',
      'title: destructive,locking',
      'body: destructive,locking',
      'public_id: destructive,locking',
      'ratio: destructive,locking',
      'flag: destructive,locking',
      'kind: destructive,locking',
    ]);
    const last = review.statements[6]?.findings.find((f) => f.category === 'destructive');
    expect(last?.message).toContain('USING expression');
  });

  it('reports drizzle-kit’s enum value removal as one destructive change naming the removed values', async () => {
    const review = await reviewSql(readFileSync('test/fixtures/casts/enum-value-removal.sql', 'utf8'));
    const destructive = review.statements.flatMap((s) => s.findings.filter((f) => f.category === 'destructive'));
    expect(destructive).toHaveLength(1);
    expect(destructive[0]?.message).toContain("removes 'archived', 'hidden' from enum \"article_status\"");
    expect(review.statements.flatMap((s) => s.findings.map((f) => f.rule))).not.toContain('drop-type');
  });
});

describe('a history drizzle-kit generated that widens, narrows and re-types columns', async () => {
  const { migrations } = await loadFolder('test/fixtures/drizzle-type-changes');
  const review = await reviewMigrations(migrations);
  const categories = review.statements
    .filter((s) => s.migration !== '0000_init')
    .map((s) => `${s.migration}:${s.line} ${[...new Set(s.findings.map((f) => f.category))].sort().join(',') || 'clean'}`);

  it('flags exactly the changes that can lose data or fail, and the rewrites', () => {
    expect(categories).toEqual([
      '0001_widen:1 locking', // integer -> bigint
      '0001_widen:2 clean', // varchar(100) -> varchar(200)
      '0001_widen:3 clean', // varchar(50) -> text
      '0001_widen:4 clean', // numeric(10, 2) -> numeric(12, 2)
      '0001_widen:5 locking', // jsonb -> json
      '0001_widen:6 locking', // uuid -> varchar(36)
      '0002_narrow:1 destructive,locking', // bigint -> integer
      '0002_narrow:2 destructive,locking', // varchar(200) -> varchar(80)
      '0002_narrow:3 destructive,locking', // real -> integer
      '0002_narrow:4 destructive,locking', // numeric(12, 2) -> numeric(12, 1)
      '0002_narrow:5 destructive,locking', // timestamp -> date
      '0002_narrow:6 clean', // SET DEFAULT now()
      '0003_retype:1 locking', // enum -> text
      '0003_retype:2 clean',
      '0003_retype:3 clean', // DROP TYPE, re-created below
      '0003_retype:4 clean',
      '0003_retype:5 clean',
      '0003_retype:6 destructive,locking', // text -> enum without 'archived'
      '0003_retype:7 destructive,locking', // text -> jsonb
      '0003_retype:8 destructive,locking', // varchar(36) -> uuid
    ]);
    expect(review.statements.find((s) => s.migration === '0003_retype' && s.line === 6)?.findings[0]?.message).toContain(
      "removes 'archived'",
    );
  });
});
