import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'delete-without-where',
  category: 'destructive',
  appliesTo: ['DeleteStmt'],
  title: 'DELETE without WHERE',
  why: 'A DELETE with no WHERE clause removes every row of the table.',
  fix: 'Add the WHERE clause that names the rows to delete; if all rows really must go, say so in the migration and back the table up.',
  examples: {
    flagged: ['DELETE FROM "organizations";', 'WITH x AS (SELECT 1) DELETE FROM votes;'],
    accepted: ['DELETE FROM "organizations" WHERE "id" = 42;'],
  },
  check(stmt) {
    const del = nodeOf(stmt.ast, 'DeleteStmt');
    if (!del || del.whereClause) return [];
    return [`Deletes every row of ${tableLabel(del.relation)}: the statement has no WHERE clause.`];
  },
});
