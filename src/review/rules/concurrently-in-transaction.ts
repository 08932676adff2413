import { nodeOf, nodesOf } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE, OWN_STEP_NOTE } from '../drizzle-transaction.ts';
import { defineRule } from '../rule.ts';
import { outsideTransactionSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'concurrently-in-transaction',
  category: 'transaction',
  appliesTo: ['IndexStmt', 'DropStmt', 'ReindexStmt', 'AlterTableStmt'],
  title: 'CONCURRENTLY inside the migration transaction',
  why: `CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run inside a transaction block. ${DRIZZLE_TRANSACTION_NOTE} ${OWN_STEP_NOTE}`,
  fix: 'Give the concurrent statement a migration of its own, so a failure leaves whole migrations applied or not. A failed build leaves an INVALID index: the migrator drops it and builds it again on the next run.',
  examples: {
    flagged: [
      'CREATE INDEX CONCURRENTLY "reports_title_idx" ON "reports" ("title");',
      'DROP INDEX CONCURRENTLY "reports_title_idx";',
      'REINDEX TABLE CONCURRENTLY "reports";',
      'ALTER TABLE "events" DETACH PARTITION "events_2024" CONCURRENTLY;',
    ],
    accepted: ['CREATE INDEX "reports_title_idx" ON "reports" ("title");', 'REFRESH MATERIALIZED VIEW CONCURRENTLY "trust_leaderboard";'],
  },
  check(stmt) {
    const message =
      'Cannot run inside a transaction block: the migrator runs it as its own step, committing what ran before it, so the run is not all or nothing (drizzle-kit migrate would fail the whole run).';
    if (nodeOf(stmt.ast, 'IndexStmt')?.concurrent) return [`CREATE INDEX CONCURRENTLY: ${message}`];
    if (nodeOf(stmt.ast, 'DropStmt')?.concurrent) return [`DROP INDEX CONCURRENTLY: ${message}`];
    const reindex = nodeOf(stmt.ast, 'ReindexStmt');
    if (reindex && nodesOf(reindex.params, 'DefElem').some((d) => d.defname === 'concurrently'))
      return [`REINDEX CONCURRENTLY: ${message}`];
    const alter = nodeOf(stmt.ast, 'AlterTableStmt');
    const detach = nodesOf(alter?.cmds, 'AlterTableCmd').some(
      (c) => c.subtype === 'AT_DetachPartition' && nodeOf(c.def, 'PartitionCmd')?.concurrent,
    );
    return detach ? [`DETACH PARTITION CONCURRENTLY: ${message}`] : [];
  },
  rewrite: outsideTransactionSteps,
});
