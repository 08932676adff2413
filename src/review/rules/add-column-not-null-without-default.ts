import { nodeOf, tableLabel } from '../ast.ts';
import { columnDefault, hasConstraint, isSerialType } from '../column-def.ts';
import { alterExistingTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'add-column-not-null-without-default',
  category: 'breaking',
  appliesTo: ['AlterTableStmt'],
  title: 'New NOT NULL column without default',
  why: 'Adding a NOT NULL column with no default fails if the table has any row, and the running code does not fill it on insert.',
  fix: 'Add it nullable (or with a default), backfill, then SET NOT NULL in a later migration once the code writes it.',
  examples: {
    flagged: ['ALTER TABLE "reports" ADD COLUMN "language" varchar(8) NOT NULL;'],
    accepted: [
      'ALTER TABLE "reports" ADD COLUMN "language" varchar(8) DEFAULT \'fa\' NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "language" varchar(8);',
      'ALTER TABLE "reports" ADD COLUMN "seq" serial NOT NULL;',
      'CREATE TABLE "t" ("id" int);\nALTER TABLE "t" ADD COLUMN "a" int NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds.flatMap((c) => {
      const col = c.subtype === 'AT_AddColumn' ? nodeOf(c.def, 'ColumnDef') : undefined;
      if (!col) return [];
      const notNull = hasConstraint(col, 'CONSTR_NOTNULL') || hasConstraint(col, 'CONSTR_PRIMARY');
      const filled =
        columnDefault(col) !== undefined ||
        isSerialType(col) ||
        hasConstraint(col, 'CONSTR_IDENTITY') ||
        hasConstraint(col, 'CONSTR_GENERATED');
      return notNull && !filled
        ? [
            `Adds NOT NULL column "${col.colname}" to ${tableLabel(alter.relation)} with no default: fails on existing rows and on inserts from current code.`,
          ]
        : [];
    });
  },
});
