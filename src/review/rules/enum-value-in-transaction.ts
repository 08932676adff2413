import { nodeOf, qualifiedName } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE, OWN_STEP_NOTE } from '../drizzle-transaction.ts';
import { defineRule, type StatementUnderReview } from '../rule.ts';
import { enumValueOnItsOwnSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'enum-value-in-transaction',
  category: 'transaction',
  appliesTo: ['AlterEnumStmt'],
  title: 'New enum value used in the same transaction',
  why: `A value added with ALTER TYPE ... ADD VALUE cannot be used until its transaction commits ("unsafe use of new value"). ${DRIZZLE_TRANSACTION_NOTE} ${OWN_STEP_NOTE} Flagged only when a later statement of the same run uses the value, or when a later statement cannot be read.`,
  fix: 'Ship the ADD VALUE on its own and let it be applied before any migration that uses the new value.',
  examples: {
    flagged: [
      'ALTER TYPE "public"."media_type" ADD VALUE \'pdf\';\nUPDATE "media" SET "type" = \'pdf\' WHERE "url" LIKE \'%.pdf\';',
      "ALTER TYPE vote_type ADD VALUE IF NOT EXISTS 'abstain' BEFORE 'downvote';\nDO $$ BEGIN EXECUTE 'select 1'; END $$;",
    ],
    accepted: [
      'ALTER TYPE "public"."media_type" ADD VALUE \'pdf\';',
      "ALTER TYPE \"vote_type\" RENAME VALUE 'upvote' TO 'up';",
      'CREATE TYPE "mood" AS ENUM(\'ok\');',
    ],
  },
  check(stmt, ctx) {
    const alter = nodeOf(stmt.ast, 'AlterEnumStmt');
    if (!alter || alter.oldVal !== undefined || alter.newVal === undefined) return [];
    const value = alter.newVal;
    const type = qualifiedName(alter.typeName);
    const later = ctx.later();
    const user = later.find((s) => usesValue(s, value));
    if (user) {
      return [
        `Adds '${value}' to enum "${type}", and a later statement of the same run uses it (${firstLine(user.sql)}): the migrator commits the value as its own step first, so the run is not all or nothing (drizzle-kit migrate would fail with "unsafe use of new value").`,
      ];
    }
    const unreadable = later.find((s) => !s.ast || /\bEXECUTE\b/i.test(s.sql));
    if (unreadable) {
      return [
        `Adds '${value}' to enum "${type}"; a later statement of the same run cannot be read fully (${firstLine(unreadable.sql)}), so the migrator commits the value as its own step in case it does: the run is not all or nothing.`,
      ];
    }
    return [];
  },
  rewrite: enumValueOnItsOwnSteps,
});

/** The value as a string literal anywhere in the statement, DO bodies included: conservative by design. */
function usesValue(stmt: StatementUnderReview, value: string): boolean {
  if (nodeOf(stmt.ast, 'AlterEnumStmt')) return false;
  return stmt.sql.includes(`'${value.replaceAll("'", "''")}'`);
}

function firstLine(sql: string): string {
  const line = sql.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
