import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'truncate',
  category: 'destructive',
  appliesTo: ['TruncateStmt'],
  title: 'Truncate',
  why: 'TRUNCATE deletes every row at once, under an ACCESS EXCLUSIVE lock, and fires no DELETE triggers.',
  fix: 'Delete the specific rows with a WHERE clause, or archive the table first if it really must be emptied.',
  examples: {
    flagged: [
      'TRUNCATE "pow_challenges";',
      'TRUNCATE TABLE votes, reports RESTART IDENTITY CASCADE;',
      'CREATE TEMP TABLE "t" ("id" int);\nDROP TABLE "t";\nTRUNCATE "t";',
    ],
    accepted: [
      'DELETE FROM "pow_challenges" WHERE "expires_at" < now();',
      'CREATE TEMP TABLE "vote_backfill" AS SELECT "id" FROM "votes" WHERE "voter_id" IS NULL;\nUPDATE "votes" SET "voter_id" = 0 WHERE "id" IN (SELECT "id" FROM "vote_backfill");\nTRUNCATE "vote_backfill";',
      'CREATE TABLE "staging" ("id" int);\nTRUNCATE "staging";',
    ],
  },
  check(stmt, ctx) {
    const truncate = nodeOf(stmt.ast, 'TruncateStmt');
    if (!truncate) return [];
    // A table the run created holds only the run's own rows (a temporary one is the session's
    // own). CASCADE also empties the tables that reference it: none can reference a temporary
    // table ("constraints on permanent tables may reference only permanent tables", CREATE
    // TABLE), but an existing table may have been given a foreign key to a new one.
    const cascade = truncate.behavior === 'DROP_CASCADE';
    const existing = nodesOf(truncate.relations, 'RangeVar').filter((r) => !ctx.isTemporaryTable(r) && (cascade || !ctx.isNewTable(r)));
    if (existing.length === 0) return [];
    const tables = existing.map(tableLabel).join(', ');
    return [`Empties ${tables}${cascade ? ', and CASCADE empties every table that references them' : ''}.`];
  },
});
