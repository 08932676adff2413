import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'unparsable-sql',
  category: 'unreviewable',
  appliesTo: ['unparsed'],
  title: 'SQL that does not parse',
  why: "PostgreSQL's own parser rejects this text, so nothing about it can be checked; it will most likely fail the migration too.",
  fix: 'Fix the syntax (the message gives the position) and review again; never approve it as is.',
  examples: { flagged: ['ALTER TABLE "users" DROP COLUMN;', 'SELEC 1;', "UPDATE t SET a = 'unterminated"], accepted: ['SELECT 1;'] },
  check(stmt) {
    return stmt.ast === undefined ? [`PostgreSQL's parser rejects this statement: ${stmt.error ?? 'unknown error'}.`] : [];
  },
});
