import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { capture } from '../support/capture.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { drizzleFolder } from '../support/migration-folders.ts';

// The target is read as the bot reads it: its applied history, its tables' row estimates and its
// role's search_path, in one read-only transaction. The dry run then replays the history, puts a
// synthetic row in each table the target says holds rows, and applies the pending set.

const BP = '\n--> statement-breakpoint\n';
const INIT = {
  tag: '0000_init',
  sql: [
    'CREATE SCHEMA "app";',
    'CREATE TYPE "app"."status" AS ENUM(\'draft\');',
    'CREATE TABLE "app"."posts" ("id" serial PRIMARY KEY NOT NULL, "title" varchar(200) NOT NULL, "status" "app"."status" DEFAULT \'draft\' NOT NULL, "score" integer);',
  ].join(BP),
};

async function review(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(args, out, err, {});
  return { code, out: out.text, err: err.text };
}

describe('the dry run on a target: populated tables, its search_path, true failures', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  /** A target that applied 0000_init with drizzle's migrator, holding `rows` posts, analyzed. */
  async function target(rows: number): Promise<string> {
    const db = await createTestDatabase();
    databases.push(db);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(sql), { migrationsFolder: drizzleFolder([INIT]) });
      for (let i = 0; i < rows; i++) await sql`insert into app.posts (title) values (${`post ${i}`})`;
      // reltuples is what the review reads: ANALYZE sets it (0 for an empty table).
      await sql`analyze app.posts`;
      await sql.unsafe(`alter database "${new URL(db.url).pathname.slice(1)}" set search_path = app, public`);
    } finally {
      await sql.end();
    }
    return db.url;
  }

  const addNotNull = drizzleFolder([INIT, { tag: '0001_slug', sql: 'ALTER TABLE "posts" ADD COLUMN "slug" text NOT NULL;' }]);

  it('ADD COLUMN … NOT NULL without a default fails with 23502 on a table holding rows, in every format', async () => {
    const url = await target(3);
    const json = await review(['--json', '--database-url', url, addNotNull]);
    const doc = JSON.parse(json.out);
    expect(doc.target.pending).toEqual(['0001_slug']);
    expect(doc.summary.dryRun).toBe('failed');
    // The unqualified "posts" resolves through the target role's search_path (app, public).
    expect(doc.target.dryRun).toMatchObject({ status: 'failed', tag: '0001_slug', code: '23502', populated: ['app.posts'] });

    const text = await review(['--database-url', url, '--fail-on', 'dry-run', addNotNull]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(
      /dry run: FAILED applying the pending set at .*0001_slug\.sql:1: .*SQLSTATE 23502\) \(fails on a populated table: app\.posts held a synthetic row\)/,
    );
    expect(text.out).toMatch(/; dry run FAILED \(fails on a populated table\)\n$/);

    const github = await review(['--format', 'github', '--database-url', url, '--fail-on', 'dry-run', addNotNull]);
    expect(github.out).toMatch(
      /^::error file=.*0001_slug\.sql,line=1,title=deploybot%3A dry run failed on a populated table::.*\(SQLSTATE 23502\): fails on a populated table/m,
    );

    const sarif = JSON.parse((await review(['--format', 'sarif', '--database-url', url, '--fail-on', 'dry-run', addNotNull])).out);
    expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'dry-run-failed')).toMatchObject({
      level: 'error',
      message: { text: expect.stringContaining('fails on a populated table') },
    });
  }, 180_000);

  it('the same migration passes when the target table holds no rows', async () => {
    const url = await target(0);
    const doc = JSON.parse((await review(['--json', '--database-url', url, addNotNull])).out);
    expect(doc.target.dryRun).toMatchObject({ ok: true, migrations: 1 });
    expect(doc.target.dryRun.populated).toBeUndefined();
    expect(doc.summary.dryRun).toBe('ok');
  }, 120_000);

  it("a statement that judged the synthetic row's values is not judged, not failed, in every format", async () => {
    const url = await target(3);
    const folder = drizzleFolder([INIT, { tag: '0001_score', sql: 'ALTER TABLE "posts" ALTER COLUMN "score" SET NOT NULL;' }]);
    const doc = JSON.parse((await review(['--json', '--database-url', url, folder])).out);
    expect(doc.summary.dryRun).toBe('ok');
    expect(doc.target.dryRun).toMatchObject({ ok: true, populated: ['app.posts'], notJudged: { tag: '0001_score', code: '23502' } });
    const text = await review(['--database-url', url, '--fail-on', 'dry-run', folder]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('could not judge');
    expect(text.out).toMatch(/0001_score\.sql:1 on populated tables: it failed on the synthetic rows' values/);
    expect(text.out).toMatch(/; dry run ok \(\d+ ms\), one statement not judged on populated tables\n$/);
    const github = await review(['--format', 'github', '--database-url', url, '--fail-on', 'dry-run', folder]);
    expect(github.out).toMatch(
      /^::notice file=.*0001_score\.sql,line=1,title=deploybot%3A dry run could not judge this statement on populated tables::/m,
    );
    const sarif = JSON.parse((await review(['--format', 'sarif', '--database-url', url, folder])).out);
    expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'dry-run-not-judged')).toMatchObject({ level: 'note' });
  }, 180_000);

  it('a true failure keeps its SQLSTATE: an enum value added and used in the one transaction', async () => {
    const url = await target(0);
    const folder = drizzleFolder([
      INIT,
      {
        tag: '0001_published',
        sql: `ALTER TYPE "status" ADD VALUE 'published';${BP}ALTER TABLE "posts" ALTER COLUMN "status" SET DEFAULT 'published';`,
      },
    ]);
    const run = await review(['--json', '--database-url', url, '--fail-on', 'dry-run', folder]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.out);
    expect(doc.summary.dryRun).toBe('failed');
    expect(doc.target.dryRun).toMatchObject({ status: 'failed', tag: '0001_published', line: 3, code: '55P04' });
  }, 120_000);
});
