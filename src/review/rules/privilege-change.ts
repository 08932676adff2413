import { nodeOf, nodesOf, roleName } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'privilege-change',
  category: 'security',
  appliesTo: ['GrantStmt', 'GrantRoleStmt', 'AlterDefaultPrivilegesStmt'],
  title: 'GRANT, REVOKE or default privileges',
  why: "A GRANT widens who may read or change data; a REVOKE can take from the application's role a privilege it uses, and every query that needs it fails with permission denied; ALTER DEFAULT PRIVILEGES does either for objects created later (https://www.postgresql.org/docs/current/ddl-priv.html).",
  fix: 'Keep privilege changes out of schema migrations: manage roles and grants in the infrastructure that owns them, reviewed by whoever owns access.',
  examples: {
    flagged: [
      'REVOKE ALL ON "users" FROM "app";',
      'GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;',
      'GRANT "admin" TO "app";',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM "app";',
    ],
    accepted: ['CREATE TABLE "t" ("id" serial);'],
  },
  check(stmt) {
    const grant = nodeOf(stmt.ast, 'GrantStmt');
    if (grant) {
      const who = nodesOf(grant.grantees, 'RoleSpec').map(roleName).join(', ');
      const what =
        grant.targtype === 'ACL_TARGET_ALL_IN_SCHEMA'
          ? 'all objects in a schema'
          : (grant.objtype ?? '').replace('OBJECT_', '').toLowerCase();
      return [
        grant.is_grant
          ? `Grants privileges on ${what} to ${who}: who may read or change it widens.`
          : `Revokes privileges on ${what} from ${who}: queries that use them fail with "permission denied".`,
      ];
    }
    const role = nodeOf(stmt.ast, 'GrantRoleStmt');
    if (role) {
      const who = nodesOf(role.grantee_roles, 'RoleSpec').map(roleName).join(', ');
      return [
        role.is_grant
          ? `Grants role membership to ${who}: they gain its privileges.`
          : `Revokes role membership from ${who}: they lose its privileges.`,
      ];
    }
    const defaults = nodeOf(stmt.ast, 'AlterDefaultPrivilegesStmt');
    if (defaults)
      return [`Changes the privileges every object created from now on gets (${defaults.action?.is_grant ? 'GRANT' : 'REVOKE'}).`];
    return [];
  },
});
