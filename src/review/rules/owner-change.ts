import { nodeOf, nodesOf, roleName, tableLabel } from '../ast.ts';
import { alterTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'owner-change',
  category: 'security',
  appliesTo: ['AlterTableStmt', 'AlterOwnerStmt', 'ReassignOwnedStmt'],
  title: 'Change of owner',
  why: "The owner holds every privilege on an object and bypasses its row security; a new owner can take them from the application's role, and the migrator's role may lose the right to alter it (https://www.postgresql.org/docs/current/ddl-priv.html).",
  fix: 'Leave ownership to the infrastructure that owns roles; if it must change, do it by hand with the role owner.',
  examples: {
    flagged: [
      'ALTER TABLE "users" OWNER TO "reporting";',
      'ALTER FUNCTION "touch"() OWNER TO "postgres";',
      'REASSIGN OWNED BY "app" TO "postgres";',
    ],
    accepted: ['ALTER TABLE "users" ADD COLUMN "nickname" text;'],
  },
  check(stmt) {
    const alter = alterTable(stmt);
    const table = nodeOf(stmt.ast, 'AlterTableStmt');
    if (table) {
      return nodesOf(table.cmds, 'AlterTableCmd')
        .filter((c) => c.subtype === 'AT_ChangeOwner')
        .map((c) => `Makes ${roleName(c.newowner ?? {})} the owner of ${tableLabel(alter?.relation ?? table.relation)}.`);
    }
    const owner = nodeOf(stmt.ast, 'AlterOwnerStmt');
    if (owner)
      return [`Makes ${roleName(owner.newowner ?? {})} the owner of a ${(owner.objectType ?? '').replace('OBJECT_', '').toLowerCase()}.`];
    const reassign = nodeOf(stmt.ast, 'ReassignOwnedStmt');
    if (reassign)
      return [
        `Hands every object owned by ${nodesOf(reassign.roles, 'RoleSpec').map(roleName).join(', ')} to ${roleName(reassign.newrole ?? {})}.`,
      ];
    return [];
  },
});
