import { offsetsInCode } from './sql-text.ts';

// How drizzle cuts a migration file into queries. drizzle-orm 0.45's readMigrationFiles
// (node_modules/drizzle-orm/migrator.js) splits the file's raw text on the marker, wherever it
// sits (in a comment, in a string, mid-line), and never reads the journal's `breakpoints` flag;
// pg-core's dialect.migrate then runs each piece as one query (`tx.execute(sql.raw(piece))`),
// which postgres.js sends with the simple protocol (no parameters), so a piece may hold several
// statements. drizzle-kit v1's migration.sql files are cut the same way (src/history/load-v1.ts).
// Kept free of the SQL parser: the migrator's failure locator runs where it is never loaded.

export const BREAKPOINT = '--> statement-breakpoint';

export interface DrizzleQuery {
  /** 0-based position among the file's queries. */
  index: number;
  /** Offset of the piece in the file. */
  start: number;
  text: string;
  /**
   * Set when the marker that opens this piece is not where drizzle-kit writes it (at the end of
   * a line, outside comments and strings): the file then reads differently from how it runs.
   */
  misplacedMarker?: string;
}

/** The file's pieces exactly as drizzle-orm runs them, in order, empty ones included. */
export function drizzleQueries(file: string): DrizzleQuery[] {
  const inCode = new Set(offsetsInCode(file, BREAKPOINT));
  const queries: DrizzleQuery[] = [];
  let start = 0;
  for (const [index, text] of file.split(BREAKPOINT).entries()) {
    const query: DrizzleQuery = { index, start, text };
    if (index > 0) {
      const marker = start - BREAKPOINT.length;
      const reason = !inCode.has(marker)
        ? 'it sits inside a comment or a quoted string, where it reads as text'
        : sqlFollowsOnItsLine(file, start)
          ? 'SQL follows it on the same line, where it reads as part of a comment'
          : undefined;
      if (reason) query.misplacedMarker = reason;
    }
    queries.push(query);
    start += text.length + BREAKPOINT.length;
  }
  return queries;
}

function sqlFollowsOnItsLine(file: string, from: number): boolean {
  // Stops at the first non-blank character, so markers sharing a line stay linear.
  for (let i = from; i < file.length; i++) {
    const c = file[i];
    if (c === '\n') return false;
    if (c !== ' ' && c !== '\t' && c !== '\r') return true;
  }
  return false;
}
