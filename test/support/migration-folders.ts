import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJournalFolder } from '../../src/history/load.ts';
import type { MigrationSource } from '../../src/review/model.ts';

export const HISTORY = 'backend/drizzle';

/** The tags of the repository's migration history, in journal order. */
export const HISTORY_TAGS = [
  '0000_init',
  '0001_anonymous_uploads',
  '0002_shareable_uuids',
  '0003_media_sizes_and_cleanup',
  '0004_rename_biography',
  '0005_backfill_trimmed_names',
];

/** A migrations folder as the bot loads it (journal order, missing files reported); throws on an unreadable one. */
export async function loadFolder(dir = HISTORY) {
  const loaded = await loadJournalFolder(dir);
  if (!loaded.ok) throw new Error(loaded.reason);
  return loaded;
}

/** The repository's migration history. */
export async function loadHistory(): Promise<MigrationSource[]> {
  return (await loadFolder()).migrations;
}

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

/** A drizzle migrations folder written from SQL, in drizzle-kit's layout: one .sql per entry and the journal. */
export function drizzleFolder(migrations: readonly { tag: string; sql: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'drizzle-folder-'));
  mkdirSync(join(dir, 'meta'));
  for (const m of migrations) writeFileSync(join(dir, `${m.tag}.sql`), m.sql);
  const entries = migrations.map((m, idx) => ({ idx, version: '7', when: 1_700_000_000_000 + idx * 1000, tag: m.tag, breakpoints: true }));
  writeFileSync(join(dir, 'meta/_journal.json'), `${JSON.stringify({ version: '7', dialect: 'postgresql', entries }, null, 2)}\n`);
  return dir;
}
