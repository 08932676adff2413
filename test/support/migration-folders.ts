import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HISTORY = 'backend/drizzle';

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/** A scratch copy of the real migrations folder, to cut, edit or extend in a test. */
export function copyHistory(count?: number): { dir: string; journal: Journal; writeJournal(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'drizzle-history-'));
  cpSync(HISTORY, dir, { recursive: true });
  const path = join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  const folder = {
    dir,
    journal,
    writeJournal: () => writeFileSync(path, `${JSON.stringify(journal, null, 2)}\n`),
  };
  if (count !== undefined) {
    journal.entries = journal.entries.slice(0, count);
    folder.writeJournal();
  }
  return folder;
}

/** A copy of the migrations folder holding only the first `count` journal entries. */
export function historyPrefix(count: number): string {
  return copyHistory(count).dir;
}
