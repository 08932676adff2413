import { baseName, nodeOf, tableLabel } from '../ast.ts';
import { calledRoutines } from '../nested-statements.ts';
import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'routine-out-of-sight',
  category: 'unreviewable',
  appliesTo: ['any'],
  title: 'Call of a body the review cannot see',
  why: 'A CALL, a new trigger, or a call of a function whose body could not be read runs code that is not in the reviewed text: only a body created (and readable) in the same run is judged where it runs.',
  fix: 'Create the function or procedure in the same run in SQL or PL/pgSQL, or review its current body by hand and say so in the approval reason.',
  examples: {
    flagged: [
      'CALL archive_old_votes();',
      'CREATE TRIGGER "audit" AFTER INSERT ON "votes" FOR EACH ROW EXECUTE FUNCTION audit_row();',
      "CREATE FUNCTION purge() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute('DELETE FROM votes') $$;\nSELECT purge();",
    ],
    accepted: [
      'CREATE PROCEDURE tidy() LANGUAGE sql AS $$ DELETE FROM "sessions" WHERE "expires_at" < now() $$;\nCALL tidy();',
      'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\nCREATE TRIGGER "touch" BEFORE UPDATE ON "votes" FOR EACH ROW EXECUTE FUNCTION touch();',
    ],
  },
  check(stmt, ctx) {
    const call = nodeOf(stmt.ast, 'CallStmt');
    if (call) {
      const name = baseName(call.funccall?.funcname).toLowerCase();
      if (!ctx.routine(name)) return [`CALL ${name}() runs a procedure this run did not create: its body is not part of the review.`];
    }
    const trigger = nodeOf(stmt.ast, 'CreateTrigStmt');
    if (trigger) {
      const name = baseName(trigger.funcname).toLowerCase();
      if (!ctx.routine(name))
        return [
          `Trigger "${trigger.trigname}" on ${tableLabel(trigger.relation)} runs ${name}(), which this run did not create: its body is not part of the review.`,
        ];
    }
    if (nodeOf(stmt.ast, 'CreateFunctionStmt')) return [];
    return calledRoutines(stmt.ast).flatMap((name) => {
      const body = ctx.routine(name)?.body;
      if (!body || (!body.error && !body.dynamicSql)) return [];
      return [`Calls ${name}(), created in this run, whose body cannot be reviewed (${body.error ?? 'it runs SQL built at run time'}).`];
    });
  },
});
