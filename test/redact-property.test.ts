import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.ts';

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
