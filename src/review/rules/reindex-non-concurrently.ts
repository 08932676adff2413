import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { concurrentReindexSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'reindex-non-concurrently',
  category: 'locking',
  appliesTo: ['ReindexStmt'],
  title: 'REINDEX without CONCURRENTLY',
  why: 'REINDEX blocks writes to the table, and reads that would use the index, until the rebuild finishes.',
  fix: 'Use REINDEX CONCURRENTLY from an operations job, outside any transaction.',
  examples: { flagged: ['REINDEX INDEX "reports_title_idx";', 'REINDEX TABLE "reports";'], accepted: ['SELECT 1;'] },
  check(stmt) {
    const reindex = nodeOf(stmt.ast, 'ReindexStmt');
    if (!reindex || nodesOf(reindex.params, 'DefElem').some((d) => d.defname === 'concurrently')) return [];
    return [`Rebuilds ${reindex.relation ? tableLabel(reindex.relation) : `"${reindex.name}"`} while blocking writes.`];
  },
  rewrite: concurrentReindexSteps,
});
