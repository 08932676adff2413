import { objectNoun } from '../object-nouns.ts';
import { defineRule, droppedNames, quoted } from '../rule.ts';

const KINDS = [
  'OBJECT_FUNCTION',
  'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE',
  'OBJECT_AGGREGATE',
  'OBJECT_EXTENSION',
  'OBJECT_TRIGGER',
  'OBJECT_RULE',
];

export default defineRule({
  id: 'drop-routine-or-extension',
  category: 'breaking',
  appliesTo: ['DropStmt'],
  title: 'Drop function, extension, trigger or rule',
  why: 'Code that calls a dropped function or relies on an extension fails from the moment the migration commits; a dropped trigger or rule silently stops doing its work (an audit row, a derived column).',
  fix: 'Ship the code that stops relying on it first, then drop it in a later migration.',
  examples: {
    flagged: ['DROP FUNCTION "normalize_name"(text);', 'DROP EXTENSION IF EXISTS "pg_trgm";', 'DROP TRIGGER "audit" ON "votes";'],
    accepted: ['CREATE EXTENSION IF NOT EXISTS "pg_trgm";', 'DROP INDEX "votes_user_idx";'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, KINDS);
    if (!dropped) return [];
    return [`Drops ${objectNoun(dropped.kind)} ${quoted(dropped.names)}: whatever relies on it stops working.`];
  },
});
