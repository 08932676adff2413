import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { MigrationSource } from '../review/model.ts';
import { loadV1Folder } from './load-v1.ts';

export type LoadResult = { ok: true; migrations: MigrationSource[] } | { ok: false; reason: string };

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
  breakpoints: boolean;
}

/** drizzle stores sha256 of the file's text in __drizzle_migrations.hash (drizzle-orm/src/migrator.ts). */
export function migrationHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Loads what drizzle would run: a migrations folder in journal order, or loose .sql files in
 * the order given. Errors are returned, not thrown: the CLI turns them into exit code 2.
 */
export async function loadMigrations(paths: readonly string[], cwd = process.cwd()): Promise<LoadResult> {
  const migrations: MigrationSource[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) return { ok: false, reason: `${path}: no such file or folder` };
    const loaded = info.isDirectory() ? await loadFolder(path, cwd) : await loadFile(path, cwd);
    if (!loaded.ok) return loaded;
    migrations.push(...loaded.migrations);
  }
  return { ok: true, migrations };
}

async function loadFolder(folder: string, cwd: string): Promise<LoadResult> {
  const loaded = await loadJournalFolder(folder, cwd);
  if (!loaded.ok) return loaded;
  const [missing] = loaded.missing;
  if (missing) return { ok: false, reason: `${missing.file}: listed in the journal but missing` };
  return { ok: true, migrations: loaded.migrations };
}

/** A journal entry whose .sql file is not there: drizzle's migrator refuses to run at all. */
export interface MissingMigration {
  tag: string;
  when: number;
  file: string;
}

export type JournalFolderResult = { ok: true; migrations: MigrationSource[]; missing: MissingMigration[] } | { ok: false; reason: string };

/**
 * A migrations folder in journal order, reporting entries without a file rather than failing
 * on them; or, without a journal, drizzle-kit v1's `<timestamp>_<name>/migration.sql` folders.
 */
export async function loadJournalFolder(folder: string, cwd = process.cwd()): Promise<JournalFolderResult> {
  const journalPath = join(folder, 'meta', '_journal.json');
  const text = await readFile(journalPath, 'utf8').catch(() => undefined);
  if (text === undefined) {
    const v1 = await loadV1Folder(folder, cwd, migrationHash);
    if (v1) return { ok: true, migrations: v1, missing: [] };
    return { ok: false, reason: `${folder}: not a drizzle migrations folder (no meta/_journal.json, no <name>/migration.sql)` };
  }
  let entries: JournalEntry[];
  try {
    entries = parseJournal(text);
  } catch (error) {
    return { ok: false, reason: `${journalPath}: ${(error as Error).message}` };
  }
  const migrations: MigrationSource[] = [];
  const missing: MissingMigration[] = [];
  for (const entry of entries) {
    const file = join(folder, `${entry.tag}.sql`);
    const shown = relative(cwd, file) || file;
    const sql = await readFile(file, 'utf8').catch(() => undefined);
    if (sql === undefined) missing.push({ tag: entry.tag, when: entry.when, file: shown });
    else migrations.push({ tag: entry.tag, file: shown, sql, when: entry.when, hash: migrationHash(sql) });
  }
  return { ok: true, migrations, missing };
}

async function loadFile(path: string, cwd: string): Promise<LoadResult> {
  const sql = await readFile(path, 'utf8').catch((error: Error) => error);
  if (sql instanceof Error) return { ok: false, reason: `${path}: ${sql.message}` };
  return {
    ok: true,
    migrations: [{ tag: basename(path).replace(/\.sql$/, ''), file: relative(cwd, path) || path, sql, hash: migrationHash(sql) }],
  };
}

export function parseJournal(text: string): JournalEntry[] {
  const journal = JSON.parse(text) as { entries?: unknown };
  if (!Array.isArray(journal.entries)) throw new Error('journal has no entries array');
  return journal.entries.map((e, i) => {
    const entry = e as Partial<JournalEntry>;
    if (typeof entry.tag !== 'string' || typeof entry.when !== 'number')
      throw new Error(`journal entry ${i} lacks a tag or a numeric when`);
    return { idx: entry.idx ?? i, when: entry.when, tag: entry.tag, breakpoints: entry.breakpoints ?? true };
  });
}
