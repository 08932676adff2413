import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'drop-column',
  category: 'destructive',
  appliesTo: ['AlterTableStmt'],
  title: 'Drop column',
  why: 'Dropping a column deletes its value in every row, and running code that still selects it fails.',
  fix: 'Stop reading and writing the column in a deploy first, copy the data aside if it may be needed, then drop it in a later migration.',
  examples: {
    flagged: ['ALTER TABLE "users" DROP COLUMN "legacy_profile_url";', 'ALTER TABLE users DROP COLUMN IF EXISTS a, DROP COLUMN b;'],
    accepted: [
      'CREATE TABLE "t" ("a" int, "b" int);\nALTER TABLE "t" DROP COLUMN "b";',
      'ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL;',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds
      .filter((c) => c.subtype === 'AT_DropColumn')
      .map((c) => `Drops column "${c.name}" from ${tableLabel(alter.relation)}: its data is gone for good.`);
  },
});
