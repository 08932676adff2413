import type { MigrationSource } from '../src/review/model.ts';
import { lineIndex, skipLeadingNoise, splitOnSemicolons } from '../src/review/sql-text.ts';
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

// drizzle-orm's readMigrationFiles splits each file on this marker and runs each piece as one
// query (src/migrator.ts). Not imported from src/review/split.ts: that pulls in the SQL parser.
const BREAKPOINT = '--> statement-breakpoint';

export function sqlstateOf(error: unknown): string | undefined {
  return pgErrorOf(error).code;
}

export function locateFailure(error: unknown, migrations: readonly MigrationSource[]): MigrationFailure {
  const pg = pgErrorOf(error);
  const query = (error as { query?: unknown }).query;
  const postgres = reducePostgresError(error, typeof query === 'string' ? query : '');
  const failure: MigrationFailure = postgres
    ? { message: postgres.message, sqlstate: postgres.sqlstate, postgres }
    : // Not from Postgres (a dropped connection, a bug): its message names no row.
      { message: (error as Error)?.message ?? String(error) };
  if (typeof query !== 'string') return failure;
  for (const m of migrations) {
    let offset = 0;
    for (const chunk of m.sql.split(BREAKPOINT)) {
      if (chunk === query) return { ...failure, file: m.file, ...placeInChunk(m.sql, offset, chunk, pg.position) };
      offset += chunk.length + BREAKPOINT.length;
    }
  }
  return { ...failure, statement: oneLine(query) };
}

function placeInChunk(
  file: string,
  offset: number,
  chunk: string,
  position: PgErrorFields['position'],
): { line: number; statement: string } {
  const lineOf = lineIndex(file);
  const spans = splitOnSemicolons(chunk).filter((s) => chunk.slice(s.start, s.end).trim() !== '');
  const at = position === undefined ? undefined : Number(position) - 1;
  // Without a position (a runtime error: a lock timeout, a violated constraint) Postgres does
  // not say which statement of a multi-statement chunk failed; the chunk's first one is named.
  const span = (at !== undefined && spans.find((s) => at >= s.start && at <= s.end)) || spans[0] || { start: 0, end: chunk.length };
  const start = skipLeadingNoise(chunk, span.start);
  return {
    line: lineOf(offset + (at !== undefined && at >= start && at <= span.end ? at : start)),
    statement: oneLine(chunk.slice(start, span.end)),
  };
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
