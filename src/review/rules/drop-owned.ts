import { nodeOf, nodesOf } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'drop-owned',
  category: 'destructive',
  appliesTo: ['DropOwnedStmt'],
  title: 'DROP OWNED',
  why: 'DROP OWNED BY drops every object the role owns in the database (tables with their rows included) and revokes its privileges; nothing in the statement says which tables those are (https://www.postgresql.org/docs/current/sql-drop-owned.html).',
  fix: 'Drop the objects by name, or REASSIGN OWNED to another role first; run role clean-up by hand, outside the migration.',
  examples: {
    flagged: ['DROP OWNED BY "legacy_app";', 'DROP OWNED BY CURRENT_USER CASCADE;'],
    accepted: ['DROP TABLE IF EXISTS "legacy_scratch";'],
  },
  check(stmt) {
    const drop = nodeOf(stmt.ast, 'DropOwnedStmt');
    if (!drop) return [];
    const roles = nodesOf(drop.roles, 'RoleSpec').map((r) =>
      r.rolename ? `"${r.rolename}"` : (r.roletype ?? '?').replace('ROLESPEC_', ''),
    );
    return [`Drops every object owned by ${roles.join(', ')}, with the data in it, and revokes their privileges.`];
  },
});
