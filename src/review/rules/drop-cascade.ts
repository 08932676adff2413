import { objectNoun } from '../object-nouns.ts';
import { defineRule, droppedNames, quoted } from '../rule.ts';

// drop-table and drop-schema already say what their CASCADE takes with it.
const KINDS = [
  'OBJECT_FUNCTION',
  'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE',
  'OBJECT_AGGREGATE',
  'OBJECT_EXTENSION',
  'OBJECT_DOMAIN',
  'OBJECT_TYPE',
  'OBJECT_SEQUENCE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_INDEX',
];

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
    const dropped = droppedNames(stmt, KINDS);
    if (dropped?.drop.behavior !== 'DROP_CASCADE') return [];
    return [
      `Drops ${objectNoun(dropped.kind)} ${quoted(dropped.names)} with CASCADE: every object depending on it goes too, columns and their data included.`,
    ];
  },
});
