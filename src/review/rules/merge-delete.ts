import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { isUnbounded } from '../where-clause.ts';

export default defineRule({
  id: 'merge-delete',
  category: 'destructive',
  appliesTo: ['MergeStmt'],
  title: 'MERGE that deletes or overwrites',
  why: 'MERGE ... WHEN MATCHED THEN DELETE removes every target row the join matches, and WHEN MATCHED THEN UPDATE with no AND condition overwrites every one of them (https://www.postgresql.org/docs/current/sql-merge.html).',
  fix: 'Write the DELETE or UPDATE with its own WHERE clause naming the rows, or add an AND condition to the WHEN clause and check how many rows the join matches first.',
  examples: {
    flagged: [
      'MERGE INTO "votes" v USING "bans" b ON v.user_id = b.user_id WHEN MATCHED THEN DELETE;',
      'MERGE INTO "users" u USING "imports" i ON u.id = i.id WHEN MATCHED THEN UPDATE SET role = \'user\';',
    ],
    accepted: [
      'MERGE INTO "users" u USING "imports" i ON u.id = i.id WHEN NOT MATCHED THEN INSERT (id) VALUES (i.id);',
      'MERGE INTO "users" u USING "imports" i ON u.id = i.id WHEN MATCHED AND u.role IS NULL THEN UPDATE SET role = \'user\';',
    ],
  },
  check(stmt) {
    const merge = nodeOf(stmt.ast, 'MergeStmt');
    if (!merge) return [];
    const table = tableLabel(merge.relation);
    return nodesOf(merge.mergeWhenClauses, 'MergeWhenClause').flatMap((when) => {
      // NOT MATCHED BY TARGET inserts; MATCHED and NOT MATCHED BY SOURCE (PostgreSQL 17) act on target rows.
      if (when.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_TARGET') return [];
      const every = isUnbounded(when.condition) ? 'every' : 'each';
      if (when.commandType === 'CMD_DELETE')
        return [
          `Deletes ${every} row of ${table} the MERGE ${when.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE' ? 'finds no source row for' : 'matches'}.`,
        ];
      if (when.commandType === 'CMD_UPDATE' && isUnbounded(when.condition))
        return [`Overwrites every row of ${table} the MERGE matches: the WHEN MATCHED clause has no condition.`];
      return [];
    });
  },
});
