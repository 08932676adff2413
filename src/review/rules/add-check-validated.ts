import { nodeOf, tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { notValidThenValidateSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'add-check-validated',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'CHECK constraint validated on add',
  why: 'Adding a CHECK constraint scans every row under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes, and any violating row fails the migration.',
  fix: 'Add it with NOT VALID, then `ALTER TABLE ... VALIDATE CONSTRAINT` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on).',
  examples: {
    flagged: [
      'ALTER TABLE "votes" ADD CONSTRAINT "votes_voter_check" CHECK ("votes"."user_id" IS NOT NULL OR "votes"."session_id" IS NOT NULL);',
    ],
    accepted: [
      'ALTER TABLE "votes" ADD CONSTRAINT "votes_voter_check" CHECK ("user_id" IS NOT NULL) NOT VALID;',
      'ALTER TABLE "votes" VALIDATE CONSTRAINT "votes_voter_check";',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("a" > 0);',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    return alter.cmds.flatMap((c) => {
      const con = c.subtype === 'AT_AddConstraint' ? nodeOf(c.def, 'Constraint') : undefined;
      if (con?.contype !== 'CONSTR_CHECK' || con.skip_validation) return [];
      return [
        `Adds CHECK ${con.conname ? `"${con.conname}" ` : ''}to ${tableLabel(alter.relation)}, scanning every row while blocking reads and writes.`,
      ];
    });
  },
  rewrite: notValidThenValidateSteps,
});
