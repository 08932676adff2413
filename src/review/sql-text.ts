// Text-level helpers for SQL the parser could not take whole. Only used on the slow path:
// they need to be right about quotes, comments and dollar quotes, not about the grammar.

export interface TextSpan {
  start: number;
  end: number;
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
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
      } else {
        i++;
      }
    } else if (c === ';') {
      spans.push({ start, end: i });
      i++;
      start = i;
    } else {
      i++;
    }
  }
  if (start < n) spans.push({ start, end: n });
  return spans.filter((s) => !isBlank(sql.slice(s.start, s.end)));
}

function skipBlockComment(sql: string, from: number): number {
  // Postgres block comments nest.
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

function skipQuoted(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
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

const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** True when the text holds only whitespace and comments. */
export function isBlank(sql: string): boolean {
  return (LEADING_NOISE.exec(sql)?.[0].length ?? 0) === sql.length;
}

/** Offset of the first character that is neither whitespace nor part of a comment. */
export function skipLeadingNoise(sql: string, from = 0): number {
  return from + (LEADING_NOISE.exec(sql.slice(from))?.[0].length ?? 0);
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
