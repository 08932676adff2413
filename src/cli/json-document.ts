import { randomUUID } from 'node:crypto';
import { escapeJsonText } from './terminal-text.ts';

// `review --json` on 50,000 statements is a 54 MB document: built as one string by
// JSON.stringify it sat in memory twice (UTF-16, then escaped) beside the report it came from.
// The one long list is written an item at a time instead, as the same bytes JSON.stringify(…,
// null, 2) writes (the list is a top-level key: items at four spaces, its bracket at two).

const BATCH = 500;

export function writeJsonDocument(out: { write(text: string): unknown }, document: Record<string, unknown>, streamed: string): void {
  const items = document[streamed];
  if (!Array.isArray(items) || items.length === 0) {
    out.write(`${escapeJsonText(JSON.stringify(document, null, 2))}\n`);
    return;
  }
  const marker = `deploybot-streamed-${randomUUID()}`;
  const frame = escapeJsonText(JSON.stringify({ ...document, [streamed]: marker }, null, 2));
  const at = frame.indexOf(`"${marker}"`);
  out.write(`${frame.slice(0, at)}[\n`);
  for (let from = 0; from < items.length; from += BATCH) {
    const chunk = items
      .slice(from, from + BATCH)
      .map((item) => `    ${escapeJsonText(JSON.stringify(item, null, 2)).replaceAll('\n', '\n    ')}`)
      .join(',\n');
    out.write(from + BATCH < items.length ? `${chunk},\n` : chunk);
  }
  out.write(`\n  ]${frame.slice(at + marker.length + 2)}\n`);
}
