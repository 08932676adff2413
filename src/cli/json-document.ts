import { escapeJsonText } from './terminal-text.ts';

// `review --json` on 50,000 statements is a 54 MB document: built as one string by
// JSON.stringify it sat in memory twice (UTF-16, then escaped) beside the report it came from.
// The one long list is written an item at a time instead, as the same bytes JSON.stringify(…,
// null, 2) writes (the list is a top-level key: items at four spaces, its bracket at two).
// Writes to a pipe are asynchronous in Node (process.stdout, "A note on process I/O"): without
// waiting for 'drain' every chunk would queue in memory, so the writer waits when told to.

const BATCH = 500;

interface Sink {
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

export async function writeJsonDocument(out: Sink, document: Record<string, unknown>, streamed: string): Promise<void> {
  const put = async (text: string) => {
    if (out.write(text) === false && out.once) await new Promise<void>((resolve) => out.once?.('drain', resolve));
  };
  const items = document[streamed];
  const frame = escapeJsonText(JSON.stringify({ ...document, [streamed]: [] }, null, 2));
  // A top-level key is the only text that starts a line with exactly two spaces and a quote:
  // strings never hold a raw newline, and deeper keys are indented further.
  const slot = `\n  ${JSON.stringify(streamed)}: [`;
  const open = frame.indexOf(slot) + slot.length;
  if (!Array.isArray(items) || items.length === 0 || open < slot.length) {
    await put(`${escapeJsonText(JSON.stringify(document, null, 2))}\n`);
    return;
  }
  await put(`${frame.slice(0, open)}\n`);
  for (let from = 0; from < items.length; from += BATCH) {
    // A batch stringified as a list of its own holds its items at two spaces, one `[` line above
    // and one `]` line below: without those and two spaces further in, it is the document's text.
    const list = JSON.stringify(items.slice(from, from + BATCH), null, 2);
    const chunk = `  ${escapeJsonText(list.slice(2, -2)).replaceAll('\n', '\n  ')}`;
    await put(from + BATCH < items.length ? `${chunk},\n` : chunk);
  }
  // The frame holds `[]` there: what follows its `[` is `]` and the rest of the document.
  await put(`\n  ${frame.slice(open)}\n`);
}
