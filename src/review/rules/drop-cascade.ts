import { defineRule, droppedNames, quoted } from '../rule.ts';

// drop-table and drop-schema already say what their CASCADE takes with it.
const KINDS: Record<string, string> = {
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'routine',
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_EXTENSION: 'extension',
  OBJECT_DOMAIN: 'domain',
  OBJECT_TYPE: 'type',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_INDEX: 'index',
};

export default defineRule({
  id: 'drop-cascade',
  category: 'destructive',
  appliesTo: ['DropStmt'],
  title: 'DROP ... CASCADE',
  why: "CASCADE drops everything that depends on the object: columns of a dropped domain, type or extension's type go with their data, as do defaults, views and triggers (https://www.postgresql.org/docs/current/ddl-depend.html).",
  fix: 'Drop without CASCADE, so PostgreSQL refuses and names what still depends on the object; remove those first, deliberately.',
  examples: {
    flagged: ['DROP EXTENSION "citext" CASCADE;', 'DROP FUNCTION "normalize_name"(text) CASCADE;', 'DROP DOMAIN "email_address" CASCADE;'],
    accepted: ['DROP FUNCTION "normalize_name"(text);', 'DROP EXTENSION IF EXISTS "citext";'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, Object.keys(KINDS));
    if (dropped?.drop.behavior !== 'DROP_CASCADE') return [];
    return [
      `Drops ${KINDS[dropped.kind]} ${quoted(dropped.names)} with CASCADE: every object depending on it goes too, columns and their data included.`,
    ];
  },
});
