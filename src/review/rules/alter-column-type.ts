import { tableLabel } from '../ast.ts';
import { isDestructive } from '../cast-safety.ts';
import { describeType } from '../column-type.ts';
import { defineRule, judgedTypeChanges } from '../rule.ts';
import { typeChangeSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'alter-column-type',
  category: 'destructive',
  appliesTo: ['AlterTableStmt'],
  title: 'Column type change that can lose data or fail',
  why: 'Changing a column type casts every value: a narrowing cast rounds or cuts data, a failing cast aborts the migration; widening casts (integer to bigint, varchar to text) are not flagged.',
  fix: 'Add a new column of the new type, backfill and verify it, switch the code over, then drop the old column.',
  examples: {
    flagged: [
      '-- applied earlier\nCREATE TABLE "media" ("file_size" bigint);\n-- pending\nALTER TABLE "media" ALTER COLUMN "file_size" SET DATA TYPE integer;',
      'ALTER TABLE t ALTER COLUMN c TYPE varchar(10) USING c::varchar(10);',
      'ALTER TABLE "t" ALTER COLUMN "c" SET DATA TYPE numeric(5, 4);',
    ],
    accepted: [
      'CREATE TABLE "t" ("c" integer);\nALTER TABLE "t" ALTER COLUMN "c" SET DATA TYPE smallint;',
      'ALTER TABLE "media" ALTER COLUMN "file_size" SET DEFAULT 0;',
    ],
  },
  check(stmt, ctx) {
    return judgedTypeChanges(stmt, ctx)
      .filter((c) => isDestructive(c.verdict))
      .map(
        ({ relation, cmd, from, to, verdict }) =>
          `Changes ${tableLabel(relation)}."${cmd.name}"${from ? ` from ${describeType(from)}` : ''} to ${to ? describeType(to) : 'another type'}: ${verdict.reason}.`,
      );
  },
  rewrite: typeChangeSteps,
});
