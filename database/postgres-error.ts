import type { PostgresReport } from '../src/runner-report.ts';

// A Postgres error as the build may print it: the fields that name things, never a row's
// values. postgres.js's PostgresError carries every field of the ErrorResponse message
// (https://www.postgresql.org/docs/15/protocol-error-fields.html): `detail` quotes the row
// (`Failing row contains (…)`, `Key (email)=(…) already exists`), `where` and
// `internal_query` quote statements with their values, and `hint` can be written by RAISE. All
// four are dropped. The message is kept, but a message can quote a value too
// (`invalid input syntax for type integer: "…"`, `value "…" is out of range`): every quoted
// part that is not a name the error or the failed statement holds is replaced. A RAISE
// (routine exec_stmt_raise, SQLSTATE class P0) composes its message from anything, so only a
// message the statement holds verbatim is kept.

export interface PgErrorFields {
  code?: string;
  message?: string;
  position?: string | number;
  detail?: string;
  hint?: string;
  schema_name?: string;
  table_name?: string;
  column_name?: string;
  data_type_name?: string;
  constraint_name?: string;
  routine?: string;
}

const VALUE = '[value]';

/** The driver's error behind drizzle's DrizzleQueryError (its `cause`), or the error itself. */
export function pgErrorOf(error: unknown): PgErrorFields {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause && typeof cause === 'object' && 'code' in cause) return cause as PgErrorFields;
  return (error ?? {}) as PgErrorFields;
}

/** Undefined when the error did not come from Postgres (no SQLSTATE). */
export function reducePostgresError(error: unknown, statement = ''): PostgresReport | undefined {
  const pg = pgErrorOf(error);
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) return undefined;
  const names = [pg.schema_name, pg.table_name, pg.column_name, pg.data_type_name, pg.constraint_name].filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  const report: PostgresReport = { sqlstate: pg.code, message: safeMessage(pg, names, statement) };
  if (pg.constraint_name) report.constraint = pg.constraint_name;
  if (pg.schema_name) report.schema = pg.schema_name;
  if (pg.table_name) report.table = pg.table_name;
  if (pg.column_name) report.column = pg.column_name;
  if (pg.data_type_name) report.dataType = pg.data_type_name;
  return report;
}

function safeMessage(pg: PgErrorFields, names: string[], statement: string): string {
  const message = (pg.message ?? '').replace(/\s+/g, ' ').trim();
  if (pg.routine === 'exec_stmt_raise' || pg.code?.startsWith('P0')) {
    return message && statement.includes(message)
      ? message
      : 'a RAISE in the migration (its message is not shown: it can carry row values)';
  }
  const known = new Set(names);
  // Quoted parts: kept when they are a name of the error or a word of the statement the
  // approvers reviewed; anything else is a value.
  const inStatement = (word: string) => word !== '' && (statement.includes(`"${word}"`) || wordIn(statement, word));
  return message
    .replace(/"([^"]*)"/g, (m, inner: string) => (known.has(inner) || inStatement(inner) ? m : `"${VALUE}"`))
    .replace(/'([^']*)'/g, (m, inner: string) => (known.has(inner) || inStatement(inner) ? m : `'${VALUE}'`))
    .replace(/\b0x[0-9a-f]{2}(?: 0x[0-9a-f]{2})*/gi, VALUE);
}

/** `word` as an unquoted identifier or keyword of the statement (case-insensitive, whole). */
function wordIn(statement: string, word: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(word)) return false;
  const lower = statement.toLowerCase();
  const w = word.toLowerCase();
  for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) {
    const before = lower[at - 1] ?? ' ';
    const after = lower[at + w.length] ?? ' ';
    if (!/[a-z0-9_$]/.test(before) && !/[a-z0-9_$]/.test(after)) return true;
  }
  return false;
}
