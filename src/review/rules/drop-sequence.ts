import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-sequence',
  category: 'destructive',
  appliesTo: ['DropStmt'],
  title: 'Drop sequence',
  why: 'Dropping a sequence loses its current value; a column default that calls nextval() on it starts failing.',
  fix: 'Drop the defaults that use it first and keep the last value if ids must not be reused.',
  examples: {
    flagged: ['DROP SEQUENCE "reports_id_seq";'],
    accepted: ['CREATE SEQUENCE "invoice_no";', 'ALTER SEQUENCE "reports_id_seq" RESTART WITH 100;'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, ['OBJECT_SEQUENCE']);
    return dropped ? [`Drops sequence ${quoted(dropped.names)}.`] : [];
  },
});
