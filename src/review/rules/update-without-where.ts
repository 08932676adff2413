import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { isUnbounded } from '../where-clause.ts';

export default defineRule({
  id: 'update-without-where',
  category: 'destructive',
  appliesTo: ['UpdateStmt'],
  title: 'UPDATE without WHERE',
  why: 'An UPDATE with no WHERE clause, or one that holds for every row (`WHERE true`, `1 = 1`, `x = x`, `true OR ...`), overwrites the column in every row; the old values are gone.',
  fix: 'Add the WHERE clause that names the rows to change (data fixes should be idempotent: `WHERE col <> new_value`).',
  examples: {
    flagged: [
      'UPDATE "reports" SET "is_published" = false;',
      "UPDATE users SET role = 'user' FROM bans;",
      'UPDATE "reports" SET "is_published" = false WHERE 1 = 1;',
      'UPDATE "reports" SET "is_published" = false WHERE "id" = "id";',
    ],
    accepted: [
      'UPDATE "organizations" SET "name" = btrim("name") WHERE "name" <> btrim("name");',
      'UPDATE "reports" SET "is_published" = false WHERE "id" = 7 OR false;',
    ],
  },
  check(stmt) {
    const update = nodeOf(stmt.ast, 'UpdateStmt');
    if (!update || !isUnbounded(update.whereClause)) return [];
    const reason = update.whereClause ? 'its WHERE clause holds for every row' : 'the statement has no WHERE clause';
    return [`Overwrites every row of ${tableLabel(update.relation)}: ${reason}.`];
  },
});
