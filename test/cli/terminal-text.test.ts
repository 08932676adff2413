import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { escapeControlChars, escapeJsonText } from '../../src/cli/terminal-text.ts';

function capture(isTTY: boolean) {
  let text = '';
  return { stream: { write: (chunk: string) => (text += chunk), isTTY }, text: () => text };
}

async function review(args: string[], isTTY = true) {
  const out = capture(isTTY);
  const err = capture(isTTY);
  const code = await main(['--no-dry-run', ...args], out.stream, err.stream, {});
  return { code, out: out.text(), err: err.text() };
}

/** What the report itself adds on a terminal: SGR colour codes, nothing else. */
function withoutOurColours(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape sequences we emit
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('terminal-safe output', () => {
  it('shows control characters other than newline and tab as \\xNN', () => {
    expect(escapeControlChars('a\x1b[2Jb\tc\nd\re\x07\x7f\x9b')).toBe('a\\x1b[2Jb\tc\nd\\x0de\\x07\\x7f\\x9b');
    expect(escapeControlChars('price\u202eusd')).toBe('price\\u202eusd');
    expect(escapeControlChars('plain text, ünïcode ✓')).toBe('plain text, ünïcode ✓');
  });

  it('never leaves a raw control character, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(escapeControlChars(s).replace(/[\n\t]/g, '')).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it('keeps JSON valid and equal while escaping what JSON.stringify leaves raw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const text = escapeJsonText(JSON.stringify({ s }));
        expect(text).not.toMatch(RAW_CONTROL);
        expect(JSON.parse(text)).toEqual({ s });
      }),
    );
  });

  it('escapes SQL excerpts and file names in the text review, keeping its own colours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-escape-'));
    const file = join(dir, '0001_\x1b]0;owned\x07drop.sql');
    writeFileSync(file, 'DROP TABLE "votes\x1b[2J\x1b[H";\n');
    const { code, out } = await review([file]);
    expect(code).toBe(0);
    expect(out).toContain('\x1b[1m'); // bold: a terminal, so styled
    expect(withoutOurColours(out)).not.toMatch(RAW_CONTROL);
    expect(out).toContain('DROP TABLE "votes\\x1b[2J\\x1b[H"');
    expect(out).toContain('0001_\\x1b]0;owned\\x07drop');
  });

  it('escapes names in errors', async () => {
    const { code, err } = await review(['no/such\x1b[31mfile.sql']);
    expect(code).toBe(2);
    expect(err).toBe('Cannot review: no/such\\x1b[31mfile.sql: no such file or folder\n');
  });
});
