import { readFile } from 'node:fs/promises';

/**
 * A JSON table `npm run build` wrote, read once on first use. A missing or unreadable file is
 * an empty table: every lookup misses and the caller works live, as it must anyway.
 */
export function precomputedFile<T>(path: string): () => Promise<T | undefined> {
  let table: Promise<T | undefined> | undefined;
  return () => {
    table ??= readFile(path, 'utf8')
      .then((text) => JSON.parse(text) as T)
      .catch(() => undefined);
    return table;
  };
}
