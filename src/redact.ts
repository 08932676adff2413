// Everything the bot posts to Slack or writes to its logs passes through redact(): build logs
// and error messages can carry connection strings and keys, and a Slack channel is no place
// for them. Patterns err on the side of hiding: a masked host costs a reader a little, a
// leaked password costs a rotation.
//
// Why our own pattern set and not secretlint's at run time: @secretlint/core's lintSource is
// asynchronous (redact() is called synchronously by the logger and every message builder), its
// rules allow-list the documented example keys (AKIAIOSFODNN7EXAMPLE passes), and its Postgres
// rule stops a password at `@` or `/`. Bundled, core and the recommended preset add ~80 KB and
// ~30 ms to the first call. So each pattern below that has a secretlint counterpart names the
// rule it mirrors (@secretlint/secretlint-rule-preset-recommend 13.1), and the rest say what
// log shape they exist for.

type Replacer = (match: string, ...groups: string[]) => string;
type Pattern = {
  /** The secretlint rule this mirrors, or the log shape it was written for. */
  source: string;
} & ({ pattern: RegExp; replace: string | Replacer } | { apply: (text: string) => string });

const MASK = '[REDACTED]';

// ASCII whitespace only: a shell or libpq value may hold a no-break space, and stopping there
// would leak the rest of it.
const WS = ' \\t\\r\\n\\f\\v';
const NOT_WS = `[^${WS}]`;
// No password runs longer; the bound keeps a 200 KB line of URL-like text linear.
const LONGEST = 1024;

// A shell or libpq word: quoted runs (never past a line end), escaped characters, or anything
// but whitespace; a lone quote counts as an ordinary character. Inside single quotes libpq
// honours backslash escapes and the shell does not: the libpq reading is tried first, as it
// always runs at least as far.
const WORD = String.raw`(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|'[^'\n]*'|\\.|[^${WS}])+`;
// A JSON string, or a bare scalar (number, true, null): never an object or array.
const JSON_VALUE = String.raw`(?:"(?:[^"\\\n]|\\.)*"|(?![{\[])[^,}\]${WS}]+)`;

// The names a secret goes by in env dumps, JSON, YAML, libpq strings and form bodies:
// PGPASSWORD, POSTGRES_PASSWORD, DB_PASSWORD, db_password, MYSQL_PWD (never PWD), client_secret,
// SLACK_SIGNING_SECRET, SecretAccessKey, SessionToken, SecretString, api_key, ...
const SECRET_NAME =
  '[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|secret|secretstring|secretaccesskey|token|credentials?|_pwd|(?:api|access|secret|private|signing|encryption|master|client)[_-]?key)';
// A name starts where a run of name characters starts (also keeps long runs linear), and
// never right after `//` (a URL's user: the URL pattern has had its say) or `:` (an ARN's
// `:secret:` resource type).
const NAME_START = String.raw`(?<![A-Za-z0-9_.\-/:])`;

const PATTERNS: Pattern[] = [
  {
    // A whole PEM block, including one with its line breaks escaped as \n inside JSON.
    source: '@secretlint/secretlint-rule-privatekey',
    pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g,
    replace: `-----BEGIN PRIVATE KEY----- ${MASK} -----END PRIVATE KEY-----`,
  },
  {
    // A log tail can start inside a key: the base64 lines before an END with no BEGIN.
    source: 'own: a PEM block cut by the log tail',
    apply: maskHeadlessPem,
  },
  {
    source: '@secretlint/secretlint-rule-slack (IncomingWebhook), widened to workflow and trigger URLs',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/gi,
    replace: `https://hooks.slack.com/${MASK}`,
  },
  {
    // Inside a JSON string the password can hold an escaped quote but the URL ends at the
    // closing quote; elsewhere it runs to the last `@` before whitespace, because a password
    // with a raw `@` or `/` is common and the host never holds an `@`.
    source: '@secretlint/secretlint-rule-database-connection-string, -basicauth: scheme://user:password@host, also with an empty user',
    pattern: new RegExp(String.raw`(?<=")(\b[a-z][a-z0-9+.-]*:\/\/[^${WS}:@/"]*):(?:\\.|[^${WS}"\\]){0,${LONGEST}}@`, 'gi'),
    replace: (_m, head) => `${head}:${MASK}@`,
  },
  {
    source: '@secretlint/secretlint-rule-database-connection-string, -basicauth: scheme://user:password@host, also with an empty user',
    pattern: new RegExp(String.raw`(\b[a-z][a-z0-9+.-]*:\/\/[^${WS}:@/"]*):(?!\[REDACTED\]@)${NOT_WS}{0,${LONGEST}}@`, 'gi'),
    replace: (_m, head) => `${head}:${MASK}@`,
  },
  {
    // JSON, Python and Ruby dumps: "db_password": "p\"q", 'password': 'x', "SessionToken" => "…".
    // The value is replaced by a JSON string, so a JSON line stays JSON.
    source: 'own: quoted secret names in JSON and language dumps',
    pattern: new RegExp(String.raw`${NAME_START}(["'])(${SECRET_NAME})\1(\s*(?::|=>?)\s*)(?:'(?:[^'\\\n]|\\.)*'|${JSON_VALUE})`, 'gi'),
    replace: (_m, quote, name, sep) => `${quote}${name}${quote}${sep}${quote === "'" ? `'${MASK}'` : `"${MASK}"`}`,
  },
  {
    // Env dumps, shell, YAML, libpq and form bodies: PGPASSWORD='…', password='a b',
    // client_secret=…&grant_type=…, SLACK_SIGNING_SECRET=…, aws_secret_access_key = ….
    source: 'own: secret names with = or : (secretlint-rule-aws covers only AWS_SECRET_ACCESS_KEY)',
    pattern: new RegExp(String.raw`${NAME_START}(${SECRET_NAME})([ \t]*(?::|=)[ \t]*)${WORD}`, 'gi'),
    replace: (_m, name, sep) => `${name}${sep}${MASK}`,
  },
  {
    // SOAP and XML dumps: <Password>…</Password>, <SessionToken>…</SessionToken>.
    source: 'own: secret names as XML elements',
    pattern: new RegExp(String.raw`<(${SECRET_NAME})>[^<]*</\1>`, 'gi'),
    replace: (_m, name) => `<${name}>${MASK}</${name}>`,
  },
  {
    // CREATE ROLE … PASSWORD '…', ALTER USER … ENCRYPTED PASSWORD E'…', as Postgres logs a statement.
    source: 'own: SQL role passwords',
    apply: maskSqlPasswords,
  },
  {
    source: '@secretlint/secretlint-rule-aws (AWSAccessKeyID)',
    pattern: /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g,
    replace: '[REDACTED_AWS_KEY_ID]',
  },
  {
    // STS session tokens start with the base64 of their own framing bytes.
    source: 'own: unlabelled AWS session tokens',
    pattern: /(?:IQoJb3JpZ2luX2|FwoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g,
    replace: MASK,
  },
  {
    // 40 base64 characters standing alone, with both cases and a digit or slash: the shape of
    // an AWS secret access key. A 40-hex git sha (one case) and a 64-hex sha256 (longer) are not.
    source: '@secretlint/secretlint-rule-aws (AWSSecretAccessKey), without the label it requires',
    pattern:
      /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-github (classic and fine-grained tokens)',
    pattern: /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9_]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
    replace: '[REDACTED_GITHUB_TOKEN]',
  },
  {
    source: '@secretlint/secretlint-rule-npm (NPM_ACCESS_TOKEN)',
    pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-slack (SlackToken), plus xoxe refresh tokens',
    pattern: /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}|\bxoxe\.xox[bp]-[A-Za-z0-9-]{10,}/g,
    replace: '[REDACTED_SLACK_TOKEN]',
  },
  {
    source: 'own: JWTs (header and payload are base64 JSON, so both start with eyJ)',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: '[REDACTED_JWT]',
  },
  {
    source: 'own: Authorization: Bearer …',
    pattern: /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: `$1 ${MASK}`,
  },
  {
    // Only base64 that decodes to user:password, so "Basic information" stays readable.
    source: 'own: Authorization: Basic … (secretlint-rule-basicauth covers only URLs)',
    pattern: /\b(basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (m, word, space, encoded) => (isBasicCredential(encoded) ? `${word}${space}${MASK}` : m),
  },
];

function isBasicCredential(encoded: string): boolean {
  if (encoded.length % 4 !== 0) return false;
  return Buffer.from(encoded, 'base64').toString('latin1').includes(':');
}

export function redact(text: string): string {
  let out = text;
  for (const rule of PATTERNS) out = 'apply' in rule ? rule.apply(out) : out.replace(rule.pattern, rule.replace as string);
  return out;
}

const PEM_END = /-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/g;
const BASE64_LINE = /^(?:[A-Za-z0-9+/=]|\\n)+$/;

/** An END marker with no BEGIN since the previous END: the base64 lines above it are key. */
function maskHeadlessPem(text: string): string {
  if (!text.includes('PRIVATE KEY')) return text;
  let out = '';
  let from = 0;
  for (const end of text.matchAll(PEM_END)) {
    const at = end.index as number;
    const before = text.slice(from, at);
    if (!before.includes('-----BEGIN')) {
      const lines = before.split('\n');
      const partial = (lines.pop() as string).trim();
      if (!partial || BASE64_LINE.test(partial)) {
        while (lines.length && BASE64_LINE.test((lines.at(-1) as string).trim())) lines.pop();
        out += `${lines.length ? `${lines.join('\n')}\n` : ''}${MASK} ${end[0]}`;
        from = at + end[0].length;
        continue;
      }
    }
    out += text.slice(from, at + end[0].length);
    from = at + end[0].length;
  }
  return out + text.slice(from);
}

const SQL_PASSWORD = /\bPASSWORD\s+(E?)(['"])/gi;

/**
 * SQL literals are scanned, not matched: whether a backslash escapes depends on E'' and on
 * standard_conforming_strings, and a regex picks the first reading that closes, which can be
 * the shorter one. The longer reading wins; an unclosed literal is masked to the line's end.
 */
function maskSqlPasswords(text: string): string {
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

/** The index after the literal that opens at `open`, or -1 when it never closes. */
function literalEnd(text: string, open: number, quote: string, backslashEscapes: boolean): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (backslashEscapes && c === '\\') i++;
    else if (c === quote) {
      if (text[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return -1;
}
/** Where each pattern comes from, for the docs and the tests. */
export const REDACTION_SOURCES: readonly string[] = PATTERNS.map((p) => p.source);

/**
 * A copy of a structured value with every string redacted and every field whose name says it
 * holds a secret masked whole, so it can be serialized afterwards: redacting serialized JSON
 * can cut through an escaped quote and leave an invalid line.
 */
export function redactValue(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[redact(key)] = SECRET_FIELD.test(key) && field !== null && typeof field !== 'object' ? MASK : redactValue(field, seen);
  }
  return out;
}

const SECRET_FIELD = new RegExp(`^${SECRET_NAME}$`, 'i');
