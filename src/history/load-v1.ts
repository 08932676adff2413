import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MigrationSource } from '../review/model.ts';

// drizzle-kit v1's folder layout, read as drizzle-orm v1's migrator reads it
// (drizzle-orm, branch beta, src/migrator.ts readMigrationFiles and src/migrator.utils.ts):
// no meta/_journal.json (the v1 migrator refuses a folder that still has one); every
// subfolder holding a migration.sql is a migration, ordered by folder name (localeCompare);
// the name's first 14 characters are a UTC timestamp YYYYMMDDHHMMSS, stored as created_at;
// the hash is sha256 of the file's text, and the folder name is stored in the table's new
// `name` column. Which migrations run is decided by name, not by time (getMigrationsToRun).

/** The v1 folder name's leading `YYYYMMDDHHMMSS`, as epoch milliseconds (UTC). */
export function v1FolderMillis(name: string): number {
  const d = name.slice(0, 14);
  const part = (from: number, to: number) => Number.parseInt(d.slice(from, to), 10);
  return Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14));
}

export async function loadV1Folder(folder: string, cwd: string, hash: (sql: string) => string): Promise<MigrationSource[] | undefined> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return undefined;
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const migrations: MigrationSource[] = [];
  for (const name of names) {
    const file = join(folder, name, 'migration.sql');
    const sql = await readFile(file, 'utf8').catch(() => undefined);
    if (sql === undefined) continue;
    migrations.push({ tag: name, name, file: relative(cwd, file) || file, sql, when: v1FolderMillis(name), hash: hash(sql) });
  }
  return migrations.length > 0 ? migrations : undefined;
}
