import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'drop-default',
  category: 'breaking',
  appliesTo: ['AlterTableStmt'],
  title: 'Drop column default',
  why: 'Inserts from running code that relied on the default now write NULL, or fail on a NOT NULL column.',
  fix: 'Make every writer set the column explicitly before the default is dropped.',
  examples: {
    flagged: ['ALTER TABLE "reports" ALTER COLUMN "is_published" DROP DEFAULT;'],
    accepted: [
      'ALTER TABLE "reports" ALTER COLUMN "is_published" SET DEFAULT true;',
      'CREATE TABLE "t" ("a" int DEFAULT 1);\nALTER TABLE "t" ALTER COLUMN "a" DROP DEFAULT;',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds
      .filter((c) => c.subtype === 'AT_ColumnDefault' && c.def === undefined)
      .map((c) => `Drops the default of ${tableLabel(alter.relation)}."${c.name}": inserts that relied on it change behaviour.`);
  },
});
