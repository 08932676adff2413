import { nodeOf, tableLabel } from './ast.ts';
import { describeType } from './column-type.ts';
import type { RewriteStep } from './model.ts';
import { alterExistingTable, judgedTypeChanges, type RuleContext, type StatementUnderReview } from './rule.ts';

// Each rule's fix written out for the statement at hand. drizzle-orm runs every pending
// migration in one transaction, so a step marked `outsideTransaction` cannot simply be a later
// statement of the same pending set: CONCURRENTLY refuses to run in a transaction block
// (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY),
// and a VALIDATE or a batched backfill only helps if the locks taken before it were released.
// Those steps go in a separate, later deploy (or are run by hand), as each note says.

const LATER_RUN = 'in a later deploy, after the previous steps have been applied';
const BY_HAND = 'run by hand (psql)';

/** The statement's text without its final semicolon, to append a clause to. */
function body(stmt: StatementUnderReview): string {
  return stmt.sql.trim().replace(/;\s*$/, '');
}

const ident = (name: string | undefined) => `"${(name ?? '?').replaceAll('"', '""')}"`;

export function typeChangeSteps(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined {
  const changes = judgedTypeChanges(stmt, ctx);
  if (changes.length !== 1) return undefined;
  const [change] = changes;
  if (!change?.to || !change.cmd.name) return undefined;
  const table = tableLabel(change.relation);
  const column = ident(change.cmd.name);
  const fresh = ident(`${change.cmd.name}_new`);
  const type = describeType(change.to);
  return [
    { sql: `ALTER TABLE ${table} ADD COLUMN ${fresh} ${type};`, outsideTransaction: false, note: 'nullable, no default: instant' },
    {
      sql: `UPDATE ${table} SET ${fresh} = ${column}::${type} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${fresh} IS NULL AND ${column} IS NOT NULL LIMIT 10000);`,
      outsideTransaction: true,
      note: `${BY_HAND}, repeated until it updates 0 rows; rows that fail the cast show up here, not in the deploy`,
    },
    {
      sql: `ALTER TABLE ${table} DROP COLUMN ${column};\nALTER TABLE ${table} RENAME COLUMN ${fresh} TO ${column};`,
      outsideTransaction: false,
      note: `${LATER_RUN}, once the code writes both columns and reads the new one`,
    },
  ];
}

export function concurrentIndexSteps(stmt: StatementUnderReview): RewriteStep[] | undefined {
  const index = nodeOf(stmt.ast, 'IndexStmt');
  if (!index) return undefined;
  const sql = body(stmt).replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(?!CONCURRENTLY)/i, '$1CONCURRENTLY ');
  return [
    {
      sql: `${sql};`,
      outsideTransaction: true,
      note: `${BY_HAND}, or as the only statement of a migration run without a transaction; if it fails, DROP INDEX CONCURRENTLY the INVALID index it leaves and retry`,
    },
  ];
}

export function concurrentDropIndexSteps(stmt: StatementUnderReview): RewriteStep[] | undefined {
  const sql = body(stmt).replace(/^(\s*DROP\s+INDEX\s+)(?!CONCURRENTLY)/i, '$1CONCURRENTLY ');
  return [{ sql: `${sql};`, outsideTransaction: true, note: BY_HAND }];
}

/** ADD CONSTRAINT (CHECK or FOREIGN KEY) NOT VALID now, VALIDATE CONSTRAINT in a later run. */
export function notValidThenValidateSteps(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined {
  const alter = alterExistingTable(stmt, ctx);
  const con = alter?.cmds.length === 1 ? nodeOf(alter.cmds[0]?.def, 'Constraint') : undefined;
  if (!alter || !con?.conname) return undefined;
  const table = tableLabel(alter.relation);
  return [
    { sql: `${body(stmt)} NOT VALID;`, outsideTransaction: false, note: 'checks new and updated rows only; brief lock' },
    {
      sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${ident(con.conname)};`,
      outsideTransaction: true,
      note: `${LATER_RUN}: SHARE UPDATE EXCLUSIVE, reads and writes go on while it scans`,
    },
  ];
}

export function uniqueUsingIndexSteps(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined {
  const alter = alterExistingTable(stmt, ctx);
  const con = alter?.cmds.length === 1 ? nodeOf(alter.cmds[0]?.def, 'Constraint') : undefined;
  if (!alter || !con?.conname || (con.contype !== 'CONSTR_UNIQUE' && con.contype !== 'CONSTR_PRIMARY')) return undefined;
  const keys = (con.keys ?? []).map((k) => ident(nodeOf(k, 'String')?.sval));
  if (keys.length === 0) return undefined;
  const table = tableLabel(alter.relation);
  const kind = con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
  return [
    {
      sql: `CREATE UNIQUE INDEX CONCURRENTLY ${ident(con.conname)} ON ${table} (${keys.join(', ')});`,
      outsideTransaction: true,
      note: BY_HAND,
    },
    {
      sql: `ALTER TABLE ${table} ADD CONSTRAINT ${ident(con.conname)} ${kind} USING INDEX ${ident(con.conname)};`,
      outsideTransaction: false,
      note: 'instant',
    },
  ];
}

export function setNotNullSteps(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined {
  const alter = alterExistingTable(stmt, ctx);
  const cmd = alter?.cmds.length === 1 ? alter.cmds[0] : undefined;
  if (!alter || cmd?.subtype !== 'AT_SetNotNull' || !cmd.name) return undefined;
  const table = tableLabel(alter.relation);
  const check = ident(`${alter.relation?.relname ?? 't'}_${cmd.name}_not_null`);
  const column = ident(cmd.name);
  return [
    {
      sql: `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID;`,
      outsideTransaction: false,
      note: 'brief lock, no scan',
    },
    {
      sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`,
      outsideTransaction: true,
      note: `${LATER_RUN}: scans without blocking reads or writes`,
    },
    {
      sql: `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;\nALTER TABLE ${table} DROP CONSTRAINT ${check};`,
      outsideTransaction: false,
      note: 'PG 12+ uses the validated check and skips the scan',
    },
  ];
}

export function volatileDefaultSteps(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined {
  const alter = alterExistingTable(stmt, ctx);
  const col = alter?.cmds.length === 1 && alter.cmds[0]?.subtype === 'AT_AddColumn' ? nodeOf(alter.cmds[0].def, 'ColumnDef') : undefined;
  const defaultAt = /\bDEFAULT\b/i.exec(stmt.sql);
  if (!alter || !col?.colname || !defaultAt) return undefined;
  // The default expression as written, up to the next column constraint or the end.
  const expression = stmt.sql
    .slice(defaultAt.index + 7)
    .replace(/;\s*$/, '')
    .split(/\s+(?:NOT\s+NULL|NULL|PRIMARY\s+KEY|UNIQUE|REFERENCES|CHECK|CONSTRAINT)\b/i)[0]
    ?.trim();
  if (!expression) return undefined;
  const table = tableLabel(alter.relation);
  const column = ident(col.colname);
  const type = nodeOf(alter.cmds[0]?.def, 'ColumnDef')?.typeName;
  const typeText = type ? stmt.sql.slice(stmt.sql.indexOf(column) + column.length, defaultAt.index).trim() : '';
  return [
    { sql: `ALTER TABLE ${table} ADD COLUMN ${column} ${typeText};`, outsideTransaction: false, note: 'no default: instant' },
    { sql: `ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${expression};`, outsideTransaction: false, note: 'new rows only' },
    {
      sql: `UPDATE ${table} SET ${column} = ${expression} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} IS NULL LIMIT 10000);`,
      outsideTransaction: true,
      note: `${BY_HAND}, repeated until it updates 0 rows`,
    },
  ];
}

export function enumValueOnItsOwnSteps(stmt: StatementUnderReview): RewriteStep[] | undefined {
  return [
    {
      sql: stmt.sql.trim(),
      outsideTransaction: true,
      note: 'as the only pending migration of a deploy (drizzle commits it before the next deploy uses the value)',
    },
  ];
}

export function concurrentReindexSteps(stmt: StatementUnderReview): RewriteStep[] | undefined {
  const sql = body(stmt).replace(
    /^(\s*REINDEX\s+(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE|SYSTEM)\s+)(?!CONCURRENTLY)/i,
    '$1CONCURRENTLY ',
  );
  return [{ sql: `${sql};`, outsideTransaction: true, note: `${BY_HAND} (PostgreSQL 12+)` }];
}

/** A statement PostgreSQL refuses inside a transaction block: the same SQL, run on its own. */
export function outsideTransactionSteps(stmt: StatementUnderReview): RewriteStep[] | undefined {
  if (!stmt.ast || stmt.inside) return undefined;
  return [
    { sql: `${body(stmt)};`, outsideTransaction: true, note: `${BY_HAND}, before or after the deploy, and removed from the migration` },
  ];
}
