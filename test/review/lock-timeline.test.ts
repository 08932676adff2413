import { describe, expect, it } from 'vitest';
import { describeTimelineEntry, lockTimeline } from '../../src/review/lock-timeline.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { loadHistory } from '../support/migration-folders.ts';
import { reviewSql } from './helpers.ts';

describe('the lock each statement takes', () => {
  const locksOf = async (sql: string) => (await reviewSql(sql)).statements.map((s) => s.locks.map((l) => `${l.mode} ${l.relation}`));

  it('follows PostgreSQL’s table of lock modes per command', async () => {
    expect(
      await locksOf(
        [
          'CREATE INDEX "reports_title_idx" ON "reports" ("title");',
          'CREATE INDEX CONCURRENTLY "reports_body_idx" ON "reports" ("body");',
          'ALTER TABLE "votes" ADD CONSTRAINT "votes_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id");',
          'ALTER TABLE "votes" VALIDATE CONSTRAINT "votes_user_fk";',
          'ALTER TABLE "users" ADD COLUMN "bio" text;',
          'UPDATE "users" SET "bio" = \'\' WHERE "bio" IS NULL;',
          'DROP INDEX CONCURRENTLY "reports_title_idx";',
          'TRUNCATE "sessions";',
        ].join('\n'),
      ),
    ).toEqual([
      ['SHARE public.reports'],
      ['SHARE UPDATE EXCLUSIVE public.reports'],
      ['SHARE ROW EXCLUSIVE public.votes', 'SHARE ROW EXCLUSIVE public.users'],
      ['SHARE UPDATE EXCLUSIVE public.votes'],
      ['ACCESS EXCLUSIVE public.users'],
      ['ROW EXCLUSIVE public.users'],
      ['SHARE UPDATE EXCLUSIVE public.reports_title_idx'],
      ['ACCESS EXCLUSIVE public.sessions'],
    ]);
  });

  it('ignores tables the run itself created, and puts the lock on every finding', async () => {
    const review = await reviewSql('CREATE TABLE "t" ("a" int);\nCREATE INDEX "t_a" ON "t" ("a");\nDROP TABLE "old";');
    expect(review.statements.map((s) => s.locks.length)).toEqual([0, 0, 1]);
    expect(review.statements[2]?.findings[0]?.lock).toEqual({
      mode: 'ACCESS EXCLUSIVE',
      relation: 'public.old',
      blocks: 'reads and writes',
    });
  });
});

describe("the run's lock timeline", () => {
  it('names, per table, the strongest lock, the statement that takes it and how many statements run while it is held', async () => {
    const history = await loadHistory();
    const review = await reviewMigrations(history.slice(2), { newTablesScope: 'run', history: history.slice(0, 2) });
    // 18 statements: 0002 (8), 0003 (3), 0004 (2), 0005 (5). The renames of 0004 and the
    // UPDATEs of 0005 add nothing: their tables are already held in ACCESS EXCLUSIVE.
    expect(lockTimeline(review).map(describeTimelineEntry)).toEqual([
      'ACCESS EXCLUSIVE on "individuals" from 0002_shareable_uuids:1 until the end of the run, 17 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "organizations" from 0002_shareable_uuids:2 until the end of the run, 16 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "reports" from 0002_shareable_uuids:3 until the end of the run, 15 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "roles" from 0002_shareable_uuids:4 until the end of the run, 14 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "ai_verification" from 0003_media_sizes_and_cleanup:1 until the end of the run, 9 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "media" from 0003_media_sizes_and_cleanup:2 until the end of the run, 8 statements later (blocks reads and writes)',
      'ACCESS EXCLUSIVE on "users" from 0003_media_sizes_and_cleanup:3 until the end of the run, 7 statements later (blocks reads and writes)',
    ]);
  });
});

describe('a weaker lock taken earlier', () => {
  it('is named beside the stronger one that follows', async () => {
    const review = await reviewSql(
      'CREATE INDEX "users_email_idx" ON "users" ("email");\nSELECT 1;\nALTER TABLE "users" ADD COLUMN "bio" text;',
    );
    expect(lockTimeline(review).map(describeTimelineEntry)).toEqual([
      'ACCESS EXCLUSIVE on "users" from 0000_test:3 until the end of the run, the last statement (blocks reads and writes; SHARE since 0000_test:1)',
    ]);
  });
});

describe('a run with an own step', () => {
  it('releases what the transaction before it held at the commit before it, and holds its own lock only while it runs', async () => {
    const migration = (tag: string, sql: string) => ({ tag, file: `${tag}.sql`, sql, hash: tag });
    const history = [migration('0000_tables', 'CREATE TABLE "orders" ("id" int, "customer" int);\nCREATE TABLE "users" ("id" int);')];
    const pending = [
      migration('0001_users', 'ALTER TABLE "users" ADD COLUMN "name" text;'),
      migration(
        '0002_index',
        [
          'CREATE INDEX CONCURRENTLY "orders_customer_idx" ON "orders" ("customer");',
          'ALTER TABLE "orders" ADD COLUMN "note" text;',
          'SELECT 1;',
        ].join('\n--> statement-breakpoint\n'),
      ),
    ];
    const review = await reviewMigrations(pending, { newTablesScope: 'run', history });
    expect(review.statements.map((s) => Boolean(s.ownStep))).toEqual([false, true, false, false]);
    expect(lockTimeline(review).map(describeTimelineEntry)).toEqual([
      'ACCESS EXCLUSIVE on "orders" from 0002_index:3 until the end of the run, 1 statement later (blocks reads and writes; SHARE UPDATE EXCLUSIVE since 0002_index:1)',
      'ACCESS EXCLUSIVE on "users" from 0001_users:1 until the commit before 0002_index:1 (own step), no statement later (blocks reads and writes)',
    ]);
  });
});
