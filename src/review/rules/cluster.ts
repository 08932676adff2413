import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'cluster',
  category: 'locking',
  appliesTo: ['ClusterStmt'],
  title: 'CLUSTER',
  why: 'CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes.',
  fix: 'Run it (or pg_repack) from an operations job in a quiet window, not from a migration.',
  examples: {
    flagged: ['CLUSTER "reports" USING "reports_created_at_idx";', 'CLUSTER;'],
    accepted: ['ALTER TABLE "reports" CLUSTER ON "reports_created_at_idx";'],
  },
  check(stmt) {
    const cluster = nodeOf(stmt.ast, 'ClusterStmt');
    if (!cluster) return [];
    return [`Rewrites ${cluster.relation ? tableLabel(cluster.relation) : 'every previously clustered table'} under ACCESS EXCLUSIVE.`];
  },
});
