import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReviewText } from '../../src/render/review-text.ts';
import { loadSqlParser } from '../../src/review/parse.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { splitMigration } from '../../src/review/split.ts';
import { reviewSql, rulesFired, source } from './helpers.ts';

beforeAll(() => loadSqlParser());

describe('splitMigration', () => {
  it('splits on drizzle breakpoints and on statement boundaries inside a chunk', () => {
    const parts = splitMigration(
      'ALTER TABLE a DROP COLUMN x;--> statement-breakpoint\nUPDATE a SET y = 1 WHERE id = 1; DELETE FROM a WHERE id = 2;',
    );
    expect(parts.map((p) => p.sql)).toEqual([
      'ALTER TABLE a DROP COLUMN x',
      'UPDATE a SET y = 1 WHERE id = 1',
      'DELETE FROM a WHERE id = 2',
    ]);
  });

  it('keeps reviewing the statements around one that does not parse', async () => {
    const review = await reviewSql('ALTER TABLE "users" DROP COLUMN "a";\nALTER TABLE oops oops;\nDROP TABLE "votes";');
    expect(review.statements.map((s) => s.findings.map((f) => f.rule))).toEqual([['drop-column'], ['unparsable-sql'], ['drop-table']]);
    expect(review.statements[1]?.findings[0]?.message).toMatch(/syntax error/);
  });

  it('cuts a statement where drizzle would, when a breakpoint sits inside a string', async () => {
    // drizzle splits on the marker text wherever it is, so this runs as two broken chunks.
    const review = await reviewSql("INSERT INTO notes VALUES ('a --> statement-breakpoint b');");
    expect(review.statements.length).toBe(2);
    expect(rulesFired(review)).toEqual(['unparsable-sql', 'misplaced-statement-breakpoint', 'unparsable-sql']);
  });

  it('reports lines and SQL correctly after multi-byte text', async () => {
    const review = await reviewSql('UPDATE organizations SET name = \'سپاه\' WHERE id = 1;\n\nDROP TABLE "ban_history";');
    expect(review.statements[1]?.sql).toBe('DROP TABLE "ban_history"');
    expect(review.statements[1]?.line).toBe(3);
  });

  it('never lets a NUL byte hide what follows it', async () => {
    const review = await reviewSql('SELECT 1;\0 DROP TABLE "users";');
    expect(rulesFired(review)).toContain('unparsable-sql');
    expect(review.summary.unreviewable).toBeGreaterThan(0);
  });

  it('skips leading comments when it reports where a statement starts', () => {
    const [first] = splitMigration('-- why\n-- more why\nDROP TABLE t;');
    expect(first?.sql).toBe('DROP TABLE t');
  });
});

describe('DO blocks', () => {
  it('sees a DROP inside a DO block', async () => {
    const review = await reviewSql('DO $$ BEGIN\n  IF true THEN\n    DROP TABLE "votes";\n  END IF;\nEND $$;');
    const findings = review.statements[0]?.findings ?? [];
    expect(findings.map((f) => f.rule)).toEqual(['drop-table']);
    expect(findings[0]?.message).toMatch(/^Inside a DO block: Drops table "votes"/);
  });

  it('reads the guarded enum and foreign key blocks older drizzle-kit versions emit as safe', async () => {
    const review = await reviewSql(
      'DO $$ BEGIN\n CREATE TYPE "public"."vote_type" AS ENUM(\'upvote\', \'downvote\');\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;',
    );
    expect(rulesFired(review)).toEqual([]);
  });

  it('flags EXECUTE of built SQL as unreviewable', async () => {
    expect(rulesFired(await reviewSql("DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'votes'); END $$;"))).toEqual(['dynamic-sql']);
  });
});

describe('new tables', () => {
  const sql = [
    'CREATE TABLE "appeals" ("id" serial PRIMARY KEY, "user_id" integer);',
    'CREATE INDEX "appeals_user_idx" ON "appeals" ("user_id");',
  ];

  it('are not locked by indexes in the migration that creates them', async () => {
    expect(rulesFired(await reviewSql(sql.join('\n')))).toEqual([]);
  });

  it('are only new within their migration unless the inputs are one run', async () => {
    const { reviewMigrations } = await import('../../src/review/review.ts');
    const { source } = await import('./helpers.ts');
    const migrations = [source(sql[0] ?? '', '0001_a'), source(sql[1] ?? '', '0002_b')];
    expect(rulesFired(await reviewMigrations(migrations))).toEqual(['create-index-non-concurrently']);
    expect(rulesFired(await reviewMigrations(migrations, { newTablesScope: 'run' }))).toEqual([]);
  });

  it('stop being new once dropped and recreated elsewhere', async () => {
    const review = await reviewSql('CREATE TABLE t (a int);\nDROP TABLE t;\nCREATE INDEX i ON t (a);');
    expect(rulesFired(review)).toEqual(['create-index-non-concurrently']);
  });

  it('follow a rename', async () => {
    const review = await reviewSql('CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nCREATE INDEX i ON u (a);');
    expect(rulesFired(review)).toEqual([]);
  });
});

describe('what drizzle runs', () => {
  // drizzle-orm 0.45 readMigrationFiles: file.split('--> statement-breakpoint'), each piece one query.
  it('shows a statement after a marker in mid-line as its own statement, destructive, and says the marker is misplaced', async () => {
    const review = await reviewSql('SELECT 1; --> statement-breakpoint DROP TABLE "users" CASCADE;');
    expect(review.statements.map((s) => s.sql)).toEqual(['SELECT 1', 'DROP TABLE "users" CASCADE']);
    const hidden = review.statements[1];
    expect(hidden?.findings.map((f) => [f.rule, f.category])).toEqual([
      ['misplaced-statement-breakpoint', 'unreviewable'],
      ['drop-table', 'destructive'],
    ]);
    expect(hidden?.findings[0]?.message).toMatch(/SQL follows it on the same line/);
    expect(review.summary).toMatchObject({ destructive: 1, unreviewable: 1 });
  });

  it('cuts at a marker inside a -- comment, as drizzle does', async () => {
    const review = await reviewSql('SELECT 1; -- tidy up --> statement-breakpoint DROP TABLE "users";\nSELECT 2;');
    expect(review.statements.map((s) => s.sql)).toEqual(['SELECT 1', 'DROP TABLE "users"', 'SELECT 2']);
    expect(review.statements[1]?.findings.map((f) => f.rule)).toEqual(['misplaced-statement-breakpoint', 'drop-table']);
    expect(review.statements[1]?.findings[0]?.message).toMatch(/inside a comment or a quoted string/);
    expect(review.statements[1]?.line).toBe(1);
  });

  it('cuts at a marker inside a dollar-quoted body, so neither half passes as a clean DO block', async () => {
    const review = await reviewSql('DO $$ BEGIN PERFORM 1; --> statement-breakpoint\nEND $$;\nDROP TABLE "users";');
    // The second piece opens a dollar quote it never closes: PostgreSQL rejects all of it, as shown.
    expect(review.statements.map((s) => s.sql)).toEqual(['DO $$ BEGIN PERFORM 1;', 'END $$;\nDROP TABLE "users";']);
    expect(rulesFired(review)).toEqual(['unparsable-sql', 'misplaced-statement-breakpoint', 'unparsable-sql']);
  });

  it('says nothing of markers where drizzle-kit writes them', async () => {
    const review = await reviewSql(
      'ALTER TABLE "a" ADD COLUMN "b" text;--> statement-breakpoint\n--> statement-breakpoint\r\nSELECT 1;  --> statement-breakpoint  \n',
    );
    expect(review.statements.map((s) => s.sql)).toEqual(['ALTER TABLE "a" ADD COLUMN "b" text', 'SELECT 1']);
    expect(rulesFired(review)).toEqual([]);
  });

  it('marks statements drizzle sends together as one query, and counts the queries', async () => {
    const review = await reviewSql('SELECT 1;--> statement-breakpoint\nUPDATE t SET a = 1 WHERE id = 1; DELETE FROM t WHERE id = 2;\n');
    expect(review.statements.map((s) => s.query)).toEqual([undefined, { index: 1, statements: 2 }, { index: 1, statements: 2 }]);
    expect(review.migrations[0]).toMatchObject({ statements: 3, queries: 2 });
    const real = await reviewMigrations([source(readFileSync('backend/drizzle/0005_backfill_trimmed_names.sql', 'utf8'))]);
    expect(real.migrations[0]).toMatchObject({ statements: 5, queries: 1 });
    expect(real.statements.every((s) => s.query?.statements === 5)).toBe(true);
    const text = formatReviewText(await reviewSql('SELECT 1;--> statement-breakpoint\nSELECT 2; DELETE FROM t;\n'));
    expect(text).toMatch(/^0000_test {2}3 statements in 2 drizzle queries {2}1 destructive$/m);
    expect(text).toContain('0000_test.sql:2  (drizzle runs it in one query with 1 other statement)');
  });

  it('starts a statement after nested comments, as PostgreSQL nests them', () => {
    const [first] = splitMigration('/* a /* b */ c */ -- d\nDROP TABLE t;');
    expect(first?.sql).toBe('DROP TABLE t');
  });

  it('reads escape strings as PostgreSQL does when it splits a query that does not parse', () => {
    const parts = splitMigration("INSERT INTO t VALUES (E'it\\'s; fine');\nSELEC 1;\nDROP TABLE t;");
    expect(parts.map((p) => [p.sql, p.error === undefined])).toEqual([
      ["INSERT INTO t VALUES (E'it\\'s; fine')", true],
      ['SELEC 1', false],
      ['DROP TABLE t', true],
    ]);
  });
});
