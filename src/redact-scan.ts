// Hand-written scanners for the secret shapes a regular expression cannot take in linear time:
// a value whose end depends on quoting (shell, libpq, SQL literals), a URL's userinfo (which
// runs to the LAST `@` of the URL), and YAML values on the lines below their key. Each scanner
// visits every character a bounded number of times, so a hostile line costs what its length
// costs (see test/redact-property.test.ts and `npm run bench`).

export const MASK = '[REDACTED]';

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v';

/**
 * Where a shell or libpq word that starts at `from` ends: quoted runs (never past a line end),
 * backslash escapes, or anything but ASCII whitespace (a no-break space inside a value must not
 * end it early). Inside single quotes libpq honours backslash escapes and the shell does not;
 * the word is read both ways to its end and the reading that runs further wins (choosing per
 * quote is not enough: `'\'\'' '` closes later for libpq at its first quote, yet runs further
 * for the shell). A quote that never closes on its line is an ordinary character, and once one
 * has not closed no later quote of that kind on the line is looked for again, which keeps a
 * line of quotes linear.
 */
export function wordEnd(text: string, from: number): number {
  return Math.max(readWord(text, from, true), readWord(text, from, false));
}

function readWord(text: string, from: number, shell: boolean): number {
  let i = from;
  let noCloseAfter: Record<string, number> = { '"': Number.POSITIVE_INFINITY, "'": Number.POSITIVE_INFINITY };
  while (i < text.length && !isSpace(text[i])) {
    const c = text[i] as string;
    if (c === '\\') {
      i += text[i + 1] === undefined || text[i + 1] === '\n' ? 1 : 2;
      continue;
    }
    if ((c === '"' || c === "'") && i < (noCloseAfter[c] as number)) {
      const close = closingQuote(text, i, c === '"' || !shell);
      if (close >= 0) {
        i = close + 1;
        continue;
      }
      noCloseAfter = { ...noCloseAfter, [c]: i };
    }
    i++;
  }
  return i;
}

/** The index of the quote that closes the one at `open` on the same line, or -1. */
function closingQuote(text: string, open: number, backslashEscapes: boolean): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return -1;
    if (backslashEscapes && c === '\\') i++;
    else if (c === quote) return i;
  }
  return -1;
}

/**
 * URL userinfo: `scheme://user:password@host` keeps the user and hides the password;
 * `scheme://token@host` (a user and no password: GitHub tokens, Sentry keys) hides the user.
 * The userinfo runs to the last `@` of the URL, because a raw `@` or `/` in a password is
 * common and a host never holds one; inside a JSON string the URL ends at the closing quote.
 * The percent-encoded form (`postgres%3A%2F%2Fu%3Apw%40host`, a DSN passed as a parameter) is
 * read the same way with `%3A` and `%40`.
 */
export function maskUrlUserinfo(text: string): string {
  return maskUserinfo(maskUserinfo(text, '://', ':', '@'), '%3a%2f%2f', '%3a', '%40');
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const LONGEST_SCHEME = 32;

function maskUserinfo(text: string, separator: string, colon: string, at: string): string {
  const lower = separator === '://' ? text : asciiLower(text);
  let out = '';
  let copied = 0;
  let searchFrom = 0;
  for (;;) {
    const sep = lower.indexOf(separator, searchFrom);
    if (sep < 0) break;
    let schemeStart = sep;
    while (schemeStart > 0 && sep - schemeStart < LONGEST_SCHEME && SCHEME_CHAR.test(text[schemeStart - 1] as string)) schemeStart--;
    const authStart = sep + separator.length;
    const inJson = text[schemeStart - 1] === '"';
    const end = urlEnd(text, authStart, inJson);
    searchFrom = Math.max(end, authStart);
    if (schemeStart === sep || !/[A-Za-z]/.test(text[schemeStart] as string)) continue;
    const lastAt = lower.lastIndexOf(at, end - at.length);
    if (lastAt < authStart) continue;
    const userinfo = lower.slice(authStart, lastAt);
    if (userinfo === '' || userinfo === MASK.toLowerCase() || userinfo.endsWith(`${colon}${MASK.toLowerCase()}`)) continue;
    const c = userinfo.indexOf(colon);
    // The authority ends at the first `/`, `?` or `#`: `https://registry.npmjs.org/@slack/bolt`
    // has no userinfo. Only a password may hold them.
    if (/[/?#]/.test(c < 0 ? userinfo : userinfo.slice(0, c))) continue;
    const kept = c < 0 ? '' : `${text.slice(authStart, authStart + c)}${text.slice(authStart + c, authStart + c + colon.length)}`;
    out += `${text.slice(copied, authStart)}${kept}${MASK}`;
    copied = lastAt;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A URL ends at whitespace, or, inside a JSON string, at the closing (unescaped) quote. */
function urlEnd(text: string, from: number, inJson: boolean): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (isSpace(c)) return i;
    if (inJson && c === '\\') i++;
    else if (inJson && c === '"') return i;
  }
  return text.length;
}

/** Lower case for ASCII letters only, so indexes stay those of the original text. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const SQL_PASSWORD = /\bPASSWORD\s{1,16}(E?)(['"])/gi;

/**
 * SQL literals after PASSWORD (CREATE ROLE … PASSWORD '…', a user mapping's `password '…'`)
 * are scanned, not matched: whether a backslash escapes depends on E'' and on
 * standard_conforming_strings, and the longer reading wins. An unclosed literal is masked to
 * the line's end.
 */
export function maskSqlPasswords(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(SQL_PASSWORD)) {
    if ((m.index as number) < from) continue;
    const open = (m.index as number) + m[0].length - 1;
    const quote = m[2] as string;
    const ends = [literalEnd(text, open, quote, false), quote === "'" ? literalEnd(text, open, quote, true) : -1];
    let end = Math.max(...ends);
    if (end < 0) end = text.indexOf('\n', open) < 0 ? text.length : text.indexOf('\n', open);
    out += `${text.slice(from, (m.index as number) + m[0].length - 1 - (m[1] as string).length)}'${MASK}'`;
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The index after the literal that opens at `open` (never past its line), or -1. */
function literalEnd(text: string, open: number, quote: string, backslashEscapes: boolean): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return -1;
    if (backslashEscapes && c === '\\') i++;
    else if (c === quote) {
      if (text[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return -1;
}

/**
 * YAML puts a value where a line-based pattern cannot see it: below its key (`password:` then
 * an indented line, or a block scalar `password: |`), or in the `value:` beside a Kubernetes
 * env entry's `name: DB_PASSWORD`. Every line indented deeper than such a key is masked.
 */
export function maskYamlBlocks(text: string, isSecretName: (name: string) => boolean): string {
  if (!text.includes(':')) return text;
  const lines = text.split('\n');
  let hideDeeperThan = -1;
  let envSecretIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const indent = line.length - line.trimStart().length;
    if (hideDeeperThan >= 0) {
      if (line.trim() !== '' && indent > hideDeeperThan) {
        lines[i] = `${line.slice(0, indent)}${MASK}`;
        continue;
      }
      hideDeeperThan = -1;
    }
    const key = /^(\s*)(-\s+)?([A-Za-z0-9_.-]{1,128}):[ \t]*(?:[|>][-+]?[0-9]?)?[ \t]*$/.exec(line);
    if (key && isSecretName(key[3] as string)) hideDeeperThan = (key[1] as string).length + (key[2] ?? '').length;
    const env = /^(\s*)-\s+name:[ \t]*["']?([A-Za-z0-9_.-]{1,128})["']?[ \t]*$/.exec(line);
    if (env) envSecretIndent = isSecretName(env[2] as string) ? (env[1] as string).length : -1;
    else if (envSecretIndent >= 0) {
      const value = /^(\s*)value:[ \t]*\S/.exec(line);
      if (value && (value[1] as string).length > envSecretIndent) {
        lines[i] = `${line.slice(0, line.indexOf('value:') + 'value:'.length)} ${MASK}`;
        envSecretIndent = -1;
      } else if (indent <= envSecretIndent) envSecretIndent = -1;
    }
  }
  return lines.join('\n');
}
