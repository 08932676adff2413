import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLog } from '../src/log.ts';
import { REDACTION_SOURCES, redact } from '../src/redact.ts';

// The corpus: every secret shape a migration, seed or AWS SDK log realistically prints, in
// the text around it (test/fixtures/redaction/secrets.log), and ordinary lines that must come
// through untouched (clean.log).

const fixture = (name: string) => readFileSync(new URL(`./fixtures/redaction/${name}`, import.meta.url), 'utf8');

interface Case {
  title: string;
  text: string;
  secrets: string[];
}

function cases(source: string): Case[] {
  const out: Case[] = [];
  let title = '';
  for (const paragraph of source.split(/\n\s*\n/)) {
    const lines = paragraph.split('\n').filter((l) => l.trim() !== '');
    const comment = lines.filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
    if (comment.length) title = comment.join(' ');
    const body = lines.filter((l) => !l.startsWith('#')).join('\n');
    if (!body) continue;
    const secrets = [...body.matchAll(/⟦([\s\S]*?)⟧/g)].map((m) => m[1] as string);
    out.push({ title, text: body.replace(/[⟦⟧]/g, ''), secrets });
  }
  return out;
}

/** Every run of `size` characters of the secret that the text around it does not also hold. */
function pieces(secret: string, around: string, size = 6): string[] {
  const parts = secret.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    if (part.length <= size) out.push(part);
    else for (let i = 0; i + size <= part.length; i++) out.push(part.slice(i, i + size));
  }
  return out.filter((p) => !around.includes(p) && !'[REDACTED] -----BEGIN PRIVATE KEY----- -----END PRIVATE KEY-----'.includes(p));
}

const secretCases = cases(fixture('secrets.log'));

describe('redaction corpus', () => {
  it('holds every shape the issue lists', () => {
    expect(secretCases.length).toBeGreaterThanOrEqual(29);
    expect(secretCases.flatMap((c) => c.secrets).length).toBeGreaterThanOrEqual(120);
  });

  for (const c of secretCases) {
    it(`hides every piece of the secret: ${c.title}`, () => {
      const around = c.text.replace(new RegExp(c.secrets.map(escapeRegExp).join('|'), 'g'), '\u0000');
      const out = redact(c.text);
      for (const secret of c.secrets) {
        for (const piece of pieces(secret, around)) expect(out, `"${piece}" of "${secret}" survived`).not.toContain(piece);
      }
      expect(out).toContain('[REDACTED');
      expect(out.split('\n').length).toBeLessThanOrEqual(c.text.split('\n').length);
    });
  }

  it('hides the whole corpus at once, as a posted log tail', () => {
    const text = secretCases.map((c) => c.text).join('\n');
    const out = redact(text);
    for (const c of secretCases) for (const secret of c.secrets) expect(out).not.toContain(secret);
  });

  it('leaves ordinary migration lines alone: tags, sha256 hashes, build ids, ARNs, uuids, git shas', () => {
    const lines = fixture('clean.log')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThan(90);
    for (const line of lines) expect(redact(line)).toBe(line);
  });

  it('keeps a URL readable around the hidden password', () => {
    expect(redact('postgres://daadaar_app:pw@db.internal:5432/daadaar')).toBe('postgres://daadaar_app:[REDACTED]@db.internal:5432/daadaar');
    expect(redact('{"url":"postgres://u:p\\"w@h/d","user":"a@b"}')).toBe('{"url":"postgres://u:[REDACTED]@h/d","user":"a@b"}');
  });

  it('stays fast on 200 KB hostile lines (no backtracking blow-up)', () => {
    const hostile = [
      'Ab1/'.repeat(50_000),
      'postgres://u:'.repeat(15_000),
      'password="\\'.repeat(20_000),
      'a_'.repeat(100_000),
      `-----BEGIN PRIVATE KEY-----\n${'MIIE'.repeat(50_000)}`,
      "CREATE ROLE x PASSWORD 'a\\".repeat(10_000),
    ];
    for (const text of hostile) expect(redact(text).length).toBeGreaterThan(0);
  });

  it('names, for every pattern, the secretlint rule it mirrors or the log shape it is for', () => {
    for (const source of REDACTION_SOURCES) expect(source).toMatch(/^(@secretlint\/secretlint-rule-[a-z-]+|own: \S)/);
  });

  it('is idempotent', () => {
    const once = redact(secretCases.map((c) => c.text).join('\n'));
    expect(redact(once)).toBe(once);
  });

  it('keeps a redacted JSON line valid JSON', () => {
    const lines = secretCases.flatMap((c) => c.text.split('\n')).filter(isJson);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(() => JSON.parse(redact(line))).not.toThrow();
  });
});

describe('structured logs', () => {
  function logLine(fields: Record<string, unknown>): string {
    const lines: string[] = [];
    createLog({ service: 'test' }, 'debug', (l) => lines.push(l)).error('failed', fields);
    expect(lines).toHaveLength(1);
    return lines[0] as string;
  }

  it('redacts a password inside a string field before serializing, and the line stays JSON', () => {
    const line = logLine({
      detail: 'config {"password":"p\\"q w"} and postgres://u:pa"ss@h/d',
      nested: { env: ['PGPASSWORD=hunter2', { DB_PASSWORD: 'plain-value-1' }] },
      error: new Error('connect failed for postgres://app:s3cret@db/daadaar'),
    });
    const parsed = JSON.parse(line);
    expect(line).not.toMatch(/p\\+"q|pa"ss|hunter2|plain-value-1|s3cret/);
    expect(parsed.nested.env[1].DB_PASSWORD).toBe('[REDACTED]');
    expect(parsed.error).toBe('Error: connect failed for postgres://app:[REDACTED]@db/daadaar');
    expect(parsed.service).toBe('test');
  });

  it('masks a field whose name says it is secret, whatever its value looks like', () => {
    const parsed = JSON.parse(logLine({ client_secret: 'abc', SessionToken: 'short', signingSecret: 42, requestId: 'req_1' }));
    expect(parsed).toMatchObject({
      client_secret: '[REDACTED]',
      SessionToken: '[REDACTED]',
      signingSecret: '[REDACTED]',
      requestId: 'req_1',
    });
  });

  it('survives cycles and odd values', () => {
    const a: Record<string, unknown> = { n: 1n, when: new Date(0) };
    a.self = a;
    const parsed = JSON.parse(logLine({ a }));
    expect(parsed.a).toEqual({ n: '1', when: '1970-01-01T00:00:00.000Z', self: '[circular]' });
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
