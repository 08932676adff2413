import { pathToFileURL } from 'node:url';
import { pushSchema } from 'drizzle-kit/api';
import type { SQL } from 'drizzle-orm';
import { type PgDatabase, PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { CHECK_SESSION, type LiveSchemaDiff, RESULT_MARKER } from './schema-check.ts';

// The child process of database/schema-check.ts: asks drizzle-kit's own `pushSchema`
// (drizzle-kit/api, 0.31) which statements would bring the live database to the schema module
// given as the first argument, and prints them as one marked line; it never calls `apply()`.
// It runs apart from the migrator because drizzle-kit is written for a terminal: its
// introspection spinner writes to stdout, a rename question reads the keyboard, and a failed
// introspection or an aborted question ends the whole process with `process.exit(1)`
// (hanji's renderWithTask, promptNamedConflict in node_modules/drizzle-kit/api.mjs). Here
// that only ends this child; the parent started it with no stdin and a time limit.
//
// DATABASE_URL comes in the environment, never as an argument (process lists show arguments).

// pgSuggestions (drizzle-kit's data-loss warnings) counts the rows of every table a statement
// would drop, retype or add a NOT NULL column to: a full scan of a production table, and for a
// unique constraint on a non-empty table a keyboard question. The check only wants the
// statements, which drizzle-kit emits whatever the count, so those counts are answered 0 here.
const ROW_COUNT = /^select count\(\*\) as count from /i;

// pushSchema drops the parameters of the one parameterised introspection query, the name of a
// table's composite primary key, so Postgres answers "there is no parameter $1"
// (drizzle-team/drizzle-orm#5557, open for 0.31.x). Without the table's name, the answer is
// the schema's only composite primary key; with several, the check cannot tell them apart and
// says so rather than compare wrong names.
const COMPOSITE_PK_NAME = /connamespace = \$1::regnamespace/;
const COMPOSITE_PKS = `select conname as primary_key from pg_constraint
  where contype = 'p' and connamespace = 'public'::regnamespace and cardinality(conkey) > 1`;

// drizzle-kit's question when something in the database is missing from the schema module and
// something new is in it: a rename, or a drop and a create? (promptNamedConflict, hanji's
// render in node_modules/drizzle-kit/api.mjs). Without a terminal it refuses at once.
const RENAME_QUESTION = /Interactive prompts require a TTY/;

/** The last error a query met: drizzle-kit's process.exit(1) after a failed introspection says nothing itself. */
let lastDatabaseError: string | undefined;

async function main(): Promise<LiveSchemaDiff> {
  const databaseUrl = process.env.DATABASE_URL;
  const schemaPath = process.argv[2];
  if (!databaseUrl || !schemaPath) return { ok: false, reason: 'needs DATABASE_URL and the schema module path' };
  const client = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
    connection: CHECK_SESSION,
  });
  const dialect = new PgDialect();
  // pushSchema only calls `execute(sql.raw(text))` and reads `.rows` (node-postgres' result
  // shape); postgres.js returns the rows themselves, so this is the whole database it sees.
  const database = {
    async execute(query: SQL) {
      const text = dialect.sqlToQuery(query).sql;
      if (ROW_COUNT.test(text.trim())) return { rows: [{ count: 0 }] };
      if (COMPOSITE_PK_NAME.test(text)) {
        const rows = await client.unsafe(COMPOSITE_PKS);
        if (rows.length > 1)
          throw new Error(
            `${rows.length} tables have a composite primary key, and drizzle-kit's pushSchema cannot tell them apart (drizzle-orm#5557)`,
          );
        return { rows };
      }
      try {
        return { rows: await client.unsafe(text) };
      } catch (error) {
        lastDatabaseError = (error as Error).message;
        throw error;
      }
    },
  } as unknown as PgDatabase<never>;
  try {
    const schema = (await import(pathToFileURL(schemaPath).href)) as Record<string, unknown>;
    const diff = await pushSchema(schema, database, ['public']);
    return { ok: true, statements: diff.statementsToExecute };
  } catch (error) {
    const message = (error as Error).message;
    if (RENAME_QUESTION.test(message))
      return {
        ok: false,
        reason:
          'drizzle-kit would ask whether something was renamed (a table, column or type in the database is missing from the schema and a new one is in it), and no one can answer here',
      };
    return { ok: false, reason: message };
  } finally {
    await client.end({ timeout: 5 });
  }
}

let answered = false;
function answer(result: LiveSchemaDiff): void {
  if (answered) return;
  answered = true;
  // On a line of its own: drizzle-kit's spinner may have left the cursor mid-line. A write to a
  // pipe is synchronous on POSIX (https://nodejs.org/api/process.html#a-note-on-process-io), so
  // it is complete even from an 'exit' listener.
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
}
// drizzle-kit runs its introspection queries without awaiting each one, so a failed query is an
// unhandled rejection rather than pushSchema's, and a failed introspection calls process.exit(1).
const fail = (error: unknown) => {
  answer({ ok: false, reason: error instanceof Error ? error.message : String(error) });
  process.exit(1);
};
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);
process.on('exit', (code) =>
  answer({
    ok: false,
    reason: `drizzle-kit ended the check (exit code ${code})${lastDatabaseError ? ` after: ${lastDatabaseError}` : ''}`,
  }),
);
answer(await main());
