import { nodesOf, qualifiedName } from '../ast.ts';
import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-table',
  category: 'destructive',
  appliesTo: ['DropStmt'],
  title: 'Drop table',
  why: 'Dropping a table deletes every row in it (and with CASCADE, what depends on it); only a backup brings them back.',
  fix: 'Ship the code that stops using the table first, take a backup or rename the table aside, and drop it in a later migration.',
  examples: {
    flagged: ['DROP TABLE "ban_history";', 'DROP TABLE IF EXISTS "public"."votes" CASCADE;'],
    accepted: ['CREATE TABLE "scratch" ("id" serial);\nDROP TABLE "scratch";', 'DROP VIEW "report_stats";'],
  },
  check(stmt, ctx) {
    const dropped = droppedNames(stmt, ['OBJECT_TABLE']);
    if (!dropped) return [];
    const existing = nodesOf(dropped.drop.objects, 'List')
      .map((l) => qualifiedName(l.items))
      .filter((name) => {
        // Unqualified stays unqualified: after a search_path change it may not mean public's table.
        const [schema, table] = name.includes('.') ? name.split('.') : [undefined, name];
        return !ctx.isNewTable({ schemaname: schema, relname: table });
      });
    if (existing.length === 0) return [];
    const cascade = dropped.drop.behavior === 'DROP_CASCADE' ? ', and CASCADE drops whatever depends on it' : '';
    return [`Drops table ${quoted(existing)} with all its rows${cascade}.`];
  },
});
