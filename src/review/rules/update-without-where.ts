import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'update-without-where',
  category: 'destructive',
  appliesTo: ['UpdateStmt'],
  title: 'UPDATE without WHERE',
  why: 'An UPDATE with no WHERE clause overwrites the column in every row; the old values are gone.',
  fix: 'Add the WHERE clause that names the rows to change (data fixes should be idempotent: `WHERE col <> new_value`).',
  examples: {
    flagged: ['UPDATE "reports" SET "is_published" = false;', "UPDATE users SET role = 'user' FROM bans;"],
    accepted: ['UPDATE "organizations" SET "name" = btrim("name") WHERE "name" <> btrim("name");'],
  },
  check(stmt) {
    const update = nodeOf(stmt.ast, 'UpdateStmt');
    if (!update || update.whereClause) return [];
    return [`Overwrites every row of ${tableLabel(update.relation)}: the statement has no WHERE clause.`];
  },
});
