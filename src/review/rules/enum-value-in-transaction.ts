import { nodeOf, qualifiedName } from '../ast.ts';
import { DRIZZLE_TRANSACTION_NOTE } from '../drizzle-transaction.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'enum-value-in-transaction',
  category: 'transaction',
  appliesTo: ['AlterEnumStmt'],
  title: 'New enum value used in the same transaction',
  why: `A value added with ALTER TYPE ... ADD VALUE cannot be used until its transaction commits ("unsafe use of new value"). ${DRIZZLE_TRANSACTION_NOTE} A later pending migration that uses the value fails the run.`,
  fix: 'Ship the ADD VALUE on its own and let it be applied before any migration that uses the new value.',
  examples: {
    flagged: [
      'ALTER TYPE "public"."media_type" ADD VALUE \'pdf\';',
      "ALTER TYPE vote_type ADD VALUE IF NOT EXISTS 'abstain' BEFORE 'downvote';",
    ],
    accepted: ["ALTER TYPE \"vote_type\" RENAME VALUE 'upvote' TO 'up';", 'CREATE TYPE "mood" AS ENUM(\'ok\');'],
  },
  check(stmt) {
    const alter = nodeOf(stmt.ast, 'AlterEnumStmt');
    if (!alter || alter.oldVal !== undefined || alter.newVal === undefined) return [];
    return [
      `Adds '${alter.newVal}' to enum "${qualifiedName(alter.typeName)}": it cannot be used by any statement in the same migration run.`,
    ];
  },
});
