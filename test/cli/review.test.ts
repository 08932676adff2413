import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';

function capture() {
  let text = '';
  const stream = { write: (chunk: string) => (text += chunk) };
  return { stream, text: () => text };
}

async function run(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(args, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

function tempSql(sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'review-cli-'));
  const file = join(dir, '0001_fix.sql');
  writeFileSync(file, sql);
  return file;
}

describe('deploybot review', () => {
  it('reviews backend/drizzle by default, grouped by migration', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toMatch(/^0000_init {2}83 statements {2}no findings$/m);
    expect(out).toMatch(/^0003_media_sizes_and_cleanup {2}3 statements {2}2 destructive, 2 locking$/m);
    // Drift and the dry run belong to the verdict, so they are on the summary line too.
    expect(out).toMatch(
      /\nSummary: 6 migrations, 105 statements: 2 destructive, 2 breaking, 12 locking; no drift; dry run ok \(\d+ ms\)\n$/,
    );
    expect(out).toContain('\nReviewed the whole history of backend/drizzle (6 migrations, as on a fresh database), each migration alone.');
    expect(out).not.toContain('\x1b[');
  }, 120_000);

  it('prints one JSON document with migrations, statements and a summary', async () => {
    const { code, out } = await run(['--json', 'backend/drizzle']);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.migrations).toHaveLength(6);
    expect(doc.summary).toEqual({
      destructive: 2,
      breaking: 2,
      security: 0,
      locking: 12,
      transaction: 0,
      unreviewable: 0,
      drift: 0,
      checks: 0,
      emptyMigrations: 0,
      dryRun: 'ok',
    });
    expect(doc.scope).toMatchObject({ mode: 'history', newTables: 'migration' });
    const drop = doc.statements.find((s: { sql: string }) => s.sql.includes('DROP COLUMN'));
    expect(drop).toMatchObject({
      file: 'backend/drizzle/0003_media_sizes_and_cleanup.sql',
      index: 2,
      findings: [{ rule: 'drop-column', category: 'destructive' }],
    });
  }, 120_000);

  it('reports an empty or comment-only migration instead of passing it silently', async () => {
    const empty = tempSql('');
    const commentOnly = tempSql('-- Custom SQL migration file, put your code below! --\n');
    const { code, out } = await run(['--as-one-run', empty, commentOnly]);
    expect(code).toBe(0);
    expect(out).toContain(`empty-migration: ${relative(process.cwd(), empty)} is empty: drizzle records it as applied and runs nothing`);
    expect(out).toContain(`comment-only-migration: ${relative(process.cwd(), commentOnly)} holds only comments`);
    expect(out).toContain('Reviewed 2 .sql files, as one run');
    expect(out).toMatch(
      /Summary: 2 migrations, 0 statements: no findings; 2 empty migrations; no dry run \(loose \.sql files have no history to replay\)\n$/,
    );
    const json = JSON.parse((await run(['--json', empty])).out);
    expect(json.summary).toMatchObject({ emptyMigrations: 1, dryRun: 'not run' });
    expect(json.notices).toMatchObject([{ kind: 'empty-migration', line: 1 }]);
  });

  it('exits 1 when a --fail-on category is found, 0 when not', async () => {
    const file = tempSql('UPDATE "reports" SET "is_published" = false;');
    expect((await run(['--fail-on', 'destructive', file])).code).toBe(1);
    expect((await run(['--fail-on', 'locking,transaction', file])).code).toBe(0);
  });

  it('exits 2 with a clear message on unreadable input or a bad option', async () => {
    const missing = await run(['no/such/folder']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('Cannot review: no/such/folder: no such file or folder\n');
    const bad = await run(['--fail-on', 'scary']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown category "scary"');
    const dir = mkdtempSync(join(tmpdir(), 'review-cli-'));
    const notDrizzle = await run([dir]);
    expect(notDrizzle.err).toContain('not a drizzle migrations folder');
  });

  it('runs as a real process with the documented exit codes', () => {
    const file = tempSql('DROP TABLE "votes";');
    const ok = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/review-entry.ts', '--json', file], { encoding: 'utf8' });
    expect(JSON.parse(ok).summary.destructive).toBe(1);
    const failed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/review-entry.ts', '--fail-on', 'destructive', file], {
      encoding: 'utf8',
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('Failing: found 1 destructive');
  });
});
