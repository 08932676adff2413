import { nodeOf } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE, OWN_STEP_NOTE } from '../drizzle-transaction.ts';
import { defineRule } from '../rule.ts';
import { outsideTransactionSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'vacuum-in-transaction',
  category: 'transaction',
  appliesTo: ['VacuumStmt'],
  title: 'VACUUM inside the migration transaction',
  why: `VACUUM cannot run inside a transaction block. ${DRIZZLE_TRANSACTION_NOTE} ${OWN_STEP_NOTE}`,
  fix: 'Leave vacuuming to autovacuum or an operations job; use ANALYZE if the migration needs fresh statistics.',
  examples: { flagged: ['VACUUM "reports";', 'VACUUM (FULL) "votes";'], accepted: ['ANALYZE "reports";'] },
  check(stmt) {
    const vacuum = nodeOf(stmt.ast, 'VacuumStmt');
    return vacuum?.is_vacuumcmd
      ? [
          'VACUUM cannot run inside a transaction block: the migrator runs it as its own step, committing what ran before it, so the run is not all or nothing (drizzle-kit migrate would fail the whole run).',
        ]
      : [];
  },
  rewrite: outsideTransactionSteps,
});
