import { defineRule, droppedNames, quoted } from '../rule.ts';
import { concurrentDropIndexSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'drop-index-non-concurrently',
  category: 'locking',
  appliesTo: ['DropStmt'],
  title: 'DROP INDEX without CONCURRENTLY',
  why: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; behind a long query it queues every other query on that table.",
  fix: 'Use DROP INDEX CONCURRENTLY in a migration run outside the transaction, or set a short lock_timeout first.',
  examples: { flagged: ['DROP INDEX "reports_title_idx";'], accepted: ['DROP INDEX CONCURRENTLY "reports_title_idx";'] },
  check(stmt) {
    const dropped = droppedNames(stmt, ['OBJECT_INDEX']);
    if (!dropped || dropped.drop.concurrent) return [];
    return [`Drops index ${quoted(dropped.names)} under an ACCESS EXCLUSIVE lock on its table.`];
  },
  rewrite: concurrentDropIndexSteps,
});
