import { nodeOf, nodesOf, tableLabel } from '../ast.ts';
import { calledRoutines } from '../nested-statements.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'sequence-restart',
  category: 'breaking',
  appliesTo: ['AlterSeqStmt', 'any'],
  title: 'Sequence restarted or set',
  why: 'ALTER SEQUENCE ... RESTART or setval() moves the next value back (or anywhere): new rows get ids that already exist and inserts fail with unique violations, or ids jump (https://www.postgresql.org/docs/current/sql-altersequence.html).',
  fix: "Only move a sequence forward, past the table's max id (setval(seq, (SELECT max(id) FROM t))), and do it by hand if at all.",
  examples: {
    flagged: [
      'ALTER SEQUENCE "votes_id_seq" RESTART;',
      'ALTER SEQUENCE "votes_id_seq" RESTART WITH 1;',
      "SELECT setval('votes_id_seq', 1);",
    ],
    accepted: ['ALTER SEQUENCE "votes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1;'],
  },
  check(stmt) {
    const seq = nodeOf(stmt.ast, 'AlterSeqStmt');
    if (seq) {
      const restart = nodesOf(seq.options, 'DefElem').some((o) => o.defname === 'restart');
      return restart ? [`Restarts sequence ${tableLabel(seq.sequence)}: new rows can get ids that already exist.`] : [];
    }
    return calledRoutines(stmt.ast).includes('setval')
      ? ['Calls setval(): the sequence moves, and new rows can get ids that already exist.']
      : [];
  },
});
