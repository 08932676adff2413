import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'vacuum-full',
  category: 'locking',
  appliesTo: ['VacuumStmt'],
  title: 'VACUUM FULL',
  why: 'VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes.',
  fix: 'Use plain VACUUM (or pg_repack) from an operations job, never from a migration.',
  examples: {
    flagged: ['VACUUM FULL "reports";', 'VACUUM (FULL, ANALYZE) "votes";'],
    accepted: ['VACUUM "reports";', 'ANALYZE "reports";'],
  },
  check(stmt) {
    const vacuum = nodeOf(stmt.ast, 'VacuumStmt');
    if (!vacuum || !nodesOf(vacuum.options, 'DefElem').some((d) => d.defname === 'full')) return [];
    const tables = nodesOf(vacuum.rels, 'VacuumRelation').map((r) => tableLabel(r.relation));
    return [`Rewrites ${tables.length ? tables.join(', ') : 'every table in the database'} under ACCESS EXCLUSIVE.`];
  },
});
