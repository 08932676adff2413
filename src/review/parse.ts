import type { Node } from 'libpg-query';
import { OPERATOR_RUN_BUDGET, operatorRunCost } from './sql-text.ts';

// libpg-query is PostgreSQL's own parser compiled to WASM: if Postgres accepts a statement,
// so does this, so nothing drizzle-kit or a person writes is "unsupported syntax".

type LibPgQuery = typeof import('libpg-query');
let lib: LibPgQuery | undefined;
let ready: Promise<void> | undefined;

/**
 * Loads the WASM parser once per process (about 40 ms). Every review awaits it. Imported on
 * demand: a Lambda answering from precomputed reviews never pays for it.
 */
export function loadSqlParser(): Promise<void> {
  ready ??= import('libpg-query').then(async (module) => {
    await module.loadModule();
    lib = module;
  });
  return ready;
}

function parser(): LibPgQuery {
  // A programming error, not bad SQL: never let it pass as an "unparsable statement".
  if (!lib) throw new Error('loadSqlParser() must complete before parsing');
  return lib;
}

export interface ParsedStatement {
  ast: Node;
  /** Character offsets into the parsed text; `end` excludes the terminating `;`. */
  start: number;
  end: number;
}

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  /** `tooSlowToScan`: never handed to the parser, whose scanner would take quadratic time on it. */
  | { ok: false; error: string; tooSlowToScan?: true };

export function parseSql(sql: string): ParseOutcome {
  // The parser reads a C string: it would stop at a NUL and never see what follows.
  if (sql.includes('\0')) return { ok: false, error: 'contains a NUL character, which PostgreSQL rejects' };
  const slow = tooSlowToScan(sql);
  if (slow) return { ok: false, error: slow, tooSlowToScan: true };
  const { parseSync } = parser();
  let stmts: NonNullable<ReturnType<LibPgQuery['parseSync']>['stmts']>;
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    return { ok: false, error: describeParseError(error) };
  }
  // Locations are UTF-8 byte offsets; JS strings index UTF-16 code units.
  const bytes = stmts.flatMap((s) => {
    const start = s.stmt_location ?? 0;
    return [start, s.stmt_len ? start + s.stmt_len : -1];
  });
  const chars = byteOffsetsToCharOffsets(sql, bytes);
  const statements: ParsedStatement[] = [];
  stmts.forEach((s, i) => {
    if (!s.stmt) return;
    const start = chars[2 * i] ?? 0;
    const end = chars[2 * i + 1] ?? -1;
    statements.push({ ast: s.stmt, start, end: end === -1 ? sql.length : end });
  });
  return { ok: true, statements };
}

/** The PL/pgSQL tree of a DO statement, or why it could not be read. */
export function parsePlpgsql(doStatement: string): { ok: true; tree: unknown } | { ok: false; error: string } {
  const slow = tooSlowToScan(doStatement);
  if (slow) return { ok: false, error: slow };
  const { parsePlPgSQLSync } = parser();
  try {
    return { ok: true, tree: parsePlPgSQLSync(doStatement) };
  } catch (error) {
    return { ok: false, error: describeParseError(error) };
  }
}

/** Why the text is not handed to the parser, when its scanner would take quadratic time on it. */
function tooSlowToScan(sql: string): string | undefined {
  const { cost, longestRun } = operatorRunCost(sql);
  if (cost <= OPERATOR_RUN_BUDGET) return undefined;
  return `holds runs of operator characters (/*, +, - and the like; the longest is ${longestRun} characters) that PostgreSQL's scanner reads in quadratic time, so it was not parsed`;
}

function describeParseError(error: unknown): string {
  if (parser().hasSqlDetails(error) && error.sqlDetails) {
    const at = error.sqlDetails.cursorPosition;
    return at >= 0 ? `${error.sqlDetails.message} (at character ${at + 1})` : error.sqlDetails.message;
  }
  return error instanceof Error ? error.message : String(error);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole 7-bit range is the point.
const ASCII = /^[\x00-\x7f]*$/;

/** Converts ascending-or-not byte offsets (-1 passes through) with one walk of the text. */
function byteOffsetsToCharOffsets(text: string, byteOffsets: number[]): number[] {
  if (ASCII.test(text)) return byteOffsets;
  const order = byteOffsets
    .map((b, i) => [b, i] as const)
    .filter(([b]) => b >= 0)
    .sort((a, b) => a[0] - b[0]);
  const result = [...byteOffsets];
  let bytes = 0;
  let char = 0;
  for (const [target, slot] of order) {
    while (bytes < target && char < text.length) {
      const cp = text.codePointAt(char) ?? 0;
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      char += cp >= 0x10000 ? 2 : 1;
    }
    result[slot] = char;
  }
  return result;
}
