import { nodeOf } from '../ast.ts';
import { defineRule } from '../rule.ts';

const IDENTITY = new Set(['role', 'session_authorization']);

export default defineRule({
  id: 'session-identity',
  category: 'security',
  appliesTo: ['VariableSetStmt'],
  title: 'SET ROLE or SET SESSION AUTHORIZATION',
  why: 'Every later statement of the run executes as another role, with its privileges and as the owner of what it creates (https://www.postgresql.org/docs/current/sql-set-role.html): objects end up owned by a role the application may not be able to use.',
  fix: 'Run migrations as the one role the deploy uses; grant what that role needs outside the migration.',
  examples: {
    flagged: ['SET ROLE "postgres";', 'SET SESSION AUTHORIZATION "admin";', 'RESET ROLE;'],
    accepted: ["SET lock_timeout = '5s';"],
  },
  check(stmt) {
    const set = nodeOf(stmt.ast, 'VariableSetStmt');
    const name = set?.name?.toLowerCase();
    if (!name || !IDENTITY.has(name)) return [];
    return [`Changes the session's ${name === 'role' ? 'role' : 'authorization'}: every later statement runs as another identity.`];
  },
});
