import { tableLabel } from '../ast.ts';
import { describeType } from '../column-type.ts';
import { defineRule, judgedTypeChanges } from '../rule.ts';
import { typeChangeSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'alter-column-type-rewrite',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'Type change rewrites the table',
  why: 'ALTER COLUMN TYPE holds an ACCESS EXCLUSIVE lock while it rewrites the table and rebuilds its indexes (only binary-coercible changes, such as widening a varchar or varchar to text, skip the rewrite).',
  fix: 'Add a new column of the new type, backfill it in batches, switch the code over, and drop the old column later.',
  examples: {
    flagged: [
      'ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" SET DATA TYPE numeric(5, 4);',
      '-- applied earlier\nCREATE TABLE "media" ("file_size" integer);\n-- pending\nALTER TABLE "media" ALTER COLUMN "file_size" SET DATA TYPE bigint;',
    ],
    accepted: [
      'CREATE TABLE "t" ("c" real);\nALTER TABLE "t" ALTER COLUMN "c" SET DATA TYPE numeric(5, 4);',
      'ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" DROP NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    return judgedTypeChanges(stmt, ctx)
      .filter((c) => c.verdict.rewrites)
      .map(
        ({ relation, cmd, from, to }) =>
          `Changing ${tableLabel(relation)}."${cmd.name}"${from ? ` from ${describeType(from)}` : ''} to ${to ? describeType(to) : 'another type'} rewrites the whole table while blocking reads and writes.`,
      );
  },
  rewrite: typeChangeSteps,
});
