import { nodeOf, tableLabel } from '../ast.ts';
import { columnConstraints } from '../column-def.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { uniqueUsingIndexSteps } from '../safe-rewrites.ts';

const KIND = { CONSTR_UNIQUE: 'UNIQUE constraint', CONSTR_PRIMARY: 'primary key', CONSTR_EXCLUSION: 'exclusion constraint' } as const;

export default defineRule({
  id: 'add-unique-or-primary-key',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'UNIQUE or PRIMARY KEY built in place',
  why: 'Adding a UNIQUE, PRIMARY KEY or EXCLUDE constraint builds its index under an ACCESS EXCLUSIVE lock: the table is unreadable until it is done.',
  fix: 'CREATE UNIQUE INDEX CONCURRENTLY first (outside the transaction), then `ADD CONSTRAINT ... UNIQUE USING INDEX`, which is instant.',
  examples: {
    flagged: [
      'ALTER TABLE "roles" ADD CONSTRAINT "roles_shareable_uuid_unique" UNIQUE("shareable_uuid");',
      'ALTER TABLE "organization_hierarchy" ADD CONSTRAINT "pk" PRIMARY KEY ("parent_id", "child_id");',
      'ALTER TABLE "reports" ADD COLUMN "slug" text UNIQUE;',
    ],
    accepted: [
      'ALTER TABLE "roles" ADD CONSTRAINT "roles_shareable_uuid_unique" UNIQUE USING INDEX "roles_shareable_uuid_idx";',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" ADD CONSTRAINT "t_a_unique" UNIQUE("a");',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    const table = tableLabel(alter.relation);
    return alter.cmds.flatMap((c) => {
      if (c.subtype === 'AT_AddConstraint') {
        const con = nodeOf(c.def, 'Constraint');
        if (!con?.contype || !(con.contype in KIND) || con.indexname) return [];
        return [
          `Adds ${KIND[con.contype as keyof typeof KIND]} ${con.conname ? `"${con.conname}" ` : ''}to ${table}, building its index while blocking reads and writes.`,
        ];
      }
      if (c.subtype === 'AT_AddColumn') {
        const col = nodeOf(c.def, 'ColumnDef');
        const inline = columnConstraints(col).find((k) => k.contype === 'CONSTR_UNIQUE' || k.contype === 'CONSTR_PRIMARY');
        if (!inline?.contype) return [];
        return [
          `Adds column "${col?.colname}" to ${table} with an inline ${KIND[inline.contype as keyof typeof KIND]}, building its index while blocking reads and writes.`,
        ];
      }
      return [];
    });
  },
  rewrite: uniqueUsingIndexSteps,
});
