import { kindOf } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE } from '../drizzle-transaction.ts';
import { defineRule } from '../rule.ts';

const CANNOT_RUN_IN_TRANSACTION: Record<string, string> = {
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
};

export default defineRule({
  id: 'non-transactional-statement',
  category: 'transaction',
  appliesTo: [
    'CreatedbStmt',
    'DropdbStmt',
    'AlterSystemStmt',
    'CreateTableSpaceStmt',
    'DropTableSpaceStmt',
    'CreateSubscriptionStmt',
    'TransactionStmt',
  ],
  title: 'Statement that breaks the migration transaction',
  why: `Some statements cannot run in a transaction block, and BEGIN/COMMIT/ROLLBACK in a migration end drizzle's transaction half way, so a later failure leaves the database half migrated. ${DRIZZLE_TRANSACTION_NOTE}`,
  fix: 'Remove transaction control from the migration; run database-level statements by hand, outside the migrator.',
  examples: {
    flagged: ['COMMIT;', 'BEGIN;', 'CREATE DATABASE "analytics";', "ALTER SYSTEM SET work_mem = '64MB';"],
    accepted: ["SET LOCAL lock_timeout = '5s';", 'SAVEPOINT before_fix;'],
  },
  check(stmt) {
    if (!stmt.ast) return [];
    const kind = kindOf(stmt.ast);
    const statement = CANNOT_RUN_IN_TRANSACTION[kind];
    if (statement) return [`${statement} cannot run inside the transaction drizzle wraps around pending migrations.`];
    if (kind === 'TransactionStmt') {
      const txKind = (stmt.ast as { TransactionStmt: { kind?: string } }).TransactionStmt.kind ?? '';
      if (/SAVEPOINT|RELEASE|ROLLBACK_TO/.test(txKind)) return [];
      return [
        `${txKind.replace('TRANS_STMT_', '')} inside a migration ends or nests drizzle's transaction: what follows is no longer atomic.`,
      ];
    }
    return [];
  },
});
