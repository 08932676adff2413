import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { concurrentIndexSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'create-index-non-concurrently',
  category: 'locking',
  appliesTo: ['IndexStmt'],
  title: 'Index built without CONCURRENTLY',
  why: 'CREATE INDEX takes a SHARE lock: every INSERT, UPDATE and DELETE on the table waits until the whole index is built.',
  fix: 'On a large, busy table use CREATE INDEX CONCURRENTLY in a migration of its own, run outside the migration transaction.',
  examples: {
    flagged: [
      'CREATE INDEX "reports_title_idx" ON "reports" USING btree ("title");',
      'CREATE UNIQUE INDEX "votes_x" ON "votes" ("report_id", "user_id");',
    ],
    accepted: [
      'CREATE TABLE "t" ("a" int);\nCREATE INDEX "t_a_idx" ON "t" ("a");',
      'CREATE INDEX CONCURRENTLY "reports_title_idx" ON "reports" ("title");',
    ],
  },
  check(stmt, ctx) {
    const index = nodeOf(stmt.ast, 'IndexStmt');
    if (!index || index.concurrent || ctx.isNewTable(index.relation)) return [];
    const name = index.idxname ? `"${index.idxname}" ` : '';
    return [`Builds ${index.unique ? 'unique ' : ''}index ${name}on ${tableLabel(index.relation)} while blocking its writes.`];
  },
  rewrite: concurrentIndexSteps,
});
