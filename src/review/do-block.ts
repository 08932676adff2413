import type { DoStmt } from 'libpg-query';
import { nodeOf, nodesOf } from './ast.ts';
import { parsePlpgsql } from './parse.ts';

export interface DoBlockBody {
  /** SQL statements the block runs, in source order. */
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
export function readDoBlock(stmt: DoStmt, sql: string): DoBlockBody {
  const language = nodesOf(stmt.args, 'DefElem').find((d) => d.defname === 'language');
  const languageName = nodeOf(language?.arg, 'String')?.sval ?? 'plpgsql';
  if (languageName.toLowerCase() !== 'plpgsql') {
    return { statements: [], dynamicSql: false, error: `DO block in language ${languageName} cannot be reviewed` };
  }
  const parsed = parsePlpgsql(sql.trimEnd().endsWith(';') ? sql : `${sql};`);
  if (!parsed.ok) return { statements: [], dynamicSql: false, error: parsed.error };
  const body: DoBlockBody = { statements: [], dynamicSql: false };
  collect(parsed.tree, body);
  return body;
}

function collect(value: unknown, body: DoBlockBody): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, body);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'PLpgSQL_stmt_dynexecute') body.dynamicSql = true;
    if (key === 'PLpgSQL_stmt_execsql') {
      const query = (child as { sqlstmt?: { PLpgSQL_expr?: { query?: string } } }).sqlstmt?.PLpgSQL_expr?.query;
      if (query) body.statements.push(query);
    }
    collect(child, body);
  }
}
