import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-view',
  category: 'breaking',
  appliesTo: ['DropStmt'],
  title: 'Drop view',
  why: 'Queries and reports that read the view fail once it is gone (a materialized view also loses its computed rows).',
  fix: 'Move readers off the view first; replace it with CREATE OR REPLACE VIEW when only its definition changes.',
  examples: {
    flagged: ['DROP VIEW "report_stats";', 'DROP MATERIALIZED VIEW IF EXISTS "trust_leaderboard";'],
    accepted: ['CREATE OR REPLACE VIEW "v" AS SELECT 1;'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, ['OBJECT_VIEW', 'OBJECT_MATVIEW']);
    if (!dropped) return [];
    const what = dropped.kind === 'OBJECT_MATVIEW' ? 'materialized view' : 'view';
    return [`Drops ${what} ${quoted(dropped.names)}: whatever reads it breaks.`];
  },
});
