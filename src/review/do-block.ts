import type { DoStmt } from 'libpg-query';
import { nodeOf, nodesOf } from './ast.ts';
import { parsePlpgsql } from './parse.ts';

export interface PlpgsqlBody {
  /** SQL the body runs, in source order: statements, and expressions wrapped as SELECTs. */
  statements: string[];
  /** EXECUTE of a string built at run time: no reviewer can know what it runs. */
  dynamicSql: boolean;
  /** Set when the body could not be read at all. */
  error?: string;
}

/**
 * Reads the SQL inside a DO block. drizzle-kit itself emits DO blocks (for enums and foreign
 * keys guarded by `EXCEPTION WHEN duplicate_object`), and a DROP inside one is still a DROP.
 */
export function readDoBlock(stmt: DoStmt, sql: string): PlpgsqlBody {
  const language = nodesOf(stmt.args, 'DefElem').find((d) => d.defname === 'language');
  const languageName = nodeOf(language?.arg, 'String')?.sval ?? 'plpgsql';
  if (languageName.toLowerCase() !== 'plpgsql') {
    return { statements: [], dynamicSql: false, error: `DO block in language ${languageName} cannot be reviewed` };
  }
  const body = nodeOf(nodesOf(stmt.args, 'DefElem').find((d) => d.defname === 'as')?.arg, 'String')?.sval;
  return (body !== undefined && guardedStatement(body)) || readPlpgsql(sql);
}

// drizzle-kit before 0.31 wrapped every enum and foreign key it generated in one template,
// `DO $$ BEGIN\n <statement>;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;`, so an
// older history holds one per constraint (the benchmark's drizzle-style file: 500 of 5,000
// statements). PL/pgSQL runs a statement that does not start with one of its own keywords as
// SQL (https://www.postgresql.org/docs/current/plpgsql-statements.html#PLPGSQL-STATEMENTS-GENERAL-SQL),
// so such a body runs exactly the one statement between BEGIN and EXCEPTION, and reading it
// needs no second parse of the block by the PL/pgSQL parser. Anything else, or anything that
// could hide a second statement or a quote (a `;` or `$` in it), takes the parser's way.
const GUARDED =
  /^\s*BEGIN\s+((?:ALTER\s+TABLE|CREATE\s+TYPE)\s[^;$]*?)\s*;\s*EXCEPTION\s+WHEN\s+duplicate_object\s+THEN\s+null\s*;\s*END\s*;?\s*$/i;

function guardedStatement(body: string): PlpgsqlBody | undefined {
  const inner = GUARDED.exec(body)?.[1];
  return inner === undefined ? undefined : { statements: [inner], dynamicSql: false };
}

/**
 * Reads a DO statement or a CREATE FUNCTION/PROCEDURE ... LANGUAGE plpgsql statement. Not only
 * the SQL statements: PERFORM, IF conditions, assignments and RETURN expressions call functions
 * too (`PERFORM pg_terminate_backend(pid)`), so each expression comes back as a SELECT.
 */
export function readPlpgsql(sql: string): PlpgsqlBody {
  const parsed = parsePlpgsql(sql.trimEnd().endsWith(';') ? sql : `${sql};`);
  if (!parsed.ok) return { statements: [], dynamicSql: false, error: parsed.error };
  const body: PlpgsqlBody = { statements: [], dynamicSql: false };
  collect(parsed.tree, body);
  return body;
}

// PLpgSQL_expr.parseMode (src/include/parser/parser.h, RawParseMode): 0 a whole statement,
// 2 an expression, 3 to 5 an assignment `target := expression` to a name of 1 to 3 parts.
const STATEMENT = 0;
const ASSIGNMENTS = new Set([3, 4, 5]);

function collect(value: unknown, body: PlpgsqlBody): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, body);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors') body.dynamicSql = true;
    if (key === 'PLpgSQL_stmt_open' && (child as { dynquery?: unknown }).dynquery) body.dynamicSql = true;
    if (key === 'PLpgSQL_expr') {
      const expr = child as { query?: string; parseMode?: number };
      if (expr.query) body.statements.push(asStatement(expr.query, expr.parseMode ?? STATEMENT));
    }
    collect(child, body);
  }
}

function asStatement(query: string, mode: number): string {
  if (mode === STATEMENT) return query;
  if (ASSIGNMENTS.has(mode)) {
    // PL/pgSQL accepts `=` for `:=`; the target is never an expression holding either.
    const at = query.indexOf(':=');
    const eq = query.indexOf('=');
    return `SELECT ${at >= 0 ? query.slice(at + 2) : eq >= 0 ? query.slice(eq + 1) : query}`;
  }
  return `SELECT ${query}`;
}
