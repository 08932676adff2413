import { nodeOf } from '../ast.ts';
import { codeBody } from '../nested-statements.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'dynamic-sql',
  category: 'unreviewable',
  appliesTo: ['DoStmt', 'CreateFunctionStmt'],
  title: 'DO block or function body that cannot be read',
  why: 'A DO block or a function that builds SQL at run time (EXECUTE), or whose body cannot be parsed (another language, a syntax error), hides what it will do from any review.',
  fix: 'Write the statements out literally in SQL or PL/pgSQL, or review the code by hand and say so in the approval reason.',
  examples: {
    flagged: [
      "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'votes'; END $$;",
      "DO LANGUAGE plv8 $$ plv8.execute('DELETE FROM votes') $$;",
      "CREATE FUNCTION purge(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('TRUNCATE %I', t); END $$;",
      "CREATE FUNCTION purge() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute('DELETE FROM votes') $$;",
    ],
    accepted: [
      'DO $$ BEGIN CREATE TYPE "public"."mood" AS ENUM(\'ok\'); EXCEPTION WHEN duplicate_object THEN null; END $$;',
      'CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
    ],
  },
  check(stmt) {
    const body = codeBody(stmt);
    if (!body) return [];
    const what = nodeOf(stmt.ast, 'DoStmt') ? "The DO block's body" : "The function's body";
    if (body.error) return [`${what} cannot be reviewed: ${body.error}.`];
    return body.dynamicSql ? [`${what} runs SQL built at run time (EXECUTE): what it does cannot be reviewed.`] : [];
  },
});
