import { beforeAll, describe, expect, it } from 'vitest';
import { LaterStatements } from '../../src/review/later-statements.ts';
import { loadSqlParser } from '../../src/review/parse.ts';
import { splitMigration } from '../../src/review/split.ts';

const FIRST = [
  'ALTER TABLE "a" ENABLE ROW LEVEL SECURITY;',
  'CREATE POLICY "p1" ON "a" USING (true);',
  'ALTER TABLE "b" ADD COLUMN "c" text;',
  'CREATE POLICY "p2" ON "b" USING (true);',
].join('\n--> statement-breakpoint\n');
const SECOND = ['CREATE POLICY "p3" ON "c" USING (true);', 'SELECT 1;'].join('\n--> statement-breakpoint\n');

describe('LaterStatements', () => {
  let split: ReturnType<typeof splitMigration>[];
  beforeAll(async () => {
    await loadSqlParser();
    split = [splitMigration(FIRST), splitMigration(SECOND)];
  });
  const sqls = (list: readonly { sql: string }[]) => list.map((s) => s.sql.match(/"p\d"|SELECT 1|"b" ADD/)?.[0]);

  it('in one run, reaches into the migrations after, and a kind keeps only its statements after this one', () => {
    const run = new LaterStatements(split, true);
    expect(sqls(run.after(0, 0))).toEqual(['"p1"', '"b" ADD', '"p2"', '"p3"', 'SELECT 1']);
    expect(sqls(run.after(0, 1, 'CreatePolicyStmt'))).toEqual(['"p2"', '"p3"']);
    expect(sqls(run.after(0, 3, 'CreatePolicyStmt'))).toEqual(['"p3"']);
    expect(run.after(1, 0, 'CreatePolicyStmt')).toEqual([]);
  });

  it('with each migration alone, stops at the end of its own migration', () => {
    const run = new LaterStatements(split, false);
    expect(sqls(run.after(0, 0))).toEqual(['"p1"', '"b" ADD', '"p2"']);
    expect(sqls(run.after(0, 1, 'CreatePolicyStmt'))).toEqual(['"p2"']);
    expect(sqls(run.after(1, 0))).toEqual(['SELECT 1']);
    expect(run.after(0, 3, 'CreatePolicyStmt')).toEqual([]);
  });
});
