import { nodeOf } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'drop-database',
  category: 'destructive',
  appliesTo: ['DropdbStmt'],
  title: 'Drop database',
  why: 'Dropping a database deletes all of it; it never belongs in an application migration.',
  fix: 'Remove it from the migration; retire databases by hand, after a final backup.',
  examples: {
    flagged: ['DROP DATABASE "daadaar";', 'DROP DATABASE IF EXISTS daadaar_old WITH (FORCE);'],
    accepted: ['CREATE DATABASE "daadaar_test";'],
  },
  check(stmt) {
    const drop = nodeOf(stmt.ast, 'DropdbStmt');
    return drop ? [`Drops database "${drop.dbname}".`] : [];
  },
});
