import { nodeOf, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';
import { isUnbounded } from '../where-clause.ts';

export default defineRule({
  id: 'upsert-overwrites',
  category: 'destructive',
  appliesTo: ['InsertStmt'],
  title: 'INSERT ... ON CONFLICT DO UPDATE without WHERE',
  why: "ON CONFLICT DO UPDATE with no WHERE overwrites every existing row that conflicts with an inserted one: the table's current values are replaced, not kept (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT).",
  fix: 'Use ON CONFLICT DO NOTHING, or add a WHERE to DO UPDATE naming the rows that may change (for example only those still holding the old value).',
  examples: {
    flagged: [
      'INSERT INTO "settings" ("key", "value") VALUES (\'theme\', \'dark\') ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value";',
      'INSERT INTO "users" SELECT * FROM "imported_users" ON CONFLICT ("id") DO UPDATE SET "email" = excluded."email" WHERE true;',
    ],
    accepted: [
      'INSERT INTO "settings" ("key", "value") VALUES (\'theme\', \'dark\') ON CONFLICT ("key") DO NOTHING;',
      'INSERT INTO "settings" ("key", "value") VALUES (\'theme\', \'dark\') ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value" WHERE "settings"."value" IS NULL;',
    ],
  },
  check(stmt) {
    const insert = nodeOf(stmt.ast, 'InsertStmt');
    const conflict = insert?.onConflictClause;
    if (!insert || conflict?.action !== 'ONCONFLICT_UPDATE' || !isUnbounded(conflict.whereClause)) return [];
    return [`Overwrites every existing row of ${tableLabel(insert.relation)} that conflicts with an inserted one: DO UPDATE has no WHERE.`];
  },
});
