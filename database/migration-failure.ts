import type { MigrationSource } from '../src/review/model.ts';
import { lineIndex, skipLeadingNoise, splitOnSemicolons } from '../src/review/sql-text.ts';

// Where a migration failed, in the terms of the file a person will open. drizzle-orm 0.45
// wraps a failed query in DrizzleQueryError (src/errors.ts) carrying the text it ran, which is
// one `--> statement-breakpoint` chunk of a migration file, and the driver's error as `cause`;
// postgres.js's PostgresError carries the SQLSTATE (`code`) and, for errors Postgres can place,
// a 1-based character `position` inside that chunk.

export interface MigrationFailure {
  file?: string;
  line?: number;
  statement?: string;
  message: string;
  sqlstate?: string;
  detail?: string;
}

// drizzle-orm's readMigrationFiles splits each file on this marker and runs each piece as one
// query (src/migrator.ts). Not imported from src/review/split.ts: that pulls in the SQL parser.
const BREAKPOINT = '--> statement-breakpoint';

interface PgErrorLike {
  code?: string;
  message?: string;
  position?: string | number;
  detail?: string;
  hint?: string;
}

export function sqlstateOf(error: unknown): string | undefined {
  return pgError(error).code;
}

export function locateFailure(error: unknown, migrations: readonly MigrationSource[]): MigrationFailure {
  const pg = pgError(error);
  const query = (error as { query?: unknown }).query;
  const failure: MigrationFailure = {
    message: pg.message ?? String(error),
    ...(pg.code ? { sqlstate: pg.code } : {}),
    ...(pg.detail || pg.hint ? { detail: [pg.detail, pg.hint].filter(Boolean).join(' ') } : {}),
  };
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

function placeInChunk(file: string, offset: number, chunk: string, position: PgErrorLike['position']): { line: number; statement: string } {
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

function pgError(error: unknown): PgErrorLike {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause && typeof cause === 'object' && 'code' in cause) return cause as PgErrorLike;
  return (error ?? {}) as PgErrorLike;
}

function oneLine(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export function formatFailure(f: MigrationFailure): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : 'a migration';
  const state = f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : '';
  const detail = f.detail ? ` ${f.detail}` : '';
  const statement = f.statement ? `\n  statement: ${f.statement}` : '';
  return `Migration failed at ${where}: ${f.message}${state}.${detail}${statement}`;
}
