import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { isConstantValue, isUnbounded, leavesOnlyValueOrNull } from '../where-clause.ts';

export default defineRule({
  id: 'update-erases-column',
  category: 'destructive',
  appliesTo: ['UpdateStmt'],
  title: 'UPDATE that erases a column',
  why: "An UPDATE that sets a column to NULL or one constant for exactly the rows that hold anything else (`SET bio = NULL WHERE bio IS NOT NULL`, `SET plan = 'free' WHERE plan <> 'free'`) wipes that column in every row, although it has a WHERE clause.",
  notes:
    "The rule fires only when the WHERE selects by the erased column alone, so that every row it leaves out already holds the new value or NULL; a WHERE that also tests another column (`WHERE plan <> 'free' AND org_id = 7`) is a targeted data fix and is not flagged. A table the run created, or a temporary table, holds no data yet.",
  fix: 'If the column is no longer needed, drop it in a later release once no code reads it; if only some rows must change, name them in the WHERE clause. Keep a copy of the old values first if they may be needed.',
  examples: {
    flagged: [
      'UPDATE "users" SET "bio" = NULL WHERE "bio" IS NOT NULL;',
      'UPDATE "users" SET "plan" = \'free\' WHERE "plan" <> \'free\';',
      'UPDATE "users" SET "plan" = \'free\' WHERE "plan" IS DISTINCT FROM \'free\'::text;',
      'UPDATE "users" SET "plan" = \'free\' WHERE "plan" <> \'free\' OR "plan" IS NULL;',
    ],
    accepted: [
      'UPDATE "users" SET "plan" = \'free\' WHERE "plan" = \'trial\';',
      'UPDATE "users" SET "plan" = \'free\' WHERE "plan" <> \'free\' AND "org_id" = 7;',
      'UPDATE "users" SET "bio" = btrim("bio") WHERE "bio" IS NOT NULL;',
      'CREATE TABLE "t" ("bio" text);\nUPDATE "t" SET "bio" = NULL WHERE "bio" IS NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    const update = nodeOf(stmt.ast, 'UpdateStmt');
    const where = update?.whereClause;
    // No WHERE, or one true for every row: update-without-where says so.
    if (!update || !where || isUnbounded(where)) return [];
    if (ctx.isNewTable(update.relation) || ctx.isTemporaryTable(update.relation)) return [];
    return nodesOf(update.targetList, 'ResTarget').flatMap((target) => {
      const value = target.val;
      if (!target.name || !isConstantValue(value) || !leavesOnlyValueOrNull(where, target.name, value)) return [];
      const to = constantText(value);
      return [
        `Sets "${target.name}" of ${tableLabel(update.relation)} to ${to} in every row that holds anything else: the column's data is erased.`,
      ];
    });
  },
});

/** The constant as SQL spells it: NULL, 'free', 0, false. */
function constantText(value: import('libpg-query').Node): string {
  const cast = nodeOf(value, 'TypeCast');
  const constant = nodeOf(cast?.arg ?? value, 'A_Const');
  if (!constant || constant.isnull) return constant ? 'NULL' : 'one constant';
  if (constant.sval) return `'${constant.sval.sval ?? ''}'`;
  if (constant.ival) return String(constant.ival.ival ?? 0);
  if (constant.boolval) return String(constant.boolval.boolval === true);
  return constant.fval?.fval ?? 'one constant';
}
