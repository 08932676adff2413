import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { gradeSize, parseStatsFile } from '../../src/review/table-size.ts';
import { BotHarness, blockText, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { capture } from '../support/capture.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// Two targets that applied the same first migration: one has an empty "events" table, the
// other 120,000 analyzed rows. The pending migration rewrites "events" and indexes it.
const FOLDER = 'test/fixtures/drizzle-sizes';
const ROWS = 120_000;

function firstMigrationOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drizzle-sizes-'));
  cpSync(FOLDER, dir, { recursive: true });
  const path = join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, 1);
  writeFileSync(path, JSON.stringify(journal));
  return dir;
}

async function target(rows: number): Promise<TestDatabase> {
  const db = await createTestDatabase();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrate(drizzle(sql), { migrationsFolder: firstMigrationOnly() });
  if (rows > 0) await sql.unsafe(`insert into events (kind, hits) select 'view', g from generate_series(1, ${rows}) g`);
  await sql.unsafe('analyze events');
  await sql.end();
  return db;
}

async function cliReview(url: string): Promise<string> {
  const out = capture();
  expect(await main(['--no-dry-run', '--database-url', url, FOLDER], out, capture())).toBe(0);
  return out.text;
}

describe('table sizes from the target', () => {
  let empty: TestDatabase;
  let large: TestDatabase;
  beforeAll(async () => {
    [empty, large] = await Promise.all([target(0), target(ROWS)]);
  }, 120_000);
  afterAll(async () => {
    await empty?.drop();
    await large?.drop();
  });

  it('grades the same locking finding higher on a table with many rows, in the CLI', async () => {
    const onEmpty = await cliReview(empty.url);
    const onLarge = await cliReview(large.url);
    const lockLine = (text: string) => text.split('\n').find((l) => l.includes('lock: ACCESS EXCLUSIVE on "events"'));
    expect(lockLine(onEmpty)).toMatch(/~0 rows, [\d.]+ kB \(small\)$/);
    expect(lockLine(onLarge)).toMatch(/~1\d\d\.\dk rows, [\d.]+ MB \(medium\)$/);
    expect(onLarge).toMatch(
      /ACCESS EXCLUSIVE on "events" from 0001_event_hits_bigint:1 until the end of the run, 1 statement later \(blocks reads and writes\): ~1\d\d\.\dk rows/,
    );
  }, 60_000);

  it('puts the same figures in the JSON, read in the same read-only transaction as the history', async () => {
    const out = capture();
    await main(['--json', '--no-dry-run', '--database-url', large.url, FOLDER], out, capture());
    const doc = JSON.parse(out.text);
    expect(doc.tables).toEqual([{ relation: 'public.events', rows: expect.any(Number), bytes: expect.any(Number), grade: 'medium' }]);
    expect(doc.tables[0].rows).toBeGreaterThan(ROWS * 0.9);
    expect(doc.timeline[0]).toMatchObject({ relation: 'public.events', mode: 'ACCESS EXCLUSIVE', statementsAfter: 1 });
  }, 60_000);

  it('grades by the config’s thresholds in the Slack review', async () => {
    let thread: string[] = [];
    const review = async (url: string) => {
      const bot = new BotHarness();
      await bot.start(testConfig({ prod: { tableSizes: { mediumRows: 10_000, largeRows: 100_000 } } }), { migrationsFolder: FOLDER });
      try {
        bot.aws.secrets.set('daadaar/prod/database-read-url', url);
        await bot.command('migrate prod');
        await bot.submitModal(REQUESTER, { reason: 'Count hits past 2^31', confirm: 'prod' });
        const message = bot.reviewMessage();
        if (!message) throw new Error('no review message');
        thread = bot.threadReplies(message).map((m) => m.text ?? '');
        return blockText(message).replaceAll('\\"', '"');
      } finally {
        await bot.stop();
      }
    };
    const onEmpty = await review(empty.url);
    const onLarge = await review(large.url);
    expect(onEmpty).toMatch(/lock: ACCESS EXCLUSIVE on "events" \(blocks reads and writes\) · ~0 rows, [\d.]+ kB \(small\)/);
    expect(onLarge).toMatch(/lock: ACCESS EXCLUSIVE on "events" \(blocks reads and writes\) · ~1\d\d\.\dk rows, [\d.]+ MB \(large\)/);
    expect(onLarge).toContain('Locks held until the run commits');
    // The safe rewrites go into the request's thread, steps outside drizzle's transaction marked.
    const rewrites = thread.filter((t) => t.startsWith('*Safe rewrite*')).join('\n');
    expect(rewrites).toContain('CREATE INDEX CONCURRENTLY "events_kind_idx"');
    expect(rewrites).toContain('outside drizzle’s transaction');
  }, 120_000);

  it('takes the same figures offline from --stats-file', async () => {
    const stats = join(mkdtempSync(join(tmpdir(), 'stats-')), 'stats.json');
    writeFileSync(stats, JSON.stringify({ tables: [{ relation: 'public.events', rows: 2_500_000, bytes: 3 * 1024 ** 3 }] }));
    const out = capture();
    const code = await main(['--as-one-run', '--stats-file', stats, `${FOLDER}/0001_event_hits_bigint.sql`], out, capture());
    expect(code).toBe(0);
    expect(out.text).toContain('lock: SHARE on "events" (blocks writes) · ~2.5M rows, 3.0 GB (large)');
    const bad = capture();
    expect(await main(['--stats-file', '/nonexistent/stats.json', FOLDER], capture(), bad)).toBe(2);
    expect(bad.text).toContain('--stats-file /nonexistent/stats.json: ENOENT');
  });
});

describe('grading and the offline stats file', () => {
  it('grades by rows or bytes, whichever is larger', () => {
    expect(gradeSize({ rows: 10, bytes: 8192 })).toBe('small');
    expect(gradeSize({ rows: 150_000, bytes: 8192 })).toBe('medium');
    expect(gradeSize({ rows: -1, bytes: 2 * 1024 ** 3 })).toBe('large');
  });

  it('reads a stats file in either form and names what is wrong with a bad one', () => {
    expect(parseStatsFile('{"tables":[{"relation":"public.users","rows":5,"bytes":10}]}')).toEqual({
      ok: true,
      tables: [{ relation: 'public.users', rows: 5, bytes: 10 }],
    });
    expect(parseStatsFile('{"users":{"rows":5,"bytes":10}}')).toEqual({
      ok: true,
      tables: [{ relation: 'public.users', rows: 5, bytes: 10 }],
    });
    expect(parseStatsFile('{"users":{"rows":"many"}}').ok).toBe(false);
    expect(parseStatsFile('nope').ok).toBe(false);
  });
});
