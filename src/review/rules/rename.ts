import { nodeOf, qualifiedName, tableLabel } from '../ast.ts';
import { defineRule } from '../rule.ts';

const WHAT: Record<string, string> = {
  OBJECT_COLUMN: 'column',
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_TYPE: 'type',
  OBJECT_SCHEMA: 'schema',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TABCONSTRAINT: 'constraint',
  OBJECT_INDEX: 'index',
  OBJECT_FUNCTION: 'function',
  OBJECT_ATTRIBUTE: 'attribute',
};

export default defineRule({
  id: 'rename',
  category: 'breaking',
  appliesTo: ['RenameStmt', 'AlterEnumStmt'],
  title: 'Rename',
  why: 'The running application still uses the old name: every query that names it fails from the moment the migration commits.',
  fix: 'Expand and contract: add the new name (a new column kept in sync, or a view), move the code over, then drop the old name.',
  examples: {
    flagged: [
      'ALTER TABLE "individuals" RENAME COLUMN "biography" TO "bio";',
      'ALTER TABLE "votes" RENAME TO "ballots";',
      "ALTER TYPE \"vote_type\" RENAME VALUE 'upvote' TO 'up';",
    ],
    accepted: [
      'ALTER TABLE "individuals" ADD COLUMN "bio" text;',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" RENAME COLUMN "a" TO "b";',
    ],
  },
  check(stmt, ctx) {
    const enumRename = nodeOf(stmt.ast, 'AlterEnumStmt');
    if (enumRename?.oldVal !== undefined) {
      return [`Renames value '${enumRename.oldVal}' of enum "${qualifiedName(enumRename.typeName)}" to '${enumRename.newVal}'.`];
    }
    const rename = nodeOf(stmt.ast, 'RenameStmt');
    if (!rename) return [];
    const what = WHAT[rename.renameType ?? ''] ?? 'object';
    const onNewTable = rename.relation !== undefined && ctx.isNewTable(rename.relation);
    if (onNewTable) return [];
    const from =
      rename.subname ??
      (rename.relation
        ? tableLabel(rename.relation)
        : nodeOf(rename.object, 'List')
          ? qualifiedName(nodeOf(rename.object, 'List')?.items)
          : '?');
    const where = rename.subname && rename.relation ? ` of ${tableLabel(rename.relation)}` : '';
    return [`Renames ${what} ${from.startsWith('"') ? from : `"${from}"`}${where} to "${rename.newname}": code using the old name breaks.`];
  },
});
