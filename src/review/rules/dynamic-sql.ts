import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'dynamic-sql',
  category: 'unreviewable',
  appliesTo: ['DoStmt'],
  title: 'DO block that cannot be read',
  why: 'A DO block that builds SQL at run time (EXECUTE), or whose body cannot be parsed, hides what it will do from any review.',
  fix: 'Write the statements out literally, or review the block by hand and say so in the approval reason.',
  examples: {
    flagged: ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'votes'; END $$;", "DO LANGUAGE plv8 $$ plv8.execute('DELETE FROM votes') $$;"],
    accepted: ['DO $$ BEGIN CREATE TYPE "public"."mood" AS ENUM(\'ok\'); EXCEPTION WHEN duplicate_object THEN null; END $$;'],
  },
  check(stmt) {
    if (!stmt.doBlock) return [];
    if (stmt.doBlock.error) return [`The DO block's body cannot be reviewed: ${stmt.doBlock.error}.`];
    return stmt.doBlock.dynamicSql ? ['The DO block runs SQL built at run time (EXECUTE): what it does cannot be reviewed.'] : [];
  },
});
