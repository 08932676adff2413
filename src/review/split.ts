import type { Node } from 'libpg-query';
import { drizzleQueries } from './drizzle-queries.ts';
import { parseSql } from './parse.ts';
import { skipLeadingNoise, splitOnSemicolons } from './sql-text.ts';

export { BREAKPOINT } from './drizzle-queries.ts';

export interface SplitStatement {
  /** Offset in the file of the statement's first significant character. */
  start: number;
  sql: string;
  ast?: Node;
  error?: string;
  /** Set with `error` when the text was too costly for PostgreSQL's scanner to be parsed (src/review/parse.ts). */
  tooSlowToScan?: true;
  /** 0-based index of the drizzle query (breakpoint piece) that runs this statement. */
  query: number;
  /** How many statements that query holds: drizzle sends them to PostgreSQL as one. */
  queryStatements: number;
  /** On a query's first statement: why the marker before it is not where drizzle-kit writes it. */
  misplacedMarker?: string;
}

/**
 * Splits a migration file into statements the way it runs: first into drizzle's queries, on
 * the raw marker text wherever it sits, then each query into the statements PostgreSQL's parser
 * finds in it. Never the whole file at once: the marker is a SQL comment, so a whole-file parse
 * would read `SELECT 1; --> statement-breakpoint DROP TABLE t;` as one statement, and drizzle
 * runs two.
 */
export function splitMigration(text: string): SplitStatement[] {
  const out: SplitStatement[] = [];
  for (const query of drizzleQueries(text)) {
    const statements = statementsOf(query.text, query.start).map((s) => ({ ...s, query: query.index }));
    statements.forEach((s, i) => {
      const statement: SplitStatement = { ...s, queryStatements: statements.length };
      if (i === 0 && query.misplacedMarker) statement.misplacedMarker = query.misplacedMarker;
      out.push(statement);
    });
  }
  return out;
}

type Parsed = Omit<SplitStatement, 'query' | 'queryStatements' | 'misplacedMarker'>;

/** One query's statements; when the whole query does not parse, each `;`-separated part on its own. */
function statementsOf(chunk: string, offset: number): Parsed[] {
  const parsed = parseSql(chunk);
  if (parsed.ok) return parsed.statements.map((s) => statementAt(chunk, offset, s.start, s.end, s.ast));
  const out: Parsed[] = [];
  for (const span of splitOnSemicolons(chunk)) {
    const piece = chunk.slice(span.start, span.end);
    const one = parseSql(piece);
    if (one.ok) {
      for (const s of one.statements) out.push(statementAt(piece, offset + span.start, s.start, s.end, s.ast));
    } else {
      const failed: Parsed = { ...statementAt(piece, offset + span.start, 0, piece.length), error: one.error };
      if (one.tooSlowToScan) failed.tooSlowToScan = true;
      out.push(failed);
    }
  }
  return out;
}

function statementAt(text: string, base: number, start: number, end: number, ast?: Node): Parsed {
  const from = skipLeadingNoise(text, start);
  const sql = text.slice(from, Math.max(from, end)).trimEnd();
  return ast ? { start: base + from, sql, ast } : { start: base + from, sql };
}
