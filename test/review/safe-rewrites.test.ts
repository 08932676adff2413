import { describe, expect, it } from 'vitest';
import { digestReview, safeRewriteTexts } from '../../src/render/review-digest.ts';
import { formatReviewText } from '../../src/render/review-text.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { reviewSql, source } from './helpers.ts';

const stepsOf = async (sql: string, rule: string) =>
  (await reviewSql(sql)).statements
    .flatMap((s) => s.findings)
    .find((f) => f.rule === rule)
    ?.steps?.map((s) => [s.outsideTransaction, s.sql]);

describe("each rule's fix, written out for the statement at hand", () => {
  it('builds the index CONCURRENTLY, outside drizzle’s transaction', async () => {
    expect(await stepsOf('CREATE UNIQUE INDEX "votes_x" ON "votes" ("report_id", "user_id");', 'create-index-non-concurrently')).toEqual([
      [true, 'CREATE UNIQUE INDEX CONCURRENTLY "votes_x" ON "votes" ("report_id", "user_id");'],
    ]);
  });

  it('makes a column NOT NULL through a NOT VALID check validated in a later deploy', async () => {
    expect(await stepsOf('ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" SET NOT NULL;', 'set-not-null')).toEqual([
      [
        false,
        'ALTER TABLE "media" ADD CONSTRAINT "media_uploaded_by_user_id_not_null" CHECK ("uploaded_by_user_id" IS NOT NULL) NOT VALID;',
      ],
      [true, 'ALTER TABLE "media" VALIDATE CONSTRAINT "media_uploaded_by_user_id_not_null";'],
      [
        false,
        'ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" SET NOT NULL;\nALTER TABLE "media" DROP CONSTRAINT "media_uploaded_by_user_id_not_null";',
      ],
    ]);
  });

  it('adds a foreign key NOT VALID and validates it later', async () => {
    const sql =
      'ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade;';
    expect(await stepsOf(sql, 'add-foreign-key-validated')).toEqual([
      [false, `${sql.slice(0, -1)} NOT VALID;`],
      [true, 'ALTER TABLE "votes" VALIDATE CONSTRAINT "votes_user_id_users_id_fk";'],
    ]);
  });

  it('builds a unique constraint’s index concurrently, then attaches it', async () => {
    expect(
      await stepsOf('ALTER TABLE "reports" ADD CONSTRAINT "reports_share_id_unique" UNIQUE("share_id");', 'add-unique-or-primary-key'),
    ).toEqual([
      [true, 'CREATE UNIQUE INDEX CONCURRENTLY "reports_share_id_unique" ON "reports" ("share_id");'],
      [false, 'ALTER TABLE "reports" ADD CONSTRAINT "reports_share_id_unique" UNIQUE USING INDEX "reports_share_id_unique";'],
    ]);
  });

  it('adds a volatile-default column empty, sets the default, and backfills in batches outside the transaction', async () => {
    const steps = await stepsOf(
      'ALTER TABLE "reports" ADD COLUMN "share_id" uuid DEFAULT gen_random_uuid() NOT NULL;',
      'add-column-volatile-default',
    );
    expect(steps?.map(([outside]) => outside)).toEqual([false, false, true]);
    expect(steps?.[0]?.[1]).toBe('ALTER TABLE "reports" ADD COLUMN "share_id" uuid;');
    expect(steps?.[1]?.[1]).toBe('ALTER TABLE "reports" ALTER COLUMN "share_id" SET DEFAULT gen_random_uuid();');
    expect(steps?.[2]?.[1]).toContain('UPDATE "reports" SET "share_id" = gen_random_uuid() WHERE ctid IN');
  });

  it('changes a type through a new column, backfilled outside the transaction', async () => {
    const steps = await stepsOf(
      '-- applied earlier\nCREATE TABLE "media" ("file_size" bigint);\n-- pending\nALTER TABLE "media" ALTER COLUMN "file_size" SET DATA TYPE integer;',
      'alter-column-type',
    );
    expect(steps?.map(([outside]) => outside)).toEqual([false, true, false]);
    expect(steps?.[0]?.[1]).toBe('ALTER TABLE "media" ADD COLUMN "file_size_new" integer;');
    expect(steps?.[1]?.[1]).toMatch(/^UPDATE "media" SET "file_size_new" = "file_size"::integer WHERE ctid IN/);
    expect(steps?.[2]?.[1]).toBe(
      'ALTER TABLE "media" DROP COLUMN "file_size";\nALTER TABLE "media" RENAME COLUMN "file_size_new" TO "file_size";',
    );
  });

  it('is shown in the terminal and written out for the Slack thread', async () => {
    const review = await reviewSql('CREATE INDEX "reports_title_idx" ON "reports" USING btree ("title");');
    expect(formatReviewText(review)).toContain('1. (outside drizzle’s transaction: run by hand (psql)');
    expect(safeRewriteTexts(review)).toEqual([
      expect.stringContaining('CREATE INDEX CONCURRENTLY "reports_title_idx" ON "reports" USING btree ("title");'),
    ]);
    expect(digestReview(review).items[0]?.findings[0]?.details).toEqual(['lock: SHARE on "reports" (blocks writes)']);
  });
});

describe('ALTER TYPE ... ADD VALUE', () => {
  const addThenUse = [
    source('ALTER TYPE "public"."media_type" ADD VALUE \'pdf\';', '0001_pdf'),
    source('UPDATE "media" SET "media_type" = \'pdf\' WHERE "s3_key" LIKE \'%.pdf\';', '0002_backfill_pdf'),
  ];

  it('is flagged when a later migration of the same run uses the value', async () => {
    const review = await reviewMigrations(addThenUse, { newTablesScope: 'run' });
    expect(review.statements[0]?.findings.map((f) => f.rule)).toEqual(['enum-value-in-transaction']);
    expect(review.statements[0]?.findings[0]?.message).toContain('UPDATE "media" SET "media_type" = \'pdf\'');
  });

  it('is quiet when the use comes in a migration that runs in its own transaction, or never', async () => {
    expect((await reviewMigrations(addThenUse, { newTablesScope: 'migration' })).summary.transaction).toBe(0);
    expect((await reviewMigrations(addThenUse.slice(0, 1), { newTablesScope: 'run' })).summary.transaction).toBe(0);
  });
});

describe('statements that cannot run in drizzle’s transaction', () => {
  it('are moved out of it as they are, or rebuilt CONCURRENTLY', async () => {
    expect(await stepsOf('CREATE INDEX CONCURRENTLY "reports_title_idx" ON "reports" ("title");', 'concurrently-in-transaction')).toEqual([
      [true, 'CREATE INDEX CONCURRENTLY "reports_title_idx" ON "reports" ("title");'],
    ]);
    expect(await stepsOf('VACUUM "reports";', 'vacuum-in-transaction')).toEqual([[true, 'VACUUM "reports";']]);
    expect(await stepsOf('REINDEX TABLE "reports";', 'reindex-non-concurrently')).toEqual([
      [true, 'REINDEX TABLE CONCURRENTLY "reports";'],
    ]);
  });
});
