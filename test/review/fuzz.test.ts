import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reviewSql } from './helpers.ts';

// A migration file can be anything a person or a broken tool left on disk. Whatever it is,
// the review must finish, and every statement it could not parse must say so.
const history = ['0000_init', '0002_shareable_uuids', '0003_media_sizes_and_cleanup', '0005_backfill_trimmed_names'].map((tag) =>
  readFileSync(`backend/drizzle/${tag}.sql`, 'utf8'),
);

const UNREVIEWABLE_REASONS = new Set(['unparsable-sql', 'dynamic-sql', 'misplaced-statement-breakpoint']);

async function reviewsWithoutThrowing(sql: string): Promise<void> {
  const review = await reviewSql(sql);
  for (const statement of review.statements) {
    const parsedFine = statement.findings.every((f) => f.category !== 'unreviewable');
    if (!parsedFine) expect(statement.findings.some((f) => UNREVIEWABLE_REASONS.has(f.rule))).toBe(true);
  }
  const total = Object.values(review.summary).reduce((a, b) => a + b, 0);
  expect(total).toBe(review.statements.reduce((n, s) => n + s.findings.length, 0));
}

describe('hostile input', () => {
  it('random text never throws', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 400, unit: 'binary' }), reviewsWithoutThrowing), { numRuns: 300 });
  });

  it('random SQL-ish token soup never throws', async () => {
    const token = fc.constantFrom(
      'ALTER',
      'TABLE',
      'DROP',
      '"t"',
      ';',
      "'",
      '$$',
      '--> statement-breakpoint',
      '(',
      ')',
      'DO',
      '/*',
      '*/',
      '\n',
      'COLUMN',
      'x',
      '--',
      "E'\\'",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { maxLength: 60 }).map((t) => t.join(' ')),
        reviewsWithoutThrowing,
      ),
      { numRuns: 300 },
    );
  });

  it('any truncation of a real migration never throws, and a cut statement is unreviewable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...history), fc.double({ min: 0, max: 1, noNaN: true }), async (file, at) => {
        const cut = file.slice(0, Math.floor(file.length * at));
        await reviewsWithoutThrowing(cut);
      }),
      { numRuns: 200 },
    );
    const review = await reviewSql('ALTER TABLE "users" DROP COLUMN "legacy_profile_url";\nALTER TABLE "media" ALTER COLUMN "file_si');
    expect(review.statements.at(-1)?.findings.map((f) => f.category)).toEqual(['unreviewable']);
  });

  // PostgreSQL's scanner rescans a run of operator characters at every `/*` (or trailing `+`)
  // in it, so 400 KB of `/*/*/*…*/*/*/` took 21 s to parse; its nested comments must not
  // make our own text scanning quadratic either. Generous bounds: figures go to bench/adversarial-sql.ts.
  const KB400 = 400 * 1024;
  it('reviews 400 KB of nested block comments quickly, and shows the statement after them', async () => {
    const depth = KB400 / 6;
    const started = performance.now();
    const review = await reviewSql(`${'/* '.repeat(depth)}${' */'.repeat(depth)}\nDROP TABLE "users";`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(review.statements.map((s) => s.sql)).toEqual(['DROP TABLE "users"']);
    expect(review.summary.destructive).toBe(1);
  });

  it('reads 400 KB of `/*/*/*…*/*/*/` without the parser, as the comment it is', async () => {
    const started = performance.now();
    const review = await reviewSql(`${'/*'.repeat(KB400 / 4)}${'*/'.repeat(KB400 / 4)};\nDROP TABLE "users";`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(review.statements.map((s) => s.sql)).toEqual(['DROP TABLE "users"']);
    expect(review.summary.destructive).toBe(1);
  });

  it('refuses to parse 400 KB of an operator run the scanner reads in quadratic time, quickly and as unreviewable', async () => {
    const started = performance.now();
    const review = await reviewSql(`SELECT 1 ${'+'.repeat(KB400)} 1;\nDROP TABLE "users";`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(review.statements[0]?.findings.map((f) => f.rule)).toEqual(['unparsable-sql']);
    expect(review.statements[0]?.findings[0]?.message).toMatch(/longest is 409600 characters.*quadratic time/);
    expect(review.statements).toHaveLength(2);
    expect(review.statements[1]?.sql).toBe('DROP TABLE "users"');
    expect(review.summary.destructive).toBe(1);
  });

  it('binary garbage is unreviewable, not empty', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));
    const review = await reviewSql(bytes.toString('latin1'));
    expect(review.summary.unreviewable).toBeGreaterThan(0);
  });
});
