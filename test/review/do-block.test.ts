import { beforeAll, describe, expect, it } from 'vitest';
import { nodeOf } from '../../src/review/ast.ts';
import { readDoBlock, readPlpgsql } from '../../src/review/do-block.ts';
import { loadSqlParser, parseSql } from '../../src/review/parse.ts';

// readDoBlock reads drizzle-kit's duplicate_object template without the PL/pgSQL parser: what
// it finds must be exactly what the parser finds, and anything else must go the parser's way.
const doStmt = (sql: string) => {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(parsed.error);
  const stmt = nodeOf(parsed.statements[0]?.ast, 'DoStmt');
  if (!stmt) throw new Error(`not a DO statement: ${sql}`);
  return stmt;
};

const TEMPLATE = (inner: string) => `DO $$ BEGIN\n ${inner};\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;`;

const BLOCKS = [
  TEMPLATE(
    'ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action',
  ),
  TEMPLATE(`CREATE TYPE "public"."mood" AS ENUM('ok', 'sad')`),
  'do $$ begin alter table t add constraint c check (x > 0); exception when duplicate_object then null; end; $$',
  // What the template must not swallow: a second statement, a `;` or a dollar quote inside,
  // dynamic SQL, another handler, a statement PL/pgSQL runs as its own.
  TEMPLATE(`CREATE TYPE "public"."sep" AS ENUM('a;b')`),
  TEMPLATE('ALTER TABLE "a" DROP COLUMN "b"; DROP TABLE "votes"'),
  TEMPLATE('ALTER TABLE "a" ADD CONSTRAINT "c" CHECK (x <> $q$;$q$)'),
  TEMPLATE("EXECUTE 'DROP TABLE ' || 'votes'"),
  'DO $$ BEGIN ALTER TABLE "a" DROP COLUMN "b"; EXCEPTION WHEN undefined_column THEN DROP TABLE "votes"; END $$;',
  'DO $$ BEGIN PERFORM pg_terminate_backend(1); EXCEPTION WHEN duplicate_object THEN null; END $$;',
];

describe('readDoBlock', () => {
  beforeAll(loadSqlParser);

  it.each(BLOCKS)('finds what the PL/pgSQL parser finds: %s', (sql) => {
    expect(readDoBlock(doStmt(sql), sql)).toEqual(readPlpgsql(sql));
  });

  it('reads the hidden second statement and the dynamic SQL the template could have hidden', () => {
    const two = BLOCKS[4] as string;
    expect(readDoBlock(doStmt(two), two).statements).toEqual(['ALTER TABLE "a" DROP COLUMN "b"', 'DROP TABLE "votes"']);
    const dynamic = BLOCKS[6] as string;
    expect(readDoBlock(doStmt(dynamic), dynamic).dynamicSql).toBe(true);
  });
});
