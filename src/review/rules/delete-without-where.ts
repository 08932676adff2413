import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { isUnbounded } from '../where-clause.ts';

export default defineRule({
  id: 'delete-without-where',
  category: 'destructive',
  appliesTo: ['DeleteStmt'],
  title: 'DELETE without WHERE',
  why: 'A DELETE with no WHERE clause, or one that holds for every row (`WHERE true`, `1 = 1`, `x = x`, `NOT false`), removes every row of the table.',
  fix: 'Add the WHERE clause that names the rows to delete; if all rows really must go, say so in the migration and back the table up.',
  examples: {
    flagged: [
      'DELETE FROM "organizations";',
      'WITH x AS (SELECT 1) DELETE FROM votes;',
      'DELETE FROM "organizations" WHERE true;',
      'DELETE FROM "organizations" WHERE NOT false;',
      'DELETE FROM "organizations" WHERE true OR "name" = \'x\';',
      'WITH gone AS (DELETE FROM "votes" RETURNING 1) SELECT count(*) FROM gone;',
    ],
    accepted: ['DELETE FROM "organizations" WHERE "id" = 42;', 'DELETE FROM "organizations" WHERE "id" = 42 AND true;'],
  },
  check(stmt) {
    const del = nodeOf(stmt.ast, 'DeleteStmt');
    if (!del || !isUnbounded(del.whereClause)) return [];
    const reason = del.whereClause ? 'its WHERE clause holds for every row' : 'the statement has no WHERE clause';
    return [`Deletes every row of ${tableLabel(del.relation)}: ${reason}.`];
  },
});
