import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import { kindOf, nodeOf, nodesOf, qualifiedName, tableKey } from './ast.ts';
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

const RANK = new Map<LockMode, number>(LOCK_MODES.map((m, i) => [m, i]));

export function lockRank(mode: LockMode): number {
  return RANK.get(mode) ?? -1;
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

const NONE: readonly RelationLock[] = Object.freeze([]);

/** Locks on relations that existed before: a table created in the run is nobody's concern yet. */
export function statementLocks(ast: Node | undefined, isNewTable: (rel: RangeVar | undefined) => boolean): readonly RelationLock[] {
  if (!ast) return NONE;
  const locks: RelationLock[] = [];
  const take = (rel: RangeVar | undefined, mode: LockMode) => {
    if (!rel || isNewTable(rel)) return;
    const relation = tableKey(rel);
    const held = locks.find((l) => l.relation === relation);
    if (!held) locks.push({ relation, mode, blocks: BLOCKS[mode] });
    else if (lockRank(mode) > lockRank(held.mode)) Object.assign(held, { mode, blocks: BLOCKS[mode] });
  };
  // One switch on the statement kind: this runs for every statement of every review.
  switch (kindOf(ast)) {
    case 'AlterTableStmt': {
      const alter = nodeOf(ast, 'AlterTableStmt');
      for (const cmd of nodesOf(alter?.cmds, 'AlterTableCmd')) {
        take(alter?.relation, alterCmdLock(cmd));
        const con = nodeOf(cmd.def, 'Constraint');
        if (con?.contype === 'CONSTR_FOREIGN') take(con.pktable, 'SHARE ROW EXCLUSIVE');
      }
      break;
    }
    case 'CreateStmt': {
      const create = nodeOf(ast, 'CreateStmt');
      for (const el of create?.tableElts ?? []) {
        const constraints = nodeOf(el, 'ColumnDef')?.constraints ?? [el];
        for (const con of nodesOf(constraints, 'Constraint'))
          if (con.contype === 'CONSTR_FOREIGN') take(con.pktable, 'SHARE ROW EXCLUSIVE');
      }
      break;
    }
    case 'IndexStmt': {
      const index = nodeOf(ast, 'IndexStmt');
      take(index?.relation, index?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    }
    case 'DropStmt': {
      const drop = nodeOf(ast, 'DropStmt');
      if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX'].includes(drop?.removeType ?? '')) break;
      const mode: LockMode = drop?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
      for (const list of nodesOf(drop?.objects, 'List')) {
        const name = qualifiedName(list.items);
        const [schemaname, relname] = name.includes('.') ? name.split('.') : [undefined, name];
        take({ schemaname, relname }, mode);
      }
      break;
    }
    case 'RenameStmt': {
      const rename = nodeOf(ast, 'RenameStmt');
      take(rename?.relation, rename?.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      break;
    }
    case 'TruncateStmt':
      for (const rel of nodesOf(nodeOf(ast, 'TruncateStmt')?.relations, 'RangeVar')) take(rel, 'ACCESS EXCLUSIVE');
      break;
    case 'UpdateStmt':
      take(nodeOf(ast, 'UpdateStmt')?.relation, 'ROW EXCLUSIVE');
      break;
    case 'DeleteStmt':
      take(nodeOf(ast, 'DeleteStmt')?.relation, 'ROW EXCLUSIVE');
      break;
    case 'InsertStmt':
      take(nodeOf(ast, 'InsertStmt')?.relation, 'ROW EXCLUSIVE');
      break;
    case 'CreateTrigStmt':
      take(nodeOf(ast, 'CreateTrigStmt')?.relation, 'SHARE ROW EXCLUSIVE');
      break;
    case 'ClusterStmt':
      take(nodeOf(ast, 'ClusterStmt')?.relation, 'ACCESS EXCLUSIVE');
      break;
    case 'VacuumStmt': {
      const vacuum = nodeOf(ast, 'VacuumStmt');
      const full = nodesOf(vacuum?.options, 'DefElem').some((d) => d.defname === 'full');
      for (const rel of nodesOf(vacuum?.rels, 'VacuumRelation')) take(rel.relation, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
      break;
    }
    case 'ReindexStmt': {
      const reindex = nodeOf(ast, 'ReindexStmt');
      if (reindex?.kind !== 'REINDEX_OBJECT_TABLE') break;
      const concurrent = nodesOf(reindex.params, 'DefElem').some((d) => d.defname === 'concurrently');
      take(reindex.relation, concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    }
  }
  return locks.length ? locks : NONE;
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
