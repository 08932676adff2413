import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { LOCK_MODES } from '../model.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'lock-table',
  category: 'locking',
  appliesTo: ['LockStmt'],
  title: 'LOCK TABLE',
  why: "LOCK TABLE takes the lock it names (ACCESS EXCLUSIVE by default) and holds it until drizzle's transaction commits, after the last pending migration: reads and writes wait that long (https://www.postgresql.org/docs/current/sql-lock.html).",
  fix: 'Drop the explicit lock: each statement takes the lock it needs; set lock_timeout so the migration gives up instead of queueing traffic behind it.',
  examples: {
    flagged: ['LOCK TABLE "votes";', 'LOCK TABLE "votes" IN SHARE MODE;'],
    accepted: ['CREATE TABLE "t" ("id" int);\nLOCK TABLE "t";'],
  },
  check(stmt, ctx) {
    const lock = nodeOf(stmt.ast, 'LockStmt');
    if (!lock) return [];
    const tables = nodesOf(lock.relations, 'RangeVar').filter((r) => !ctx.isNewTable(r));
    if (tables.length === 0) return [];
    // LockStmt.mode is the lock mode number, 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE): src/include/storage/lockdefs.h.
    const mode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
    return [`Locks ${tables.map(tableLabel).join(', ')} in ${mode} mode until the run commits.`];
  },
});
