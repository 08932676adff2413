import { beforeAll, describe, expect, it } from 'vitest';
import { digestReview } from '../../src/render/review-digest.ts';
import { formatReviewText } from '../../src/render/review-text.ts';
import { ownStepOf } from '../../src/review/own-step.ts';
import { loadSqlParser } from '../../src/review/parse.ts';
import { splitMigration } from '../../src/review/split.ts';
import { reviewSql } from './helpers.ts';

beforeAll(() => loadSqlParser());

/** Whether each statement of the text runs alone, its later statements being the rest of the text. */
function reasons(text: string): (string | undefined)[] {
  const statements = splitMigration(text);
  return statements.map((s, i) => ownStepOf(s, () => statements.slice(i + 1))?.reason);
}

const IN_BLOCK = 'cannot run inside a transaction block';

describe('ownStepOf', () => {
  it('takes out the statements Postgres refuses in a transaction block', () => {
    expect(
      reasons(`CREATE INDEX CONCURRENTLY "a_idx" ON "a" ("x");
DROP INDEX CONCURRENTLY "b_idx";
REINDEX TABLE CONCURRENTLY "a";
VACUUM "a";
ALTER TABLE "events" DETACH PARTITION "events_2024" CONCURRENTLY;`),
    ).toEqual([
      `CREATE INDEX CONCURRENTLY ${IN_BLOCK}`,
      `DROP INDEX CONCURRENTLY ${IN_BLOCK}`,
      `REINDEX CONCURRENTLY ${IN_BLOCK}`,
      `VACUUM ${IN_BLOCK}`,
      `DETACH PARTITION CONCURRENTLY ${IN_BLOCK}`,
    ]);
  });

  it('leaves in the transaction what runs there: plain index builds, ANALYZE, REFRESH CONCURRENTLY, a detach', () => {
    expect(
      reasons(`CREATE INDEX "a_idx" ON "a" ("x");
DROP INDEX "b_idx";
REINDEX TABLE "a";
ANALYZE "a";
REFRESH MATERIALIZED VIEW CONCURRENTLY "board";
ALTER TABLE "events" DETACH PARTITION "events_2024";
ALTER TABLE oops oops;`),
    ).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('names the index a concurrent build makes, with the schema only when written', () => {
    const [plain, qualified, unnamed] = splitMigration(
      'CREATE UNIQUE INDEX CONCURRENTLY "u_key" ON "users" ("email"); CREATE INDEX CONCURRENTLY i ON app.t (x); CREATE INDEX CONCURRENTLY ON t (x);',
    );
    expect(plain && ownStepOf(plain, () => [])?.index).toEqual({ table: 'users', name: 'u_key' });
    expect(qualified && ownStepOf(qualified, () => [])?.index).toEqual({ schema: 'app', table: 't', name: 'i' });
    expect(unnamed && ownStepOf(unnamed, () => [])).toEqual({ reason: `CREATE INDEX CONCURRENTLY ${IN_BLOCK}` });
  });

  it('runs ADD VALUE alone only when a later statement uses the value or cannot be read', () => {
    expect(reasons(`ALTER TYPE "mood" ADD VALUE 'calm'; UPDATE "people" SET "mood" = 'calm';`)[0]).toBe(
      `a later statement uses the value 'calm' it adds to "mood", which is unsafe before a commit`,
    );
    expect(reasons(`ALTER TYPE "mood" ADD VALUE 'calm'; DO $$ BEGIN EXECUTE 'select 1'; END $$;`)[0]).toMatch(/cannot be read/);
    expect(reasons(`ALTER TYPE "mood" ADD VALUE 'calm'; UPDATE "people" SET "mood" = 'sad';`)[0]).toBeUndefined();
    expect(reasons(`ALTER TYPE "mood" ADD VALUE 'calm'; ALTER TYPE "mood" ADD VALUE 'zen' AFTER 'calm';`)[0]).toBeUndefined();
    expect(reasons(`ALTER TYPE "mood" RENAME VALUE 'calm' TO 'zen'; UPDATE "people" SET "mood" = 'zen';`)[0]).toBeUndefined();
  });
});

describe('the review of own steps', () => {
  it('marks the statement that runs alone and says the migration mixes both kinds', async () => {
    const review = await reviewSql(
      'ALTER TABLE "users" ADD COLUMN "name" text;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY "users_name_idx" ON "users" ("name");',
    );
    expect(review.statements.map((s) => s.ownStep)).toEqual([undefined, `CREATE INDEX CONCURRENTLY ${IN_BLOCK}`]);
    expect(review.migrations[0]?.mixesSteps).toBe(true);
    const text = formatReviewText(review);
    expect(text).toContain('mixes transactional and own-step statements');
    expect(text).toMatch(/:2 {2}\[own step\]\n {4}CREATE INDEX CONCURRENTLY[^\n]*\n {17}runs as its own step, between commits/);
    expect(digestReview(review).items[0]?.findings[0]?.details).toContain(
      `runs as its own step, between commits of the migration transaction: CREATE INDEX CONCURRENTLY ${IN_BLOCK}`,
    );
  });

  it('says nothing of steps for a migration that runs whole in the transaction, or only as own steps', async () => {
    const plain = await reviewSql('ALTER TABLE "users" ADD COLUMN "name" text;');
    const alone = await reviewSql('CREATE INDEX CONCURRENTLY "users_name_idx" ON "users" ("name");');
    expect(plain.migrations[0]?.mixesSteps).toBeUndefined();
    expect(alone.migrations[0]?.mixesSteps).toBeUndefined();
    expect(formatReviewText(plain)).not.toMatch(/own step/);
    expect(formatReviewText(alone)).not.toContain('mixes transactional');
  });
});
