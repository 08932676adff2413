import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeJsonDocument } from '../../src/cli/json-document.ts';
import { escapeJsonText } from '../../src/cli/terminal-text.ts';

async function written(document: Record<string, unknown>, key: string): Promise<string> {
  const parts: string[] = [];
  await writeJsonDocument({ write: (text: string) => parts.push(text) }, document, key);
  return parts.join('');
}

describe('writeJsonDocument', () => {
  it('writes the same bytes as one JSON.stringify, across batches, with controls escaped', async () => {
    const statements = Array.from({ length: 1203 }, (_, i) => ({
      index: i,
      sql: `select ${i}; -- \u0085\u202e\u001b "quoted"`,
      findings: i % 3 ? [] : [{ rule: 'r', message: 'line one\nline two', nested: { list: [1, [2, {}]] } }],
      query: i % 2 ? undefined : { index: i },
    }));
    const document = { scope: { mode: 'files' }, statements, summary: { destructive: 1 }, plan: null, empty: [] };
    const out = await written(document, 'statements');
    expect(out).toBe(`${escapeJsonText(JSON.stringify(document, null, 2))}\n`);
    expect(out).not.toMatch(/[\u0085\u202e]/);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('writes an empty or single list as JSON.stringify does', async () => {
    for (const statements of [[], [{ a: 1 }]]) {
      const document = { statements, tail: 'x' };
      expect(await written(document, 'statements')).toBe(`${JSON.stringify(document, null, 2)}\n`);
    }
  });

  it('waits for the stream to drain before writing more', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const document = { statements: Array.from({ length: 3000 }, (_, i) => ({ i, sql: 'x'.repeat(100) })) };
    let settled = false;
    const writing = writeJsonDocument(stream, document, 'statements').then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads yet: the writer holds back after its first chunks instead of queueing all 3,000.
    expect(settled).toBe(false);
    expect(stream.writableLength).toBeLessThan(200_000);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    await writing;
    expect(Buffer.concat(chunks).toString()).toBe(`${JSON.stringify(document, null, 2)}\n`);
  });
});
