import { tableLabel } from '../ast.ts';
import { describeTypeChange } from '../column-def.ts';
import { defineRule, typeChangesOnExistingTable } from '../rule.ts';

export default defineRule({
  id: 'alter-column-type',
  category: 'destructive',
  appliesTo: ['AlterTableStmt'],
  title: 'Column type change',
  why: 'Changing a column type casts every value: a narrowing cast truncates or rounds data, a failing cast aborts the migration.',
  fix: 'Add a new column of the new type, backfill and verify it, switch the code over, then drop the old column.',
  examples: {
    flagged: [
      'ALTER TABLE "media" ALTER COLUMN "file_size" SET DATA TYPE bigint;',
      'ALTER TABLE t ALTER COLUMN c TYPE varchar(10) USING c::varchar(10);',
    ],
    accepted: [
      'CREATE TABLE "t" ("c" integer);\nALTER TABLE "t" ALTER COLUMN "c" SET DATA TYPE bigint;',
      'ALTER TABLE "media" ALTER COLUMN "file_size" SET DEFAULT 0;',
    ],
  },
  check(stmt, ctx) {
    return typeChangesOnExistingTable(stmt, ctx).map(
      ({ relation, cmd }) =>
        `Changes the type of ${tableLabel(relation)}."${cmd.name}" ${describeTypeChange(cmd)}: every value is cast, and a value that does not fit fails the migration or is cut.`,
    );
  },
});
