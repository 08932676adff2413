import type { Node } from 'libpg-query';
import { type ParsedStatement, parseSql } from './parse.ts';
import { skipLeadingNoise, splitOnSemicolons } from './sql-text.ts';

/** drizzle-kit's chunk separator; drizzle-orm splits on it before running each chunk. */
export const BREAKPOINT = '--> statement-breakpoint';

export interface SplitStatement {
  /** Offset in the file of the statement's first significant character. */
  start: number;
  sql: string;
  ast?: Node;
  error?: string;
}

/**
 * Splits a migration file into statements. The breakpoint is itself a SQL line comment, so
 * the common case is one parse of the whole file (3x faster than chunk by chunk); the chunked,
 * then statement-by-statement, path runs only when that fails or when a breakpoint sits inside
 * a statement (drizzle would cut it in two there, so its halves must be reviewed as such).
 */
export function splitMigration(text: string): SplitStatement[] {
  const whole = parseSql(text);
  if (whole.ok && !breakpointInsideStatement(text, whole.statements)) {
    return whole.statements.map((s) => statementAt(text, 0, s.start, s.end, s.ast));
  }
  const out: SplitStatement[] = [];
  let offset = 0;
  for (const chunk of text.split(BREAKPOINT)) {
    const parsed = parseSql(chunk);
    if (parsed.ok) {
      for (const s of parsed.statements) out.push(statementAt(chunk, offset, s.start, s.end, s.ast));
    } else {
      for (const span of splitOnSemicolons(chunk)) {
        const piece = chunk.slice(span.start, span.end);
        const one = parseSql(piece);
        if (one.ok) {
          for (const s of one.statements) out.push(statementAt(piece, offset + span.start, s.start, s.end, s.ast));
        } else {
          out.push({ ...statementAt(piece, offset + span.start, 0, piece.length), error: one.error });
        }
      }
    }
    offset += chunk.length + BREAKPOINT.length;
  }
  return out;
}

function statementAt(text: string, base: number, start: number, end: number, ast?: Node): SplitStatement {
  const from = skipLeadingNoise(text, start);
  const sql = text.slice(from, Math.max(from, end)).trimEnd();
  return ast ? { start: base + from, sql, ast } : { start: base + from, sql };
}

function breakpointInsideStatement(text: string, statements: ParsedStatement[]): boolean {
  if (!text.includes(BREAKPOINT)) return false;
  return statements.some((s) => {
    const at = text.indexOf(BREAKPOINT, s.start);
    return at !== -1 && at < s.end && at >= skipLeadingNoise(text, s.start);
  });
}
