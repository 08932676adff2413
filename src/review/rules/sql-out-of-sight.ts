import { calledRoutines } from '../nested-statements.ts';
import { defineRule } from '../rule.ts';

// Functions that run a query given to them as a string, so the query is data, not SQL the
// parser sees: dblink (https://www.postgresql.org/docs/current/contrib-dblink-function.html)
// and the XML mapping functions (https://www.postgresql.org/docs/current/functions-xml.html).
const RUNS_A_STRING: Record<string, string> = {
  dblink_exec: 'runs a command in another (or the same) database',
  dblink: 'runs a query in another (or the same) database',
  dblink_send_query: 'runs a query in another (or the same) database',
  dblink_open: 'opens a cursor on a query in another database',
  query_to_xml: 'runs the query text it is given',
  query_to_xml_and_xmlschema: 'runs the query text it is given',
  query_to_xmlschema: 'plans the query text it is given',
  set_config: 'changes a setting for every later statement (as SET does, without naming it)',
};

export default defineRule({
  id: 'sql-out-of-sight',
  category: 'unreviewable',
  appliesTo: ['any'],
  title: 'SQL passed as a string',
  why: 'dblink_exec, dblink and query_to_xml run SQL held in a string, and set_config changes settings by name at run time: what they do is not in the parsed statement.',
  fix: 'Write the statement itself into the migration, or review the string by hand and say so in the approval reason.',
  examples: {
    flagged: [
      "SELECT dblink_exec('dbname=daadaar', 'DROP TABLE users');",
      "SELECT query_to_xml('DELETE FROM votes RETURNING 1', true, false, '');",
      "SELECT set_config('session_replication_role', 'replica', false);",
    ],
    accepted: ["SELECT now(), current_setting('TimeZone');"],
  },
  check(stmt) {
    return calledRoutines(stmt.ast).flatMap((name) => {
      const effect = RUNS_A_STRING[name];
      return effect ? [`Calls ${name}(), which ${effect}: the review cannot see what that is.`] : [];
    });
  },
});
