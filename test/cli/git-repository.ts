import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HISTORY } from '../support/migration-folders.ts';

// A real git repository holding a copy of backend/drizzle, committed on `main`, for the
// `--changed-since` tests: a branch is then made of real commits and working-tree edits.

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

export class MigrationRepository {
  readonly dir = mkdtempSync(join(tmpdir(), 'deploybot-git-'));
  readonly folder = 'backend/drizzle';

  constructor() {
    cpSync(HISTORY, join(this.dir, this.folder), { recursive: true });
    this.git('init', '-q', '-b', 'main');
    this.commit('the base history');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, HOME: this.dir } });
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
  }

  branch(name: string): void {
    this.git('checkout', '-q', '-b', name);
  }

  journal(): JournalEntry[] {
    return JSON.parse(readFileSync(this.path('meta/_journal.json'), 'utf8')).entries;
  }

  newestWhen(): number {
    return Math.max(...this.journal().map((e) => e.when));
  }

  /** A migration as drizzle-kit writes one: its .sql file and a journal entry. `file: false` leaves the file out. */
  addMigration(tag: string, sql: string, options: { when?: number; file?: boolean } = {}): void {
    const path = this.path('meta/_journal.json');
    const journal = JSON.parse(readFileSync(path, 'utf8'));
    const when = options.when ?? this.newestWhen() + 60_000;
    journal.entries.push({ idx: journal.entries.length, version: '7', when, tag, breakpoints: true });
    writeFileSync(path, `${JSON.stringify(journal, null, 2)}\n`);
    if (options.file !== false) this.write(`${tag}.sql`, sql);
  }

  write(name: string, text: string): void {
    mkdirSync(dirname(this.path(name)), { recursive: true });
    writeFileSync(this.path(name), text);
  }

  append(name: string, text: string): void {
    appendFileSync(this.path(name), text);
  }

  path(name: string): string {
    return join(this.dir, this.folder, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
