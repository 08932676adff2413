import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import { nodeOf, nodesOf, qualifiedName, tableKey } from './ast.ts';
import { LOCK_MODES, type LockMode, type RelationLock } from './model.ts';

// The table-level lock each statement takes, from PostgreSQL's documentation of each command
// (https://www.postgresql.org/docs/current/explicit-locking.html, "Table-Level Lock Modes", and
// each command's page: ALTER TABLE's "Notes" lists the sub-commands that take less than ACCESS
// EXCLUSIVE). drizzle runs the pending set in one transaction, so each lock is held until the
// last pending statement commits.

const BLOCKS: Record<LockMode, string> = {
  'ACCESS SHARE': 'no reads or writes',
  'ROW SHARE': 'no reads or writes',
  'ROW EXCLUSIVE': 'no reads or writes',
  'SHARE UPDATE EXCLUSIVE': 'no reads or writes',
  SHARE: 'writes',
  'SHARE ROW EXCLUSIVE': 'writes',
  EXCLUSIVE: 'writes',
  'ACCESS EXCLUSIVE': 'reads and writes',
};

export function blocksOf(mode: LockMode): string {
  return BLOCKS[mode];
}

export function lockRank(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

const SHARE_UPDATE_EXCLUSIVE_CMDS = new Set([
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_AttachPartition',
]);

function alterCmdLock(cmd: AlterTableCmd): LockMode {
  if (SHARE_UPDATE_EXCLUSIVE_CMDS.has(cmd.subtype ?? '')) return 'SHARE UPDATE EXCLUSIVE';
  const con = cmd.subtype === 'AT_AddConstraint' ? nodeOf(cmd.def, 'Constraint') : undefined;
  // ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables (ALTER TABLE, Notes).
  if (con?.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
  if (cmd.subtype === 'AT_DisableTrig' || cmd.subtype === 'AT_EnableTrig') return 'SHARE ROW EXCLUSIVE';
  return 'ACCESS EXCLUSIVE';
}

/** Locks on relations that existed before: a table created in the run is nobody's concern yet. */
export function statementLocks(ast: Node | undefined, isNewTable: (rel: RangeVar | undefined) => boolean): RelationLock[] {
  const locks = new Map<string, LockMode>();
  const take = (rel: RangeVar | undefined, mode: LockMode) => {
    if (!rel || isNewTable(rel)) return;
    const key = tableKey(rel);
    const held = locks.get(key);
    if (!held || lockRank(mode) > lockRank(held)) locks.set(key, mode);
  };
  const byName = (name: string, mode: LockMode) => {
    const [schema, relname] = name.includes('.') ? name.split('.') : [undefined, name];
    take({ schemaname: schema, relname }, mode);
  };

  const alter = nodeOf(ast, 'AlterTableStmt');
  if (alter) {
    const cmds = nodesOf(alter.cmds, 'AlterTableCmd');
    for (const cmd of cmds) {
      take(alter.relation, alterCmdLock(cmd));
      const con = nodeOf(cmd.def, 'Constraint');
      if (con?.contype === 'CONSTR_FOREIGN') take(con.pktable, 'SHARE ROW EXCLUSIVE');
    }
    // ALTER INDEX ... RENAME and friends name an index; Postgres locks it, not a table.
  }
  const create = nodeOf(ast, 'CreateStmt');
  for (const con of nodesOf(create?.tableElts, 'Constraint'))
    if (con.contype === 'CONSTR_FOREIGN') take(con.pktable, 'SHARE ROW EXCLUSIVE');
  for (const col of nodesOf(create?.tableElts, 'ColumnDef'))
    for (const con of nodesOf(col.constraints, 'Constraint'))
      if (con.contype === 'CONSTR_FOREIGN') take(con.pktable, 'SHARE ROW EXCLUSIVE');

  const index = nodeOf(ast, 'IndexStmt');
  if (index) take(index.relation, index.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');

  const drop = nodeOf(ast, 'DropStmt');
  if (drop && ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX'].includes(drop.removeType ?? '')) {
    const mode: LockMode = drop.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    for (const list of nodesOf(drop.objects, 'List')) byName(qualifiedName(list.items), mode);
  }
  const rename = nodeOf(ast, 'RenameStmt');
  if (rename?.relation) take(rename.relation, rename.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');

  const truncate = nodeOf(ast, 'TruncateStmt');
  for (const rel of nodesOf(truncate?.relations, 'RangeVar')) take(rel, 'ACCESS EXCLUSIVE');
  take(nodeOf(ast, 'UpdateStmt')?.relation, 'ROW EXCLUSIVE');
  take(nodeOf(ast, 'DeleteStmt')?.relation, 'ROW EXCLUSIVE');
  take(nodeOf(ast, 'InsertStmt')?.relation, 'ROW EXCLUSIVE');
  const trigger = nodeOf(ast, 'CreateTrigStmt');
  if (trigger) take(trigger.relation, 'SHARE ROW EXCLUSIVE');
  const cluster = nodeOf(ast, 'ClusterStmt');
  if (cluster) take(cluster.relation, 'ACCESS EXCLUSIVE');
  const vacuum = nodeOf(ast, 'VacuumStmt');
  if (vacuum) {
    const full = nodesOf(vacuum.options, 'DefElem').some((d) => d.defname === 'full');
    for (const rel of nodesOf(vacuum.rels, 'VacuumRelation')) take(rel.relation, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
  }
  const reindex = nodeOf(ast, 'ReindexStmt');
  if (reindex?.relation && reindex.kind === 'REINDEX_OBJECT_TABLE') {
    const concurrent = nodesOf(reindex.params, 'DefElem').some((d) => d.defname === 'concurrently');
    take(reindex.relation, concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
  }

  return [...locks].map(([relation, mode]) => ({ relation, mode, blocks: BLOCKS[mode] }));
}

/** The strongest of several locks; the first among equals. */
export function strongest(locks: readonly RelationLock[]): RelationLock | undefined {
  return locks.reduce<RelationLock | undefined>((best, l) => (!best || lockRank(l.mode) > lockRank(best.mode) ? l : best), undefined);
}

/** `ACCESS EXCLUSIVE on "users" (blocks reads and writes)`. */
export function describeLock(lock: Pick<RelationLock, 'mode' | 'relation' | 'blocks'>): string {
  const name = lock.relation.startsWith('public.') ? lock.relation.slice(7) : lock.relation;
  return `${lock.mode} on "${name}" (${lock.blocks === 'no reads or writes' ? 'blocks no reads or writes' : `blocks ${lock.blocks}`})`;
}
