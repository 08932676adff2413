// Text-level reading of SQL, for what the parser is not asked (where drizzle's markers sit, a
// failed chunk's statements, where a statement's text starts). Each function walks the text
// once: a migration file is untrusted input, and nested comments must not make it quadratic.
// It must be right about quotes, comments and dollar quotes as PostgreSQL's scanner reads them
// (src/backend/parser/scan.l), not about the grammar.

export interface TextSpan {
  start: number;
  end: number;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/**
 * When a comment, quoted string or dollar-quoted body starts at `i`, the offset just after it
 * (the end of the text when it never closes); otherwise `i` itself.
 */
export function skipNonCode(sql: string, i: number): number {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === '-' && next === '-') {
    const nl = sql.indexOf('\n', i);
    return nl === -1 ? sql.length : nl + 1;
  }
  if (c === '/' && next === '*') return skipBlockComment(sql, i);
  if (c === "'") return skipQuoted(sql, i, "'", isEscapeString(sql, i));
  if (c === '"') return skipQuoted(sql, i, '"', false);
  if (c === '$' && !IDENTIFIER_CHAR.test(sql[i - 1] ?? '')) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql);
    if (tag) {
      const close = sql.indexOf(tag[0], i + tag[0].length);
      return close === -1 ? sql.length : close + tag[0].length;
    }
  }
  return i;
}

/**
 * Split on `;` outside quotes, comments and dollar-quoted bodies. An unterminated quote
 * swallows the rest of the input into one span, which then fails to parse on its own:
 * exactly the part a person must read.
 */
export function splitOnSemicolons(sql: string): TextSpan[] {
  const spans: TextSpan[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const skipped = skipNonCode(sql, i);
    if (skipped !== i) {
      i = skipped;
    } else if (sql[i] === ';') {
      spans.push({ start, end: i });
      i++;
      start = i;
    } else {
      i++;
    }
  }
  if (start < n) spans.push({ start, end: n });
  return spans.filter((s) => skipLeadingNoise(sql, s.start) < s.end);
}

/** Offsets where `needle` starts outside every comment, quoted string and dollar-quoted body. */
export function offsetsInCode(sql: string, needle: string): number[] {
  const found: number[] = [];
  let i = 0;
  while (i < sql.length) {
    if (sql.startsWith(needle, i)) found.push(i);
    const skipped = skipNonCode(sql, i);
    i = skipped === i ? i + 1 : skipped;
  }
  return found;
}

function skipBlockComment(sql: string, from: number): number {
  // PostgreSQL's block comments nest (scan.l, xc state).
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `E'...'`: backslash escapes apply (with standard_conforming_strings on, only here). */
function isEscapeString(sql: string, quote: number): boolean {
  const prefix = sql[quote - 1];
  return (prefix === 'E' || prefix === 'e') && !IDENTIFIER_CHAR.test(sql[quote - 2] ?? '');
}

function skipQuoted(sql: string, from: number, quote: string, backslashes: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** Offset of the first character at or after `from` that is neither whitespace nor part of a comment. */
export function skipLeadingNoise(sql: string, from = 0): number {
  let i = from;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) {
      i = skipNonCode(sql, i);
    } else {
      break;
    }
  }
  return i;
}

/** True when the text holds only whitespace and comments. */
export function isBlank(sql: string): boolean {
  return skipLeadingNoise(sql) === sql.length;
}

// PostgreSQL's scanner matches a run of operator characters whole, then backs up to a `/*`,
// a `--` or a trailing `+`/`-` inside it and scans the rest again (scan.l, rules {operator} and
// {xcstart}), so a run of n such characters costs up to n² steps: 40,000 `+` or `/*` take
// seconds in libpg-query. Runs up to SHORT_RUN characters cost at most SHORT_RUN steps per
// character, which stays linear; longer runs are charged their square against a budget.
const OPERATOR_CHAR = new Set('~!@#^&|`?+-*/%<>=');
const SHORT_RUN = 32;
/** One run of 2,048 `+`: tens of milliseconds in libpg-query 18 (bench/adversarial-sql.ts); 4,096 took 300+ ms. */
export const OPERATOR_RUN_BUDGET = 2048 * 2048;

/** The scanner work long runs of operator characters would cost, counted in one pass. */
export function operatorRunCost(sql: string): { cost: number; longestRun: number } {
  let cost = 0;
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i <= sql.length; i++) {
    if (i < sql.length && OPERATOR_CHAR.has(sql[i] ?? '')) {
      run++;
      continue;
    }
    if (run > SHORT_RUN) cost += run * run;
    if (run > longestRun) longestRun = run;
    run = 0;
  }
  return { cost, longestRun };
}

/** Maps character offsets to 1-based line numbers without rescanning the text each time. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
