import type { Rule } from './rule.ts';
import addCheckValidated from './rules/add-check-validated.ts';
import addColumnNotNullWithoutDefault from './rules/add-column-not-null-without-default.ts';
import addColumnVolatileDefault from './rules/add-column-volatile-default.ts';
import addForeignKeyValidated from './rules/add-foreign-key-validated.ts';
import addUniqueOrPrimaryKey from './rules/add-unique-or-primary-key.ts';
import alterColumnType from './rules/alter-column-type.ts';
import alterColumnTypeRewrite from './rules/alter-column-type-rewrite.ts';
import cluster from './rules/cluster.ts';
import concurrentlyInTransaction from './rules/concurrently-in-transaction.ts';
import createIndexNonConcurrently from './rules/create-index-non-concurrently.ts';
import deleteWithoutWhere from './rules/delete-without-where.ts';
import dropCascade from './rules/drop-cascade.ts';
import dropColumn from './rules/drop-column.ts';
import dropDatabase from './rules/drop-database.ts';
import dropDefault from './rules/drop-default.ts';
import dropIdentity from './rules/drop-identity.ts';
import dropIndexNonConcurrently from './rules/drop-index-non-concurrently.ts';
import dropOwned from './rules/drop-owned.ts';
import dropRoutineOrExtension from './rules/drop-routine-or-extension.ts';
import dropSchema from './rules/drop-schema.ts';
import dropSequence from './rules/drop-sequence.ts';
import dropTable from './rules/drop-table.ts';
import dropType from './rules/drop-type.ts';
import dropView from './rules/drop-view.ts';
import dynamicSql from './rules/dynamic-sql.ts';
import enumValueInTransaction from './rules/enum-value-in-transaction.ts';
import lockTable from './rules/lock-table.ts';
import mergeDelete from './rules/merge-delete.ts';
import misplacedStatementBreakpoint from './rules/misplaced-statement-breakpoint.ts';
import nonTransactionalStatement from './rules/non-transactional-statement.ts';
import ownerChange from './rules/owner-change.ts';
import privilegeChange from './rules/privilege-change.ts';
import reindexNonConcurrently from './rules/reindex-non-concurrently.ts';
import rename from './rules/rename.ts';
import roleChange from './rules/role-change.ts';
import routineOutOfSight from './rules/routine-out-of-sight.ts';
import rowLevelSecurity from './rules/row-level-security.ts';
import sequenceRestart from './rules/sequence-restart.ts';
import sessionIdentity from './rules/session-identity.ts';
import setNotNull from './rules/set-not-null.ts';
import setNotNullFullScan from './rules/set-not-null-full-scan.ts';
import setSchema from './rules/set-schema.ts';
import setUnlogged from './rules/set-unlogged.ts';
import sideEffectFunction from './rules/side-effect-function.ts';
import sqlOutOfSight from './rules/sql-out-of-sight.ts';
import truncate from './rules/truncate.ts';
import unparsableSql from './rules/unparsable-sql.ts';
import unreviewedStatement from './rules/unreviewed-statement.ts';
import updateErasesColumn from './rules/update-erases-column.ts';
import updateWithoutWhere from './rules/update-without-where.ts';
import upsertOverwrites from './rules/upsert-overwrites.ts';
import vacuumFull from './rules/vacuum-full.ts';
import vacuumInTransaction from './rules/vacuum-in-transaction.ts';

// Ordered by category, most serious first, so findings on one statement read that way too.
export const RULES: readonly Rule[] = [
  alterColumnType,
  deleteWithoutWhere,
  dropCascade,
  dropColumn,
  dropDatabase,
  dropOwned,
  dropSchema,
  dropSequence,
  dropTable,
  mergeDelete,
  setUnlogged,
  sideEffectFunction,
  truncate,
  updateWithoutWhere,
  updateErasesColumn,
  upsertOverwrites,
  addColumnNotNullWithoutDefault,
  dropDefault,
  dropIdentity,
  dropRoutineOrExtension,
  dropType,
  dropView,
  rename,
  sequenceRestart,
  setNotNull,
  setSchema,
  ownerChange,
  privilegeChange,
  roleChange,
  rowLevelSecurity,
  sessionIdentity,
  addCheckValidated,
  addColumnVolatileDefault,
  addForeignKeyValidated,
  addUniqueOrPrimaryKey,
  alterColumnTypeRewrite,
  cluster,
  createIndexNonConcurrently,
  dropIndexNonConcurrently,
  lockTable,
  reindexNonConcurrently,
  setNotNullFullScan,
  vacuumFull,
  concurrentlyInTransaction,
  enumValueInTransaction,
  nonTransactionalStatement,
  vacuumInTransaction,
  dynamicSql,
  routineOutOfSight,
  sqlOutOfSight,
  misplacedStatementBreakpoint,
  unparsableSql,
  unreviewedStatement,
];
