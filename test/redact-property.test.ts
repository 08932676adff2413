import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGEST_LINE, maskSecrets, redact } from '../src/redact.ts';

// Arbitrary passwords (any printable character) written the ways logs write them. The check is
// structural: the text before the secret comes back as it was, then a mask, then a tail of
// the text that followed (a redaction may swallow some of what follows, never reveal any of
// the secret). So a partial leak (a redactor that stops at a quote or an `@`) fails too.

const printable = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('é', '€', '\u00a0', '日', '😀', 'ß') },
);
const password = fc.string({ unit: printable, minLength: 1, maxLength: 40 });
/** Where no quoting protects the value, a raw ASCII space or tab ends it in any log. */
const rawPassword = password.filter((p) => !/[ \t]/.test(p));

const before = fc.constantFrom('', '[Container] 2026/11/24 09:01:02.123456 Running command ', 'error: connect failed: ', 'env: ');
const after = fc.constantFrom(
  '',
  ' psql -c "select 1"',
  ' sslmode=require',
  '\n[Container] Phase complete: BUILD State: FAILED',
  ', retrying in 2 s',
);

const MASKS = ['[REDACTED]', "'[REDACTED]'", '"[REDACTED]"'];

function expectHidden(out: string, head: string, tail: string): void {
  expect(out.startsWith(head), `prefix changed: ${out}`).toBe(true);
  const rest = out.slice(head.length);
  const mask = MASKS.find((m) => rest.startsWith(m));
  expect(mask, `no mask after the name: ${out}`).toBeDefined();
  const left = rest.slice((mask as string).length);
  expect(tail.endsWith(left), `secret text survived: ${JSON.stringify(out)}`).toBe(true);
}

const shellSingle = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;
const shellDouble = (p: string) => `"${p.replace(/(["\\$`])/g, '\\$1')}"`;
const libpqQuoted = (p: string) => `'${p.replace(/(['\\])/g, '\\$1')}'`;

const names = fc.constantFrom(
  'PGPASSWORD',
  'POSTGRES_PASSWORD',
  'DB_PASSWORD',
  'db_password',
  'password',
  'client_secret',
  'SLACK_SIGNING_SECRET',
  'AWS_SECRET_ACCESS_KEY',
  'aws_session_token',
  'api_key',
  'MYSQL_PWD',
  'Password',
);

describe('redaction of arbitrary passwords', () => {
  it('in a connection URL, raw or percent-encoded, with or without a user', () => {
    fc.assert(
      fc.property(
        before,
        fc.constantFrom('postgres', 'postgresql', 'https', 'mysql'),
        fc.stringMatching(/^[a-z_]{0,12}$/),
        fc.oneof(
          password.map((p) => encodeURIComponent(p)),
          rawPassword,
        ),
        fc.constantFrom(
          'db.internal:5432/daadaar',
          'daadaar-prod.cluster-c9xk2l.us-east-1.rds.amazonaws.com/daadaar?sslmode=require',
          '10.0.3.17',
        ),
        after,
        (pre, scheme, user, written, host, post) => {
          const head = `${pre}${scheme}://${user}:`;
          const out = redact(`${head}${written}@${host}${post}`);
          expect(out.startsWith(head)).toBe(true);
          const rest = out.slice(head.length);
          expect(rest.startsWith('[REDACTED]@'), out).toBe(true);
          expect(`@${host}${post}`.endsWith(rest.slice('[REDACTED]'.length)), out).toBe(true);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('as name=value in env dumps, shell, libpq strings, YAML and form bodies', () => {
    fc.assert(
      fc.property(
        before,
        names,
        fc.oneof(
          rawPassword.map((p) => ({ sep: '=', written: p })),
          password.map((p) => ({ sep: '=', written: shellSingle(p) })),
          password.map((p) => ({ sep: '=', written: shellDouble(p) })),
          password.map((p) => ({ sep: '=', written: libpqQuoted(p) })),
          password.map((p) => ({ sep: '=', written: `${encodeURIComponent(p)}&grant_type=client_credentials` })),
          rawPassword.map((p) => ({ sep: ': ', written: p })),
          password.map((p) => ({ sep: ' = ', written: shellDouble(p) })),
        ),
        after,
        (pre, name, { sep, written }, post) => {
          const head = `${pre}${name}${sep}`;
          expectHidden(redact(`${head}${written}${post}`), head, post);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('as a JSON field, and the line stays JSON', () => {
    fc.assert(
      fc.property(names, password, fc.constantFrom('', '"host":"db.internal",'), (name, p, other) => {
        const line = `{"level":"error",${other}${JSON.stringify(name)}:${JSON.stringify(p)},"port":5432}`;
        const out = redact(line);
        expect(JSON.parse(out)[name]).toBe('[REDACTED]');
        expect(JSON.parse(out).port).toBe(5432);
      }),
      { numRuns: 800 },
    );
  });

  it('as an XML element', () => {
    const xml = (p: string) => p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    fc.assert(
      fc.property(fc.constantFrom('Password', 'SecretAccessKey', 'SessionToken'), password, (name, p) => {
        const head = `<Credentials><${name}>`;
        expectHidden(redact(`${head}${xml(p)}</${name}></Credentials>`), head, `</${name}></Credentials>`);
      }),
      { numRuns: 300 },
    );
  });

  it("in SQL: CREATE ROLE … PASSWORD '…'", () => {
    fc.assert(
      fc.property(password, (p) => {
        const head = '2026-11-24 09:01:02 UTC [81] LOG:  statement: CREATE ROLE reader WITH LOGIN PASSWORD ';
        expectHidden(redact(`${head}'${p.replace(/'/g, "''")}';`), head, ';');
      }),
      { numRuns: 500 },
    );
  });
});

// Hostile lines: long runs of the characters the patterns start, stop or backtrack on. Before
// the patterns were made linear a 100 KB run of `a.` took 9 s (the URL scheme pattern tried
// every position). The bound is generous, for a loaded machine; a quadratic pattern misses it
// by an order of magnitude. The patterns are timed on uncut text, redact() on the line as given.
const HOSTILE_UNITS = [
  '@',
  ':',
  '//',
  '=',
  '"',
  "'",
  '\\',
  '[{(',
  ')]}',
  'Ab1/',
  'Zm9v',
  'a.',
  'a_',
  'a-',
  'eyJ.',
  'xoxb-',
  'sk-',
  'a://b:',
  'x://u:p@',
  'postgres://u',
  '%3a%2f%2f',
  'password=',
  '"password":',
  'password="\\',
  "password='",
  '--password ',
  "PASSWORD '",
  'Key (a)=(',
  'Failing row contains (',
  'DETAIL: ',
  'Authorization: ',
  '-----BEGIN ',
  'docker login -p',
  'a@b/',
  'a:b@c//d="e\'',
];

function hostileLine(units: string[], size: number): string {
  let line = '';
  for (let i = 0; line.length < size; i++) line += units[i % units.length];
  return line.slice(0, size);
}

function timed(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('hostile lines are redacted in linear time', () => {
  it('every hostile 100 KB run, through the patterns uncut, in well under a second', () => {
    for (const unit of HOSTILE_UNITS) {
      const line = hostileLine([unit], 100_000);
      expect(
        timed(() => maskSecrets(line)),
        JSON.stringify(unit),
      ).toBeLessThan(1500);
      expect(
        timed(() => redact(line)),
        JSON.stringify(unit),
      ).toBeLessThan(250);
    }
  });

  it('a 200 KB line costs about twice a 100 KB one, not four times', () => {
    // Medians of five; 20 ms of slack absorbs timer and GC noise where a linear run takes a
    // millisecond or two (a quadratic one takes seconds here).
    for (const unit of ['a.', 'a://b:', '"password":', 'Authorization: ', "PASSWORD '", 'Ab1/', '--password ']) {
      const median = (size: number) => {
        const line = hostileLine([unit], size);
        const runs = [0, 1, 2, 3, 4].map(() => timed(() => maskSecrets(line))).sort((a, b) => a - b);
        return runs[2] as number;
      };
      median(100_000);
      const [small, large] = [median(100_000), median(200_000)];
      expect(large, `${JSON.stringify(unit)}: ${small.toFixed(1)} ms, then ${large.toFixed(1)} ms`).toBeLessThan(3 * small + 20);
    }
  });

  it('any mix of hostile pieces, at any length up to 100 KB', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...HOSTILE_UNITS), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 100_000 }),
        (units, size) => {
          const line = hostileLine(units, size);
          expect(timed(() => maskSecrets(line))).toBeLessThan(1500);
          const out = redact(line);
          expect(out.length).toBeLessThanOrEqual(Math.max(line.length, 200) + 200);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('cuts a long line before matching, at whitespace, so no half secret is left unmatched', () => {
    const secret = 'postgres://app:Hunter2-very-long-password@db.internal/daadaar';
    const line = `${'word '.repeat(818)}${secret} ${'tail '.repeat(50)}`;
    const out = redact(line);
    expect(out.length).toBeLessThanOrEqual(LONGEST_LINE);
    expect(out).not.toContain('Hunter2');
    expect(out).toMatch(/characters, cut\]$/);
    expect(redact(out)).toBe(out);
  });
});
