import { tableLabel } from '../ast.ts';
import { describeTypeChange } from '../column-def.ts';
import { defineRule, typeChangesOnExistingTable } from '../rule.ts';

export default defineRule({
  id: 'alter-column-type-rewrite',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'Type change rewrites the table',
  why: 'ALTER COLUMN TYPE holds an ACCESS EXCLUSIVE lock while it rewrites the table and rebuilds its indexes (only a few binary-compatible changes, such as widening a varchar, skip the rewrite).',
  fix: 'Add a new column of the new type, backfill it in batches, switch the code over, and drop the old column later.',
  examples: {
    flagged: ['ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" SET DATA TYPE numeric(5, 4);'],
    accepted: [
      'CREATE TABLE "t" ("c" real);\nALTER TABLE "t" ALTER COLUMN "c" SET DATA TYPE numeric(5, 4);',
      'ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" DROP NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    return typeChangesOnExistingTable(stmt, ctx).map(
      ({ relation, cmd }) =>
        `Changing ${tableLabel(relation)}."${cmd.name}" ${describeTypeChange(cmd)} can rewrite the whole table while blocking reads and writes.`,
    );
  },
});
