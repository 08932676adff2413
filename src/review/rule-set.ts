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
import dropColumn from './rules/drop-column.ts';
import dropDatabase from './rules/drop-database.ts';
import dropDefault from './rules/drop-default.ts';
import dropIndexNonConcurrently from './rules/drop-index-non-concurrently.ts';
import dropSchema from './rules/drop-schema.ts';
import dropSequence from './rules/drop-sequence.ts';
import dropTable from './rules/drop-table.ts';
import dropType from './rules/drop-type.ts';
import dropView from './rules/drop-view.ts';
import dynamicSql from './rules/dynamic-sql.ts';
import enumValueInTransaction from './rules/enum-value-in-transaction.ts';
import misplacedStatementBreakpoint from './rules/misplaced-statement-breakpoint.ts';
import nonTransactionalStatement from './rules/non-transactional-statement.ts';
import reindexNonConcurrently from './rules/reindex-non-concurrently.ts';
import rename from './rules/rename.ts';
import setNotNull from './rules/set-not-null.ts';
import setNotNullFullScan from './rules/set-not-null-full-scan.ts';
import truncate from './rules/truncate.ts';
import unparsableSql from './rules/unparsable-sql.ts';
import updateWithoutWhere from './rules/update-without-where.ts';
import vacuumFull from './rules/vacuum-full.ts';
import vacuumInTransaction from './rules/vacuum-in-transaction.ts';

// Ordered by category, most serious first, so findings on one statement read that way too.
export const RULES: readonly Rule[] = [
  alterColumnType,
  deleteWithoutWhere,
  dropColumn,
  dropDatabase,
  dropSchema,
  dropSequence,
  dropTable,
  truncate,
  updateWithoutWhere,
  addColumnNotNullWithoutDefault,
  dropDefault,
  dropType,
  dropView,
  rename,
  setNotNull,
  addCheckValidated,
  addColumnVolatileDefault,
  addForeignKeyValidated,
  addUniqueOrPrimaryKey,
  alterColumnTypeRewrite,
  cluster,
  createIndexNonConcurrently,
  dropIndexNonConcurrently,
  reindexNonConcurrently,
  setNotNullFullScan,
  vacuumFull,
  concurrentlyInTransaction,
  enumValueInTransaction,
  nonTransactionalStatement,
  vacuumInTransaction,
  dynamicSql,
  misplacedStatementBreakpoint,
  unparsableSql,
];
