import type { Node } from 'libpg-query';
import { kindOf, type NodeKind, nodeOf, nodesOf } from './ast.ts';

// The allow-list. A statement kind is reviewed only if it is named here: either a rule judges it
// (the reason says which), or it can only add something nobody uses yet. Anything else the
// parser accepts is `unreviewable`: the reviewer never calls clean what it does not read.
// drizzle-kit's generated SQL (drizzle-kit/src/sqlgenerator.ts: CREATE TYPE/TABLE/INDEX/VIEW/
// SCHEMA/SEQUENCE/POLICY/ROLE, ALTER TABLE sub-commands, DO $$ ... duplicate_object $$) is all
// in this list, so the shipped history gains no findings from it.

export const UNDERSTOOD_STATEMENTS: Partial<Record<NodeKind, string>> = {
  CreateStmt: 'CREATE TABLE adds a table nobody uses yet; its columns feed the catalog',
  CreateEnumStmt: 'CREATE TYPE ... AS ENUM adds a type',
  CompositeTypeStmt: 'CREATE TYPE ... AS (...) adds a type',
  CreateDomainStmt: 'CREATE DOMAIN adds a type',
  CreateSchemaStmt: 'CREATE SCHEMA adds a namespace; the statements inside it are reviewed one by one',
  CreateSeqStmt: 'CREATE SEQUENCE adds a sequence',
  AlterSeqStmt: 'ALTER SEQUENCE: sequence-restart judges RESTART; the other options change future values only',
  CreateExtensionStmt: "CREATE EXTENSION installs the extension's own objects; it fails if the extension is absent",
  IndexStmt: 'CREATE INDEX: create-index-non-concurrently, concurrently-in-transaction',
  ViewStmt: 'CREATE VIEW: its query is read for the calls and writes it holds',
  CreateTableAsStmt: 'CREATE TABLE AS / MATERIALIZED VIEW: a new relation from a query',
  CommentStmt: 'COMMENT ON changes documentation only',
  AlterTableStmt: 'ALTER TABLE: each sub-command must be one the rules judge (ALTER_TABLE_COMMANDS)',
  RenameStmt: 'rename',
  AlterObjectSchemaStmt: 'set-schema',
  AlterEnumStmt: 'rename, enum-value-in-transaction',
  DropStmt: 'DROP: the object kinds in DROPPED_KINDS each have a rule',
  TruncateStmt: 'truncate',
  InsertStmt: 'INSERT adds rows; upsert-overwrites judges ON CONFLICT DO UPDATE',
  UpdateStmt: 'update-without-where',
  DeleteStmt: 'delete-without-where',
  MergeStmt: 'merge-delete',
  SelectStmt: 'SELECT reads; the functions it calls are judged (side-effect-function, remote-sql, routines created in the run)',
  DoStmt: 'dynamic-sql; the statements of its body are reviewed one by one',
  CreateFunctionStmt: 'a body in SQL or PL/pgSQL is reviewed statement by statement; other languages are unreviewable',
  CallStmt: 'judged by the body of the procedure, when the run created it; unreviewable otherwise',
  CreateTrigStmt: 'judged by the body of the trigger function, when the run created it; unreviewable otherwise',
  RuleStmt: "the rule's actions are reviewed one by one",
  ReturnStmt: 'RETURN expr, the body of a SQL-standard function: the calls in it are judged',
  CreatePolicyStmt: 'row-level-security',
  AlterPolicyStmt: 'row-level-security',
  GrantStmt: 'privilege-change',
  GrantRoleStmt: 'privilege-change',
  AlterDefaultPrivilegesStmt: 'privilege-change',
  CreateRoleStmt: 'role-change',
  AlterRoleStmt: 'role-change',
  AlterRoleSetStmt: 'role-change',
  DropRoleStmt: 'role-change',
  AlterOwnerStmt: 'owner-change',
  ReassignOwnedStmt: 'owner-change',
  DropOwnedStmt: 'drop-owned',
  LockStmt: 'lock-table',
  VariableSetStmt: 'SET of the settings in SETTINGS; session-identity judges SET ROLE and SESSION AUTHORIZATION',
  TransactionStmt: 'non-transactional-statement',
  CreatedbStmt: 'non-transactional-statement',
  DropdbStmt: 'drop-database, non-transactional-statement',
  AlterSystemStmt: 'non-transactional-statement',
  CreateTableSpaceStmt: 'non-transactional-statement',
  DropTableSpaceStmt: 'non-transactional-statement',
  CreateSubscriptionStmt: 'non-transactional-statement',
  VacuumStmt: 'vacuum-full, vacuum-in-transaction',
  ClusterStmt: 'cluster',
  ReindexStmt: 'reindex-non-concurrently',
};

/** ALTER TABLE sub-commands the rules judge (or that only add to a table). */
export const ALTER_TABLE_COMMANDS: Readonly<Record<string, string>> = {
  AT_AddColumn: 'add-column-not-null-without-default, add-column-volatile-default',
  AT_DropColumn: 'drop-column',
  AT_AlterColumnType: 'alter-column-type, alter-column-type-rewrite',
  AT_ColumnDefault: 'drop-default; SET DEFAULT applies to new rows only',
  AT_SetNotNull: 'set-not-null, set-not-null-full-scan',
  AT_DropNotNull: 'DROP NOT NULL only accepts more rows',
  AT_AddConstraint: 'add-check-validated, add-foreign-key-validated, add-unique-or-primary-key',
  AT_DropConstraint: 'DROP CONSTRAINT only accepts more rows',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT reads under SHARE UPDATE EXCLUSIVE, which blocks no traffic',
  AT_AddIdentity: 'ADD GENERATED AS IDENTITY attaches a sequence to an existing column without a rewrite',
  AT_SetIdentity: 'SET GENERATED / sequence options of an identity change future values only',
  AT_DropIdentity: 'drop-identity',
  AT_DropExpression: 'DROP EXPRESSION keeps the stored values as plain data',
  AT_EnableRowSecurity: 'row-level-security',
  AT_DisableRowSecurity: 'row-level-security',
  AT_ForceRowSecurity: 'row-level-security',
  AT_NoForceRowSecurity: 'row-level-security',
  AT_SetUnLogged: 'set-unlogged',
  AT_ChangeOwner: 'owner-change',
  AT_ClusterOn: 'CLUSTER ON only marks the index a later CLUSTER uses',
  AT_DropCluster: 'SET WITHOUT CLUSTER only clears that mark',
};

/** Object kinds a DROP may name: each has a rule. */
export const DROPPED_KINDS: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'drop-table',
  OBJECT_VIEW: 'drop-view',
  OBJECT_MATVIEW: 'drop-view',
  OBJECT_TYPE: 'drop-type',
  OBJECT_DOMAIN: 'drop-type, drop-cascade',
  OBJECT_SCHEMA: 'drop-schema',
  OBJECT_SEQUENCE: 'drop-sequence',
  OBJECT_INDEX: 'drop-index-non-concurrently',
  OBJECT_FUNCTION: 'drop-routine-or-extension',
  OBJECT_PROCEDURE: 'drop-routine-or-extension',
  OBJECT_ROUTINE: 'drop-routine-or-extension',
  OBJECT_AGGREGATE: 'drop-routine-or-extension',
  OBJECT_EXTENSION: 'drop-routine-or-extension',
  OBJECT_TRIGGER: 'drop-routine-or-extension',
  OBJECT_RULE: 'drop-routine-or-extension',
  OBJECT_POLICY: 'row-level-security',
};

/**
 * Settings a migration may SET. Others change how every later statement behaves (for example
 * `session_replication_role = replica` silently skips foreign keys and triggers), so they are
 * unreviewable. search_path is read by the new-table tracking, which owns its meaning.
 */
export const SETTINGS: Readonly<Record<string, string>> = {
  lock_timeout: 'bounds how long a statement waits for a lock',
  statement_timeout: 'bounds how long a statement runs',
  idle_in_transaction_session_timeout: 'bounds idle time',
  client_min_messages: 'changes what the client is told',
  search_path: 'read by the new-table tracking',
  maintenance_work_mem: 'memory for index builds',
  work_mem: 'memory for sorts',
  role: 'session-identity',
  session_authorization: 'session-identity',
};

/**
 * What of this statement the allow-list does not cover, in words for the finding; undefined when
 * every part of it is understood.
 */
export function notUnderstood(ast: Node): string | undefined {
  const kind = kindOf(ast);
  if (UNDERSTOOD_STATEMENTS[kind] === undefined) return `${kind} statements`;
  const alter = nodeOf(ast, 'AlterTableStmt');
  if (alter) {
    const objtype = alter.objtype ?? 'OBJECT_TABLE';
    for (const cmd of nodesOf(alter.cmds, 'AlterTableCmd')) {
      const subtype = cmd.subtype ?? '?';
      // On an index, a view or a sequence, only a change of owner is judged.
      const understood = objtype === 'OBJECT_TABLE' ? ALTER_TABLE_COMMANDS[subtype] : subtype === 'AT_ChangeOwner';
      if (!understood) return `ALTER ${objtype.replace('OBJECT_', '')} sub-command ${subtype}`;
    }
  }
  const drop = nodeOf(ast, 'DropStmt');
  if (drop && DROPPED_KINDS[drop.removeType ?? ''] === undefined) return `DROP ${(drop.removeType ?? '?').replace('OBJECT_', '')}`;
  const set = nodeOf(ast, 'VariableSetStmt');
  if (set?.name !== undefined && SETTINGS[set.name.toLowerCase()] === undefined) return `SET ${set.name}`;
  if (set?.kind === 'VAR_RESET_ALL') return 'RESET ALL';
  return undefined;
}
