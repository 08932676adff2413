import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-schema',
  category: 'destructive',
  appliesTo: ['DropStmt'],
  title: 'Drop schema',
  why: 'Dropping a schema removes it and, with CASCADE, every table and row inside it.',
  fix: 'Drop the objects in it one by one, each reviewed, or move them out first.',
  examples: {
    flagged: ['DROP SCHEMA "archive" CASCADE;', 'DROP SCHEMA IF EXISTS drizzle;'],
    accepted: ['CREATE SCHEMA "archive";'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, ['OBJECT_SCHEMA']);
    if (!dropped) return [];
    const cascade = dropped.drop.behavior === 'DROP_CASCADE' ? ' with CASCADE: every table in it goes too' : '';
    return [`Drops schema ${quoted(dropped.names)}${cascade}.`];
  },
});
