import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { type MissingMigration, migrationHash, parseJournal } from '../history/load.ts';
import type { MigrationSource } from '../review/model.ts';

// The base side of `--changed-since`: the migrations folder as it is at a git ref, read with
// `git show REF:PATH` (no checkout, the working tree is untouched). File names are shown as the
// working tree's are, so the base and the branch name a migration the same way.

const run = promisify(execFile);

export interface BaseHistory {
  ref: string;
  /** The commit the ref resolved to. */
  commit: string;
  migrations: MigrationSource[];
  missing: MissingMigration[];
}

export type BaseRead = { ok: true; base: BaseHistory } | { ok: false; reason: string };

export async function readBaseHistory(ref: string, folder: string, cwd = process.cwd()): Promise<BaseRead> {
  const top = await git(['rev-parse', '--show-toplevel'], folder);
  if (!top.ok) return { ok: false, reason: `${folder} is not inside a git repository (${top.reason})` };
  const commit = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], folder);
  if (!commit.ok || !commit.text.trim()) {
    return {
      ok: false,
      reason: `git ref "${ref}" not found. In CI, check out with the whole history (actions/checkout with fetch-depth: 0) so the base branch is there.`,
    };
  }
  const sha = commit.text.trim();
  // Paths inside the repository, with forward slashes as git wants them whatever the platform.
  const inRepo = relative(await realpath(top.text.trim()), await realpath(folder))
    .split(sep)
    .join('/');
  const at = (name: string) => `${sha}:${inRepo ? `${inRepo}/` : ''}${name}`;
  const journal = await git(['show', at('meta/_journal.json')], folder);
  // No journal on the base: the folder is new there, so the whole folder is what the branch adds.
  if (!journal.ok) return { ok: true, base: { ref, commit: sha, migrations: [], missing: [] } };
  let entries: ReturnType<typeof parseJournal>;
  try {
    entries = parseJournal(journal.text);
  } catch (error) {
    return { ok: false, reason: `${ref}:${inRepo}/meta/_journal.json: ${(error as Error).message}` };
  }
  const migrations: MigrationSource[] = [];
  const missing: MissingMigration[] = [];
  for (const entry of entries) {
    const shown = relative(cwd, join(folder, `${entry.tag}.sql`));
    const file = await git(['show', at(`${entry.tag}.sql`)], folder);
    if (file.ok) migrations.push({ tag: entry.tag, file: shown, sql: file.text, when: entry.when, hash: migrationHash(file.text) });
    else missing.push({ tag: entry.tag, when: entry.when, file: shown });
  }
  return { ok: true, base: { ref, commit: sha, migrations, missing } };
}

async function git(args: string[], cwd: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  try {
    const { stdout } = await run('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { ok: true, text: stdout };
  } catch (error) {
    const e = error as { stderr?: string; message: string; code?: string };
    if (e.code === 'ENOENT') return { ok: false, reason: 'git is not installed' };
    return { ok: false, reason: (e.stderr || e.message).trim().split('\n')[0] ?? 'git failed' };
  }
}
