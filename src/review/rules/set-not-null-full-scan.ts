import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { setNotNullSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'set-not-null-full-scan',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'SET NOT NULL scans the table',
  why: 'SET NOT NULL reads every row to prove there is no NULL while holding ACCESS EXCLUSIVE (no reads or writes), unless a validated CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+).',
  fix: 'Add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE it in a later deploy, then SET NOT NULL (no scan) and drop the check.',
  examples: {
    flagged: ['ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" SET NOT NULL;'],
    accepted: [
      '-- applied earlier\nCREATE TABLE "media" ("uploaded_by_user_id" integer);\nALTER TABLE "media" ADD CONSTRAINT "media_uploader_nn" CHECK ("uploaded_by_user_id" IS NOT NULL) NOT VALID;\nALTER TABLE "media" VALIDATE CONSTRAINT "media_uploader_nn";\n-- pending\nALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" SET NOT NULL;',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" ALTER COLUMN "a" SET NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds
      .filter((c) => c.subtype === 'AT_SetNotNull' && !ctx.catalog.hasValidatedNotNullCheck(alter.relation, c.name))
      .map((c) => `Scans every row of ${tableLabel(alter.relation)} for a NULL in "${c.name}" while blocking reads and writes.`);
  },
  rewrite: setNotNullSteps,
});
