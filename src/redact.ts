import { MASK, maskSqlPasswords, maskUrlUserinfo, maskYamlBlocks, wordEnd } from './redact-scan.ts';

// Everything the bot posts to Slack or writes to its logs passes through redact(): build logs
// and error messages can carry connection strings and keys, and a Slack channel is no place
// for them. It is the second line of defence: the build's thread shows only what our own
// runner reports (src/runner-report.ts) and CodeBuild's phase lines. Patterns err on the side
// of hiding: a masked host costs a reader a little, a leaked password costs a rotation.
//
// Every line is cut to LONGEST_LINE characters before anything is matched, and every pattern
// is linear on its own: no nested or overlapping quantifiers, starts anchored where a run
// starts, bounded repeats; what needs more (quoting, the last `@` of a URL, YAML's next line)
// is a scanner in redact-scan.ts. A 100 KB hostile line costs milliseconds (npm run bench).
//
// Why our own pattern set and not a package's: @secretlint/core's lintSource is asynchronous
// (redact() is called synchronously by the logger and every message builder), its rules
// allow-list the documented example keys (AKIAIOSFODNN7EXAMPLE passes), its Postgres rule stops
// a password at `@` or `/`, and core with the recommended preset adds ~80 KB and ~30 ms to the
// first call. @logtape/redaction 2.3 ships PII patterns (e-mail, card and ID numbers, JWT) for
// logtape's formatters, and @arcjet/redact 1.x is asynchronous and PII-only (e-mail, phone, IP,
// card). So each pattern below that has a secretlint counterpart names the rule it mirrors
// (@secretlint/secretlint-rule-preset-recommend 13.x), and the rest say what shape they are for.

type Replacer = (match: string, ...groups: string[]) => string;
type Pattern = {
  /** The secretlint rule this mirrors, or the log shape it was written for. */
  source: string;
} & ({ pattern: RegExp; replace: string | Replacer } | { apply: (text: string) => string });

/** Longer lines are cut (at a word boundary, the cut word dropped) before any pattern runs. */
export const LONGEST_LINE = 4096;

// The names a secret goes by in env dumps, JSON, YAML, libpq strings, CLI flags and form
// bodies: PGPASSWORD, SMTP_PASS, MYSQL_PWD (never the shell's PWD), client_secret, AUTH_TOKEN,
// NPM_AUTH, SESSION_COOKIE, credentials, api_key, apiKey, SecretAccessKey, password_hash, ...
// The name must END with the keyword (or a hash/value suffix), so DatabaseUrlSecretName and
// --password-stdin are names of something else.
const KEYWORD =
  '(?:pass(?:word|wd|phrase)?|[_.-]pwd|secret(?:string|accesskey|_key_base)?|token|auth(?:orization)?|cookie|credentials?|(?:api|access|secret|private|signing|encryption|master|client|ssh|deploy|license|account|auth|session|app)[_-]?key)';
const SUFFIX = '(?:[_-]?(?:hash|digest|value|b64|base64|json|enc(?:rypted)?))?';
const SECRET_NAME = `[A-Za-z0-9_.-]{0,96}?${KEYWORD}${SUFFIX}`;
// A name starts where a run of name characters starts (this is what keeps a long run linear),
// and never right after `//` (a URL's user, which the URL scanner has had its say on).
const NAME_START = String.raw`(?<![A-Za-z0-9_.\-/])`;
// A JSON string, or a bare scalar (number, true, null): never an object or array.
const JSON_VALUE = String.raw`(?:"(?:[^"\\\n]|\\.){0,${LONGEST_LINE}}"|(?![{\[])[^,}\]\s]{1,${LONGEST_LINE}})`;

const SECRET_NAME_ONLY = new RegExp(`^${SECRET_NAME}$`, 'i');
export const isSecretName = (name: string): boolean => SECRET_NAME_ONLY.test(name);

const PATTERNS: Pattern[] = [
  {
    // A whole PEM block, including one with its line breaks escaped as \n inside JSON.
    source: '@secretlint/secretlint-rule-privatekey',
    pattern:
      /-----BEGIN[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g,
    replace: `-----BEGIN PRIVATE KEY----- ${MASK} -----END PRIVATE KEY-----`,
  },
  {
    // A log tail can start inside a key: the base64 lines before an END with no BEGIN.
    source: 'own: a PEM block cut by the log tail',
    apply: maskHeadlessPem,
  },
  {
    // Postgres puts a row's values in DETAIL: `Key (email)=(a@b) already exists`,
    // `Failing row contains (…)`. The columns stay, the values go.
    source: 'own: Postgres DETAIL of a unique, foreign key or exclusion violation',
    pattern: /\b(Key \([^()\n]{0,512}\)=\()[^\n]*/g,
    replace: `$1${MASK})`,
  },
  {
    source: 'own: Postgres DETAIL of a NOT NULL or check violation',
    pattern: /\b(Failing row contains )\([^\n]*/g,
    replace: `$1(${MASK})`,
  },
  {
    // Postgres's own log format: whatever follows DETAIL can quote a row.
    source: 'own: DETAIL lines of the Postgres server log',
    pattern: /(\bDETAIL: +)[^\n]+/g,
    replace: `$1${MASK}`,
  },
  {
    source:
      '@secretlint/secretlint-rule-slack (IncomingWebhook), widened to workflow, trigger and response_url (commands, actions) URLs: each posts to a channel',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers|commands|actions)\/[A-Za-z0-9/_-]{1,512}/gi,
    replace: `https://hooks.slack.com/${MASK}`,
  },
  {
    source: '@secretlint/secretlint-rule-database-connection-string, -basicauth: URL userinfo, raw or percent-encoded',
    apply: maskUrlUserinfo,
  },
  {
    // JSON, Python and Ruby dumps: "db_password": "p\"q", 'password': 'x', "SessionToken" => "…".
    // The value is replaced by a JSON string, so a JSON line stays JSON.
    source: 'own: quoted secret names in JSON and language dumps',
    pattern: new RegExp(
      String.raw`${NAME_START}(["'])(${SECRET_NAME})\1([ \t]{0,16}(?::|=>)[ \t]{0,16})(?:'(?:[^'\\\n]|\\.){0,${LONGEST_LINE}}'|${JSON_VALUE})`,
      'gi',
    ),
    replace: (_m, quote, name, sep) => `${quote}${name}${quote}${sep}${quote === "'" ? `'${MASK}'` : `"${MASK}"`}`,
  },
  {
    // Any scheme: Bearer, Basic, Token, Digest, AWS4-HMAC-SHA256, ApiKey; and cookies.
    source: 'own: Authorization, Proxy-Authorization, Cookie and API key headers',
    pattern: /(?<![A-Za-z0-9_-])((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token|api-key)(:[ \t]{0,16})[^\n]+/gi,
    replace: (_m, name, sep) => `${name}${sep}${MASK}`,
  },
  {
    source: 'own: YAML values below their key, and Kubernetes env entries',
    apply: (text) => maskYamlBlocks(text, isSecretName),
  },
  {
    // Env dumps, shell, YAML, libpq, INI and form bodies: PGPASSWORD='…', password='a b',
    // client_secret=…&grant_type=…, aws_secret_access_key = …, password: ….
    source: 'own: secret names with = or : (secretlint-rule-aws covers only AWS_SECRET_ACCESS_KEY)',
    apply: maskNamedValues,
  },
  {
    source: 'own: secret names as CLI flags (--password x, --api-key=x)',
    apply: maskSecretFlags,
  },
  {
    // SOAP and XML dumps: <Password>…</Password>, <SessionToken>…</SessionToken>.
    source: 'own: secret names as XML elements',
    pattern: new RegExp(String.raw`<(${SECRET_NAME})>[^<\n]{0,${LONGEST_LINE}}</\1>`, 'gi'),
    replace: (_m, name) => `<${name}>${MASK}</${name}>`,
  },
  {
    // CREATE ROLE … PASSWORD '…', ALTER USER … ENCRYPTED PASSWORD E'…', OPTIONS (password '…').
    source: 'own: SQL role and user mapping passwords',
    apply: maskSqlPasswords,
  },
  {
    // Short flags whose meaning depends on the command: psql's -p is a port, docker's a password.
    source: 'own: docker/podman login -p, redis-cli -a, mysql -pPASSWORD, aws configure set',
    pattern:
      /\b((?:docker|podman|buildah|helm registry) login\b[^\n]{0,256}? -p[ =]|redis-cli\b[^\n]{0,256}? -a |mysql(?:dump|admin)?\b[^\n]{0,256}? -p(?=[^\s-])|aws configure set [A-Za-z0-9_.]{0,64}(?:secret|token|key)[A-Za-z0-9_]{0,32} )[^\s]{1,1024}/gi,
    replace: `$1${MASK}`,
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
    pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: (m) => (/[a-z]/.test(m) && /[A-Z]/.test(m) && /[0-9/+]/.test(m) ? MASK : m),
  },
  {
    source: '@secretlint/secretlint-rule-github (classic and fine-grained tokens)',
    pattern: /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9_]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
    replace: '[REDACTED_GITHUB_TOKEN]',
  },
  {
    source: 'own: GitLab personal, deploy and runner tokens (gitleaks gitlab-pat)',
    pattern: /(?<![A-Za-z0-9])gl(?:pat|dt|rt|cbt|ptt)-[A-Za-z0-9_-]{20,255}/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-npm (NPM_ACCESS_TOKEN)',
    pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-slack (SlackToken), plus xoxe refresh tokens',
    pattern: /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,1024}|\bxoxe\.xox[bp]-[A-Za-z0-9-]{10,1024}/g,
    replace: '[REDACTED_SLACK_TOKEN]',
  },
  {
    source: 'own: JWTs (header and payload are base64 JSON, so both start with eyJ)',
    pattern: /\beyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{0,4096}/g,
    replace: '[REDACTED_JWT]',
  },
  {
    source: '@secretlint/secretlint-rule-sendgrid',
    pattern: /\bSG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-gcp (Google API keys)',
    pattern: /\bAIza[A-Za-z0-9_-]{35}/g,
    replace: MASK,
  },
  {
    source: '@secretlint/secretlint-rule-openai, -anthropic: sk-, sk-proj-, sk-ant- keys; Stripe sk_/rk_ keys',
    pattern: /(?<![A-Za-z0-9_-])(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,512}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255})/g,
    replace: MASK,
  },
  {
    source: 'own: Twilio API key SIDs and Sentry auth tokens',
    pattern: /\bSK[0-9a-f]{32}\b|\bsntry[su]_[A-Za-z0-9_=+/-]{20,1024}/g,
    replace: MASK,
  },
  {
    source: 'own: Authorization: Bearer … outside a header line',
    pattern: /\b(bearer)\s{1,16}(?!\[REDACTED)[A-Za-z0-9._~+/=-]{8,4096}/gi,
    replace: `$1 ${MASK}`,
  },
  {
    // Only base64 that decodes to user:password, so "Basic information" stays readable.
    source: 'own: Authorization: Basic … outside a header line (secretlint-rule-basicauth covers only URLs)',
    pattern: /\b(basic)(\s{1,16})([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (m, word, space, encoded) => (decodesTo(encoded, /:/) ? `${word}${space}${MASK}` : m),
  },
  {
    // Key material without its frame: PEM body lines (64 characters), long random tokens.
    // Both cases and a digit; few slashes, so a long path is not taken for a key.
    source: 'own: PEM bodies without a header, and other long base64 runs',
    pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{60,}={0,2}(?![A-Za-z0-9+/=])/g,
    replace: (m) => (/[a-z]/.test(m) && /[A-Z]/.test(m) && /[0-9]/.test(m) && (m.match(/\//g)?.length ?? 0) * 16 <= m.length ? MASK : m),
  },
  {
    // A DSN or credential passed base64-encoded (DATABASE_URL_B64, a Kubernetes Secret's data).
    source: 'own: base64 that decodes to a URL with userinfo or a password assignment',
    pattern: /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,4096}={0,2}(?![A-Za-z0-9+/=_-])/g,
    replace: (m) => (decodesTo(m, /[a-z][a-z0-9+.-]*:\/\/[^\s/]*@|pass(?:word)?[=:]|secret[=:]/i) ? MASK : m),
  },
];

function decodesTo(encoded: string, shape: RegExp): boolean {
  const body = encoded.replace(/=+$/, '');
  if (body.length % 4 === 1) return false;
  const decoded = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
  return /^[\x20-\x7e\t\r\n]*$/.test(decoded) && shape.test(decoded);
}

/** Masks every secret the patterns know; lines are cut first. */
export function redact(text: string): string {
  return maskSecrets(cutLongLines(text));
}

/** The patterns alone, on text of any length (for the bench and the linear-time tests). */
export function maskSecrets(text: string): string {
  let out = text;
  for (const rule of PATTERNS) out = 'apply' in rule ? rule.apply(out) : out.replace(rule.pattern, rule.replace as string);
  return out;
}

/** A line past LONGEST_LINE keeps its start up to the last whitespace before the cut. */
export function cutLongLines(text: string): string {
  if (text.length <= LONGEST_LINE) return text;
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= LONGEST_LINE) return line;
      const note = ` … [${line.length} characters, cut]`;
      // Never inside a word: the start of a URL or a token whose end was cut away would no
      // longer match its pattern.
      const limit = LONGEST_LINE - note.length;
      const end = Math.max(0, line.lastIndexOf(' ', limit), line.lastIndexOf('\t', limit));
      return `${line.slice(0, end)}${note}`;
    })
    .join('\n');
}

// `=>` is Ruby's only when a space follows: `PGPASSWORD=>x` assigns `>x`.
const NAMED_VALUE = new RegExp(String.raw`${NAME_START}(${SECRET_NAME})([ \t]{0,16}(?::|=>(?=[ \t])|=)[ \t]{0,16})`, 'gi');
// A SQL assignment (`SET password_hash = NULL`, `= crypt(…)`, `= EXCLUDED.password_hash`) is
// the migration's text, which the review already showed; env and INI values never look so.
const SQL_VALUE = /^(?:null|default|true|false|(?:excluded|old|new)\.|\$\d|[A-Za-z_][A-Za-z0-9_]*\()/i;

function maskNamedValues(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(NAMED_VALUE)) {
    const at = m.index as number;
    if (at < from) continue;
    const sep = m[2] as string;
    const valueStart = at + m[0].length;
    // `arn:aws:secretsmanager:…:secret:name` names a secret, it does not hold one.
    if (text[at - 1] === ':' && sep.trim() === ':') continue;
    const end = wordEnd(text, valueStart);
    if (end === valueStart) continue;
    const value = text.slice(valueStart, end);
    if (value === MASK || value === `'${MASK}'` || value === `"${MASK}"`) continue;
    if (sep.trim() !== sep && sep.includes('=') && SQL_VALUE.test(value)) continue;
    // `NAME=> x` is a Ruby hash's arrow, or a shell assignment of `>` and then a redirection:
    // the mask starts right after the `=`, so a secret that is (or starts with) `>` is never
    // left beside it.
    const maskFrom = sep.includes('=>') ? valueStart - sep.length + sep.indexOf('=') + 1 : valueStart;
    out += `${text.slice(from, maskFrom)}${MASK}`;
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

const SECRET_FLAG = new RegExp(String.raw`(?<![A-Za-z0-9_-])--(${SECRET_NAME})(=|[ \t]{1,16})`, 'gi');

function maskSecretFlags(text: string): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(SECRET_FLAG)) {
    const at = m.index as number;
    const valueStart = at + m[0].length;
    if (at < from || text[valueStart] === '-' || text.startsWith(MASK, valueStart)) continue;
    const end = wordEnd(text, valueStart);
    if (end === valueStart) continue;
    out += `${text.slice(from, valueStart)}${MASK}`;
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

const PEM_END = /-----END[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----/g;
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
    out[redact(key)] = isSecretName(key) && field !== null && typeof field !== 'object' ? MASK : redactValue(field, seen);
  }
  return out;
}
