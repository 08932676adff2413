import { nodeOf, tableKey, tableLabel } from '../ast.ts';
import { alterTable, defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'row-level-security',
  category: 'security',
  appliesTo: ['AlterTableStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'DropStmt'],
  title: 'Row level security and policies',
  why: 'With row security enabled and no policy, every role but the owner sees no rows and writes none (FORCE: the owner too); a policy decides which rows each role sees; disabling it opens every row (https://www.postgresql.org/docs/current/ddl-rowsecurity.html).',
  fix: 'Enable row security in the same migration as the policies that let the application through, and have whoever owns access review the policies.',
  examples: {
    flagged: [
      'ALTER TABLE "votes" ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE "votes" FORCE ROW LEVEL SECURITY;',
      'ALTER TABLE "votes" DISABLE ROW LEVEL SECURITY;',
      'CREATE POLICY "own_votes" ON "votes" FOR ALL TO "app" USING (true);',
      'DROP POLICY "own_votes" ON "votes";',
    ],
    accepted: ['ALTER TABLE "votes" ADD COLUMN "weight" integer;'],
  },
  check(stmt, ctx) {
    const policy = nodeOf(stmt.ast, 'CreatePolicyStmt') ?? nodeOf(stmt.ast, 'AlterPolicyStmt');
    if (policy)
      return [
        `${nodeOf(stmt.ast, 'CreatePolicyStmt') ? 'Creates' : 'Alters'} policy "${policy.policy_name}" on ${tableLabel(policy.table)}: it decides which rows each role sees and writes.`,
      ];
    const dropped = droppedNames(stmt, ['OBJECT_POLICY']);
    if (dropped) return [`Drops policy ${quoted(dropped.names)}: the rows it let through are hidden, or the rows it held back are opened.`];
    const alter = alterTable(stmt);
    if (!alter) return [];
    const table = tableLabel(alter.relation);
    const key = tableKey(alter.relation);
    const policyFollows = ctx.later('CreatePolicyStmt').some((s) => {
      const created = nodeOf(s.ast, 'CreatePolicyStmt');
      return created !== undefined && tableKey(created.table) === key;
    });
    return alter.cmds.flatMap((c) => {
      switch (c.subtype) {
        case 'AT_EnableRowSecurity':
          return policyFollows
            ? []
            : [
                `Enables row security on ${table} and no policy for it follows in this run: every role but its owner sees no rows and writes none.`,
              ];
        case 'AT_ForceRowSecurity':
          return policyFollows
            ? []
            : [`Forces row security on ${table} and no policy for it follows in this run: its owner too sees no rows and writes none.`];
        case 'AT_DisableRowSecurity':
          return [`Disables row security on ${table}: its policies stop applying and every row is open to whoever has privileges.`];
        case 'AT_NoForceRowSecurity':
          return [`Stops forcing row security on ${table}: its owner bypasses the policies again.`];
        default:
          return [];
      }
    });
  },
});
