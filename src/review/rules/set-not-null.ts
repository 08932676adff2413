import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { setNotNullSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'set-not-null',
  category: 'breaking',
  appliesTo: ['AlterTableStmt'],
  title: 'SET NOT NULL',
  why: 'SET NOT NULL fails the migration if any row holds NULL, rejects inserts from code that omits the column, and scans the table under ACCESS EXCLUSIVE.',
  fix: 'Backfill first, add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE it, then SET NOT NULL (Postgres 12+ uses the check and skips the scan).',
  examples: {
    flagged: ['ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" SET NOT NULL;'],
    accepted: [
      'ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" DROP NOT NULL;',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" ALTER COLUMN "a" SET NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds
      .filter((c) => c.subtype === 'AT_SetNotNull')
      .map((c) => `Makes ${tableLabel(alter.relation)}."${c.name}" NOT NULL: fails on existing NULLs and on inserts that omit it.`);
  },
  rewrite: setNotNullSteps,
});
