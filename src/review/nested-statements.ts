import type { CreateFunctionStmt, Node } from 'libpg-query';
import { baseName, kindOf, nodeOf, nodesOf } from './ast.ts';
import { readDoBlock, readPlpgsql } from './do-block.ts';
import { parseSql } from './parse.ts';
import type { StatementUnderReview } from './rule.ts';

// The statements a statement holds, so that the rules judge them like top-level ones: a DELETE
// in a WITH query, a function's body, a rule's actions, a DO block's body. PostgreSQL runs
// them all (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING:
// "data-modifying statements in WITH are executed exactly once, and always to completion").

/** The code a DO block or a function holds, as the review reads it. */
export interface CodeBody {
  statements: StatementUnderReview[];
  /** EXECUTE of a string built at run time. */
  dynamicSql: boolean;
  /** Why the body could not be read (another language, a parse error). */
  error?: string;
}

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const bodies = new WeakMap<StatementUnderReview, CodeBody | null>();

/** The body of a DO block or a CREATE FUNCTION/PROCEDURE; undefined for other statements. */
export function codeBody(stmt: StatementUnderReview): CodeBody | undefined {
  const known = bodies.get(stmt);
  if (known !== undefined) return known ?? undefined;
  const body = readCodeBody(stmt);
  bodies.set(stmt, body ?? null);
  return body;
}

function readCodeBody(stmt: StatementUnderReview): CodeBody | undefined {
  const doStmt = nodeOf(stmt.ast, 'DoStmt');
  if (doStmt) {
    const read = readDoBlock(doStmt, stmt.sql);
    return { statements: read.statements.flatMap((text) => parsedStatements(text)), dynamicSql: read.dynamicSql, error: read.error };
  }
  const fn = nodeOf(stmt.ast, 'CreateFunctionStmt');
  return fn ? readRoutine(fn, stmt.sql) : undefined;
}

function readRoutine(fn: CreateFunctionStmt, sql: string): CodeBody {
  // BEGIN ATOMIC ... END and RETURN expr: PostgreSQL parsed the body with the statement.
  if (fn.sql_body) return { statements: atomicBody(fn.sql_body).map((ast) => ({ sql, ast })), dynamicSql: false };
  const options = nodesOf(fn.options, 'DefElem');
  const language = (nodeOf(options.find((o) => o.defname === 'language')?.arg, 'String')?.sval ?? 'sql').toLowerCase();
  const as = nodesOf(nodeOf(options.find((o) => o.defname === 'as')?.arg, 'List')?.items, 'String');
  if (language === 'sql') {
    const text = as[0]?.sval ?? '';
    return { statements: parsedStatements(text), dynamicSql: false };
  }
  if (language === 'plpgsql') {
    const read = readPlpgsql(sql);
    return { statements: read.statements.flatMap((text) => parsedStatements(text)), dynamicSql: read.dynamicSql, error: read.error };
  }
  return { statements: [], dynamicSql: false, error: `a body in language ${language} cannot be reviewed` };
}

function atomicBody(node: Node): Node[] {
  const list = nodeOf(node, 'List');
  return list ? (list.items ?? []).flatMap(atomicBody) : [node];
}

function parsedStatements(text: string): StatementUnderReview[] {
  const parsed = parseSql(text);
  if (!parsed.ok) return [{ sql: text, error: parsed.error }];
  return parsed.statements.map((s) => ({ sql: text.slice(s.start, s.end), ast: s.ast }));
}

/**
 * Every statement this one holds, with where it sits, in the order PostgreSQL meets them:
 * a body's statements, a rule's actions, CREATE SCHEMA's elements, and data-modifying
 * statements below the top (WITH queries, PREPARE, EXPLAIN ANALYZE).
 */
export function nestedStatements(stmt: StatementUnderReview): StatementUnderReview[] {
  if (!stmt.ast) return [];
  const within = (label: string, inner: StatementUnderReview): StatementUnderReview => ({
    ...inner,
    inside: stmt.inside ? `${stmt.inside}, ${label}` : label,
  });
  const kind = kindOf(stmt.ast);
  if (kind === 'DoStmt') return (codeBody(stmt)?.statements ?? []).map((s) => within('inside a DO block', s));
  const fn = nodeOf(stmt.ast, 'CreateFunctionStmt');
  if (fn) {
    const label = `inside ${fn.is_procedure ? 'procedure' : 'function'} "${baseName(fn.funcname)}"`;
    return (codeBody(stmt)?.statements ?? []).map((s) => within(label, s));
  }
  const rule = nodeOf(stmt.ast, 'RuleStmt');
  if (rule) return (rule.actions ?? []).map((ast) => within(`in rule "${rule.rulename}"`, { sql: stmt.sql, ast }));
  const schema = nodeOf(stmt.ast, 'CreateSchemaStmt');
  if (schema) return (schema.schemaElts ?? []).map((ast) => within(`inside CREATE SCHEMA "${schema.schemaname}"`, { sql: stmt.sql, ast }));
  return innerWrites(stmt.ast).map((found) => within(found.label, { sql: stmt.sql, ast: found.ast }));
}

/** Data-modifying statements below the top one; each is reviewed, and walks its own. */
function innerWrites(top: Node): { ast: Node; label: string }[] {
  const found: { ast: Node; label: string }[] = [];
  const walk = (value: unknown, label: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, label);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    // for-in, not Object.entries: this walks every node of every statement, and the entries'
    // arrays were a measurable share of a large review's garbage collection.
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if (DML.has(key) && value !== top) {
        found.push({ ast: { [key]: child } as unknown as Node, label });
        continue;
      }
      walk(child, key === 'CommonTableExpr' ? `in WITH query "${(child as { ctename?: string }).ctename ?? '?'}"` : label);
    }
  };
  walk(top, 'in a nested statement');
  return found;
}

const calls = new WeakMap<Node, string[]>();

/**
 * Functions and procedures a statement calls, by their unqualified lower-case name (a schema
 * may be set by search_path, so `f` and `public.f` are treated as one).
 */
export function calledRoutines(ast: Node | undefined): string[] {
  if (!ast) return [];
  const known = calls.get(ast);
  if (known) return known;
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      // CallStmt holds its FuncCall unwrapped; everywhere else it is a { FuncCall } node.
      if (key === 'FuncCall' || key === 'funccall') {
        names.add(baseName((child as { funcname?: Node[] }).funcname).toLowerCase());
      }
      walk(child);
    }
  };
  walk(ast);
  const list = [...names];
  calls.set(ast, list);
  return list;
}
