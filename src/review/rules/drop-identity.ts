import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'drop-identity',
  category: 'breaking',
  appliesTo: ['AlterTableStmt'],
  title: 'Drop identity',
  why: "DROP IDENTITY removes the column's sequence: inserts that leave the id to the database now fail with a NOT NULL violation (https://www.postgresql.org/docs/current/sql-altertable.html).",
  fix: 'Keep the identity until no code inserts without an id, or replace it with a DEFAULT from a sequence in the same migration.',
  examples: {
    flagged: ['ALTER TABLE "votes" ALTER COLUMN "id" DROP IDENTITY;', 'ALTER TABLE "votes" ALTER COLUMN "id" DROP IDENTITY IF EXISTS;'],
    accepted: ['ALTER TABLE "votes" ALTER COLUMN "id" ADD GENERATED ALWAYS AS IDENTITY;'],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds
      .filter((c) => c.subtype === 'AT_DropIdentity')
      .map((c) => `Drops the identity of "${c.name}" on ${tableLabel(alter.relation)}: inserts without an id fail.`);
  },
});
