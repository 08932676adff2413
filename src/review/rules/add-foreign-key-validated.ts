import { nodeOf, tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { notValidThenValidateSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'add-foreign-key-validated',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'Foreign key validated on add',
  why: 'Adding a foreign key scans the whole table to validate it while holding SHARE ROW EXCLUSIVE locks on both tables, blocking their writes.',
  fix: 'Add it with NOT VALID (new rows are checked at once), then `ALTER TABLE ... VALIDATE CONSTRAINT` in a later migration, which blocks no writes.',
  examples: {
    flagged: [
      'ALTER TABLE "reports" ADD CONSTRAINT "reports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;',
    ],
    accepted: [
      'ALTER TABLE "reports" ADD CONSTRAINT "fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") NOT VALID;',
      'CREATE TABLE "t" ("user_id" int);\nALTER TABLE "t" ADD CONSTRAINT "t_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id");',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds.flatMap((c) => {
      const con = c.subtype === 'AT_AddConstraint' ? nodeOf(c.def, 'Constraint') : undefined;
      if (con?.contype !== 'CONSTR_FOREIGN' || con.skip_validation) return [];
      return [
        `Adds foreign key ${con.conname ? `"${con.conname}" ` : ''}on ${tableLabel(alter.relation)} to ${tableLabel(con.pktable)} and validates every row while blocking writes to both.`,
      ];
    });
  },
  rewrite: notValidThenValidateSteps,
});
