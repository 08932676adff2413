import type { Node } from 'libpg-query';
import { nodeOf, nodesOf, qualifiedName } from './ast.ts';

// Which statements the step runner (database/step-runner.ts) takes out of drizzle's one
// transaction and runs alone, in autocommit, between two commits. Postgres refuses these inside
// a transaction block ("cannot run inside a transaction block", PreventInTransactionBlock):
// CREATE/DROP INDEX CONCURRENTLY (https://www.postgresql.org/docs/15/sql-createindex.html,
// sql-dropindex.html), REINDEX ... CONCURRENTLY (sql-reindex.html), VACUUM (sql-vacuum.html),
// ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (sql-altertable.html). ALTER TYPE ... ADD
// VALUE may run in one, but the new value cannot be used before that transaction commits
// (SQLSTATE 55P04, sql-altertype.html), so it runs alone only when a later statement of the same
// run uses the value, or cannot be read well enough to tell (the same test as the review's
// enum-value-in-transaction rule). Everything else stays in the transaction, as drizzle runs it.

/** A statement as the review splits it (src/review/split.ts): no AST when it did not parse. */
export interface StepStatement {
  ast?: Node;
  sql: string;
}

/** An index a CREATE INDEX CONCURRENTLY builds, so a failed build's INVALID leftover can be found. */
export interface ConcurrentIndex {
  /** As written; absent means the index lives in the table's schema, found through search_path. */
  schema?: string;
  table: string;
  name: string;
}

export interface OwnStep {
  /** Why it cannot run in the transaction, for the log and the review. */
  reason: string;
  /** Set for a named CREATE INDEX CONCURRENTLY. */
  index?: ConcurrentIndex;
}

const IN_BLOCK = 'cannot run inside a transaction block';

/**
 * Whether the statement must run as its own step, and why. `later` gives the statements that
 * run after it in the same run (only ADD VALUE asks for them).
 */
export function ownStepOf(statement: StepStatement, later: () => readonly StepStatement[]): OwnStep | undefined {
  const ast = statement.ast;
  if (!ast) return undefined;
  const index = nodeOf(ast, 'IndexStmt');
  if (index?.concurrent) {
    const rel = index.relation;
    const built: OwnStep = { reason: `CREATE INDEX CONCURRENTLY ${IN_BLOCK}` };
    if (index.idxname && rel?.relname) {
      built.index = { table: rel.relname, name: index.idxname, ...(rel.schemaname ? { schema: rel.schemaname } : {}) };
    }
    return built;
  }
  if (nodeOf(ast, 'DropStmt')?.concurrent) return { reason: `DROP INDEX CONCURRENTLY ${IN_BLOCK}` };
  const reindex = nodeOf(ast, 'ReindexStmt');
  if (reindex && nodesOf(reindex.params, 'DefElem').some((d) => d.defname === 'concurrently')) {
    return { reason: `REINDEX CONCURRENTLY ${IN_BLOCK}` };
  }
  if (nodeOf(ast, 'VacuumStmt')?.is_vacuumcmd) return { reason: `VACUUM ${IN_BLOCK}` };
  const alter = nodeOf(ast, 'AlterTableStmt');
  const detach = nodesOf(alter?.cmds, 'AlterTableCmd').some(
    (c) => c.subtype === 'AT_DetachPartition' && nodeOf(c.def, 'PartitionCmd')?.concurrent,
  );
  if (detach) return { reason: `DETACH PARTITION CONCURRENTLY ${IN_BLOCK}` };
  return enumValueStep(ast, later);
}

function enumValueStep(ast: Node, later: () => readonly StepStatement[]): OwnStep | undefined {
  const alter = nodeOf(ast, 'AlterEnumStmt');
  if (!alter || alter.oldVal !== undefined || alter.newVal === undefined) return undefined;
  const literal = `'${alter.newVal.replaceAll("'", "''")}'`;
  const type = qualifiedName(alter.typeName);
  const rest = later();
  // The value as a string literal anywhere in a later statement: conservative, as the review is.
  if (rest.some((s) => !nodeOf(s.ast, 'AlterEnumStmt') && s.sql.includes(literal))) {
    return { reason: `a later statement uses the value ${literal} it adds to "${type}", which is unsafe before a commit` };
  }
  if (rest.some((s) => !s.ast || /\bEXECUTE\b/i.test(s.sql))) {
    return { reason: `it adds ${literal} to "${type}" and a later statement cannot be read to tell whether it uses the value` };
  }
  return undefined;
}
