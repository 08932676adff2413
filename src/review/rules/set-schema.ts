import { nodeOf, qualifiedName, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'set-schema',
  category: 'breaking',
  appliesTo: ['AlterObjectSchemaStmt'],
  title: 'Move to another schema',
  why: "After SET SCHEMA the object is no longer found under its old qualified name or through the application's search_path: every query that names it fails, as after a rename.",
  fix: 'Expand and contract: create the object in the new schema (or a view at the old name), move the code over, then drop the old one.',
  examples: {
    flagged: ['ALTER TABLE "votes" SET SCHEMA "archive";', 'ALTER TYPE "public"."vote_type" SET SCHEMA "archive";'],
    accepted: ['CREATE TABLE "t" ("id" int);\nALTER TABLE "t" SET SCHEMA "archive";'],
  },
  check(stmt, ctx) {
    const move = nodeOf(stmt.ast, 'AlterObjectSchemaStmt');
    if (!move) return [];
    if (move.relation) {
      if (ctx.isNewTable(move.relation)) return [];
      return [`Moves ${tableLabel(move.relation)} to schema "${move.newschema}": code using the old name breaks.`];
    }
    const list = nodeOf(move.object, 'List');
    const name = list ? qualifiedName(list.items) : (nodeOf(move.object, 'String')?.sval ?? '?');
    return [
      `Moves ${(move.objectType ?? '').replace('OBJECT_', '').toLowerCase()} "${name}" to schema "${move.newschema}": code using the old name breaks.`,
    ];
  },
});
