import { nodeOf, qualifiedName, tableLabel } from '../ast.ts';
import { functionName } from '../function-volatility.ts';
import { objectNoun } from '../object-nouns.ts';
import { defineRule } from '../rule.ts';

// Objects only the database itself names, and names by OID: a query never mentions an index,
// a constraint, a trigger, a policy, a rule or extended statistics, so renaming one breaks no
// running code. (An error message may quote a constraint's name; code that matches on that
// text is the one exception, and no query fails.)
const NAMED_BY_THE_DATABASE_ONLY = new Set([
  'OBJECT_INDEX',
  'OBJECT_TABCONSTRAINT',
  'OBJECT_DOMCONSTRAINT',
  'OBJECT_TRIGGER',
  'OBJECT_EVENT_TRIGGER',
  'OBJECT_POLICY',
  'OBJECT_RULE',
  'OBJECT_STATISTIC_EXT',
]);

export default defineRule({
  id: 'rename',
  category: 'breaking',
  appliesTo: ['RenameStmt', 'AlterEnumStmt'],
  title: 'Rename',
  why: 'The running application still uses the old name of a column, table, view, type, schema, sequence or function: every query that names it fails from the moment the migration commits.',
  notes:
    "Renames of indexes, constraints, triggers, policies, rules and extended statistics are not flagged: no query names them, and PostgreSQL refers to them by OID, so nothing that runs breaks. A function rename is breaking, because code calls functions by name (drizzle's sql`…`, Supabase's `rpc()`, another function's body, which PostgreSQL stores as text), except for a function the review knows returns `trigger` or `event_trigger` (from the history, the run, or the target's pg_proc): PostgreSQL refuses to call one from a query (\"trigger functions can only be called as triggers\"), and its triggers follow the rename by OID.",
  fix: 'Expand and contract: add the new name (a new column kept in sync, or a view), move the code over, then drop the old name.',
  examples: {
    flagged: [
      'ALTER TABLE "individuals" RENAME COLUMN "biography" TO "bio";',
      'ALTER TABLE "votes" RENAME TO "ballots";',
      "ALTER TYPE \"vote_type\" RENAME VALUE 'upvote' TO 'up';",
      'ALTER FUNCTION "public"."search_reports"(text) RENAME TO "find_reports";',
    ],
    accepted: [
      'ALTER TABLE "individuals" ADD COLUMN "bio" text;',
      'CREATE TABLE "t" ("a" int);\nALTER TABLE "t" RENAME COLUMN "a" TO "b";',
      'ALTER INDEX "users_email_idx" RENAME TO "users_email_unique_idx";',
      'ALTER TABLE "votes" RENAME CONSTRAINT "votes_voter_fk" TO "votes_voter_id_users_id_fk";',
      'ALTER TRIGGER "touch" ON "reports" RENAME TO "reports_touch_updated_at";',
      '-- applied earlier\nCREATE FUNCTION "touch_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\n-- pending\nALTER FUNCTION "touch_updated_at"() RENAME TO "set_updated_at";',
    ],
  },
  check(stmt, ctx) {
    const enumRename = nodeOf(stmt.ast, 'AlterEnumStmt');
    if (enumRename?.oldVal !== undefined) {
      return [`Renames value '${enumRename.oldVal}' of enum "${qualifiedName(enumRename.typeName)}" to '${enumRename.newVal}'.`];
    }
    const rename = nodeOf(stmt.ast, 'RenameStmt');
    if (!rename) return [];
    if (NAMED_BY_THE_DATABASE_ONLY.has(rename.renameType ?? '')) return [];
    // A function returning trigger cannot be called by a query ("trigger functions can only be
    // called as triggers"), and its triggers hold its OID: only such a function renames safely.
    // Any other function may be called by name from code, so its rename is breaking.
    if (rename.renameType === 'OBJECT_FUNCTION') {
      const fn = ctx.catalog.routines.get(functionName(nodeOf(rename.object, 'ObjectWithArgs')?.objname));
      if (fn?.triggerOnly) return [];
    }
    const what = rename.renameType ? objectNoun(rename.renameType) : 'object';
    const onNewTable = rename.relation !== undefined && ctx.isNewTable(rename.relation);
    if (onNewTable) return [];
    const from =
      rename.subname ??
      (rename.relation
        ? tableLabel(rename.relation)
        : nodeOf(rename.object, 'List')
          ? qualifiedName(nodeOf(rename.object, 'List')?.items)
          : nodeOf(rename.object, 'ObjectWithArgs')
            ? qualifiedName(nodeOf(rename.object, 'ObjectWithArgs')?.objname)
            : '?');
    const where = rename.subname && rename.relation ? ` of ${tableLabel(rename.relation)}` : '';
    return [`Renames ${what} ${from.startsWith('"') ? from : `"${from}"`}${where} to "${rename.newname}": code using the old name breaks.`];
  },
});
