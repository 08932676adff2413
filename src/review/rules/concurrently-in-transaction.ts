import { nodeOf, nodesOf } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE } from '../drizzle-transaction.ts';
import { defineRule } from '../rule.ts';
import { outsideTransactionSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'concurrently-in-transaction',
  category: 'transaction',
  appliesTo: ['IndexStmt', 'DropStmt', 'ReindexStmt', 'AlterTableStmt'],
  title: 'CONCURRENTLY inside the migration transaction',
  why: `CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run inside a transaction block. ${DRIZZLE_TRANSACTION_NOTE}`,
  fix: "Run the concurrent statement outside drizzle's migrator (an operations job), then add a migration that only records it, e.g. with IF NOT EXISTS.",
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
    const message = 'Cannot run inside the transaction drizzle wraps around pending migrations: the whole migration run fails.';
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
