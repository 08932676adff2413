import { nodeOf, nodesOf, roleName } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'role-change',
  category: 'security',
  appliesTo: ['CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt'],
  title: 'Create, alter or drop a role',
  why: "Roles are cluster-wide, not part of this database's schema: ALTER ROLE ... NOLOGIN or a new password locks the application out, DROP ROLE removes a login, a new role is a new way in (https://www.postgresql.org/docs/current/user-manag.html).",
  fix: 'Manage roles outside schema migrations, in the infrastructure that owns access.',
  examples: {
    flagged: [
      'ALTER ROLE "app" NOLOGIN;',
      'DROP ROLE IF EXISTS "reporting";',
      'CREATE ROLE "analyst" LOGIN PASSWORD \'x\';',
      'ALTER ROLE "app" SET statement_timeout = \'1s\';',
    ],
    accepted: ['CREATE TABLE "t" ("id" serial);'],
  },
  check(stmt) {
    const created = nodeOf(stmt.ast, 'CreateRoleStmt');
    if (created) return [`Creates role "${created.role}": a new identity that can be granted access.`];
    const altered = nodeOf(stmt.ast, 'AlterRoleStmt');
    if (altered) {
      const options = nodesOf(altered.options, 'DefElem').map((o) => o.defname ?? '?');
      return [
        `Alters role ${roleName(altered.role ?? {})} (${options.join(', ') || 'membership'}): a login or a privilege the application relies on can go.`,
      ];
    }
    const set = nodeOf(stmt.ast, 'AlterRoleSetStmt');
    if (set) return [`Changes a setting of role ${roleName(set.role ?? {})} for every future session of it.`];
    const dropped = nodeOf(stmt.ast, 'DropRoleStmt');
    if (dropped) return [`Drops role ${nodesOf(dropped.roles, 'RoleSpec').map(roleName).join(', ')}: its sessions can no longer log in.`];
    return [];
  },
});
