import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'truncate',
  category: 'destructive',
  appliesTo: ['TruncateStmt'],
  title: 'Truncate',
  why: 'TRUNCATE deletes every row at once, under an ACCESS EXCLUSIVE lock, and fires no DELETE triggers.',
  fix: 'Delete the specific rows with a WHERE clause, or archive the table first if it really must be emptied.',
  examples: {
    flagged: ['TRUNCATE "pow_challenges";', 'TRUNCATE TABLE votes, reports RESTART IDENTITY CASCADE;'],
    accepted: ['DELETE FROM "pow_challenges" WHERE "expires_at" < now();'],
  },
  check(stmt) {
    const truncate = nodeOf(stmt.ast, 'TruncateStmt');
    if (!truncate) return [];
    const tables = nodesOf(truncate.relations, 'RangeVar').map(tableLabel).join(', ');
    const cascade = truncate.behavior === 'DROP_CASCADE' ? ', and CASCADE empties every table that references them' : '';
    return [`Empties ${tables}${cascade}.`];
  },
});
