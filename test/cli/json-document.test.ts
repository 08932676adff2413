import { describe, expect, it } from 'vitest';
import { writeJsonDocument } from '../../src/cli/json-document.ts';
import { escapeJsonText } from '../../src/cli/terminal-text.ts';

function written(document: Record<string, unknown>, key: string): string {
  const parts: string[] = [];
  writeJsonDocument({ write: (text: string) => parts.push(text) }, document, key);
  return parts.join('');
}

describe('writeJsonDocument', () => {
  it('writes the same bytes as one JSON.stringify, across batches, with controls escaped', () => {
    const statements = Array.from({ length: 1203 }, (_, i) => ({
      index: i,
      sql: `select ${i}; -- \u0085\u202e\u001b "quoted"`,
      findings: i % 3 ? [] : [{ rule: 'r', message: 'line one\nline two', nested: { list: [1, [2, {}]] } }],
      query: i % 2 ? undefined : { index: i },
    }));
    const document = { scope: { mode: 'files' }, statements, summary: { destructive: 1 }, plan: null, empty: [] };
    const out = written(document, 'statements');
    expect(out).toBe(`${escapeJsonText(JSON.stringify(document, null, 2))}\n`);
    expect(out).not.toMatch(/[\u0085\u202e]/);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('writes an empty or single list as JSON.stringify does', () => {
    for (const statements of [[], [{ a: 1 }]]) {
      const document = { statements, tail: 'x' };
      expect(written(document, 'statements')).toBe(`${JSON.stringify(document, null, 2)}\n`);
    }
  });
});
