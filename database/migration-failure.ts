import { type DrizzleQuery, drizzleQueries } from '../src/review/drizzle-queries.ts';
import type { MigrationSource } from '../src/review/model.ts';
import { loadSqlParser } from '../src/review/parse.ts';
import { splitMigration } from '../src/review/split.ts';
import { lineIndex } from '../src/review/sql-text.ts';
import type { PostgresReport } from '../src/runner-report.ts';
import { type PgErrorFields, pgErrorOf, reducePostgresError } from './postgres-error.ts';

// Where a migration failed, in the terms of the file a person will open. drizzle-orm 0.45
// wraps a failed query in DrizzleQueryError (src/errors.ts) carrying the text it ran, which is
// one `--> statement-breakpoint` chunk of a migration file, and the driver's error as `cause`;
// postgres.js's PostgresError carries the SQLSTATE (`code`) and, for errors Postgres can place,
// a 1-based character `position` inside that chunk. What is kept of the error is what
// postgres-error.ts keeps: the names, never the row's values (`detail` is dropped), because
// this text is printed into the build log that the request's Slack thread reads.

export interface MigrationFailure {
  file?: string;
  line?: number;
  statement?: string;
  /** The message without values (see postgres-error.ts). */
  message: string;
  sqlstate?: string;
  postgres?: PostgresReport;
}

export function sqlstateOf(error: unknown): string | undefined {
  return pgErrorOf(error).code;
}

export async function locateFailure(error: unknown, migrations: readonly MigrationSource[]): Promise<MigrationFailure> {
  const pg = pgErrorOf(error);
  const query = (error as { query?: unknown }).query;
  const postgres = reducePostgresError(error, typeof query === 'string' ? query : '');
  const failure: MigrationFailure = postgres
    ? { message: postgres.message, sqlstate: postgres.sqlstate, postgres }
    : // Not from Postgres (a dropped connection, a bug): its message names no row.
      { message: (error as Error)?.message ?? String(error) };
  if (typeof query !== 'string') return failure;
  for (const m of migrations) {
    // The pieces drizzle ran, cut as the review cut them (src/review/drizzle-queries.ts).
    const piece = drizzleQueries(m.sql).find((q) => q.text === query);
    if (piece) return { ...failure, file: m.file, ...(await placeInQuery(m.sql, piece, pg.position)) };
  }
  return { ...failure, statement: oneLine(query) };
}

async function placeInQuery(
  file: string,
  piece: DrizzleQuery,
  position: PgErrorFields['position'],
): Promise<{ line: number; statement: string }> {
  const lineOf = lineIndex(file);
  // Loaded once per process: the step planner (step-plan.ts) has loaded it already.
  const parsed = await loadSqlParser().then(
    () => true,
    () => false,
  );
  const statements = parsed ? splitMigration(file).filter((s) => s.query === piece.index) : [];
  const at = position === undefined ? undefined : piece.start + Number(position) - 1;
  // Without a position (a runtime error: a lock timeout, a violated constraint) Postgres does
  // not say which statement of a multi-statement query failed; the query's first one is named.
  const statement = (at !== undefined && [...statements].reverse().find((s) => s.start <= at)) ||
    statements[0] || { start: piece.start, sql: piece.text };
  const placed = at !== undefined && at >= statement.start && at < piece.start + piece.text.length;
  return { line: lineOf(placed ? at : statement.start), statement: oneLine(statement.sql) };
}

function oneLine(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export function formatFailure(f: MigrationFailure): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : 'a migration';
  const pg = f.postgres;
  const names = pg
    ? [pg.constraint && `constraint ${pg.constraint}`, pg.table && `table ${pg.table}`, pg.column && `column ${pg.column}`]
    : [];
  const state = f.sqlstate ? ` (${[`SQLSTATE ${f.sqlstate}`, ...names.filter(Boolean)].join(', ')})` : '';
  const statement = f.statement ? `\n  statement: ${f.statement}` : '';
  return `Migration failed at ${where}: ${f.message}${state}.${statement}`;
}
