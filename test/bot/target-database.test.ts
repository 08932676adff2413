import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteDryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { LiveDryRuns } from '../../src/history/dry-run-table.ts';
import { BotHarness, blockText, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, drizzleFolder, historyPrefix } from '../support/migration-folders.ts';

// The bot reads the target's drizzle history (URL from Secrets Manager, a real connection),
// so the modal and the review show exactly the pending set, any drift, and the dry run.
describe('the review is of what the target database will run', () => {
  let db: TestDatabase;
  const runner = new PgliteDryRunner();
  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(4));
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    await runner.close();
  });

  async function botWith(secret: string | undefined, migrationsFolder?: string) {
    const bot = new BotHarness();
    await bot.start(undefined, { dryRuns: new LiveDryRuns(runner), migrationsFolder });
    if (secret !== undefined) bot.aws.secrets.set('daadaar/prod/database-read-url', secret);
    return bot;
  }

  it('lists only the pending migrations, with the dry run, and needs no typed confirmation for them', async () => {
    const bot = await botWith(JSON.stringify({ DATABASE_URL: db.url }));
    try {
      await bot.command('migrate prod');
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('has applied 4; *2 pending*: `0004_rename_biography`, `0005_backfill_trimmed_names`');
      expect(modal).toMatch(/dry run: ok in \d+ ms \(2 migrations, \d+ statements\)/);
      expect(modal).not.toContain('Pending set unknown');
      expect(modal).not.toContain('Required: ');
      // The renames of 0004 are breaking, not destructive: no typed confirmation is needed.
      const res = await bot.submitModal(REQUESTER, { reason: 'Rename biography' });
      expect(await res.text()).toBe('');
      const text = blockText(bot.reviewMessage());
      expect(text).toContain('*2 pending*');
      expect(text).toContain('0004_rename_biography');
      expect(text).not.toContain('0003_media_sizes_and_cleanup');
      expect(text).toMatch(/dry run: ok in \d+ ms/);
    } finally {
      await bot.stop();
    }
  }, 60_000);

  it('shows drift before the approve button and requires the typed confirmation', async () => {
    const folder = copyHistory();
    const edited = folder.journal.entries[2];
    if (!edited) throw new Error('journal too short');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(folder.dir, `${edited.tag}.sql`), '-- edited after it was applied\nSELECT 1;');
    const bot = await botWith(db.url, folder.dir);
    try {
      await bot.command('migrate prod');
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('*Drift (1)*');
      expect(modal).toContain('*edited-after-apply*');
      expect(modal).toContain('1 drift finding in the target');
      // The slow half runs outside Slack's window, so a drifted target still gets a live dry run.
      expect(modal).toMatch(/dry run: ok in \d+ ms/);
      expect(modal).toContain('the target has drift, so treat it as a hint');
      const refused = await bot.submitModal(REQUESTER, { reason: 'Rename biography' });
      expect((await refused.json()).errors.confirm).toBe('Type prod exactly to confirm.');
      await bot.submitModal(REQUESTER, { reason: 'Rename biography', confirm: 'prod' });
      const message = bot.reviewMessage();
      const blocks = (message?.blocks ?? []).map((b) => JSON.stringify(b));
      const drift = blocks.findIndex((b) => b.includes('edited-after-apply'));
      const actions = blocks.findIndex((b) => b.includes('deploybot_approve'));
      expect(drift).toBeGreaterThan(-1);
      expect(drift).toBeLessThan(actions);
    } finally {
      await bot.stop();
    }
  }, 60_000);

  it('a dry run the embedded server cannot make is shown unavailable, naming the extension, and asks for no confirmation', async () => {
    const folder = copyHistory();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(folder.dir, '0006_embeddings.sql'), 'CREATE EXTENSION IF NOT EXISTS vector;');
    const last = folder.journal.entries.at(-1);
    if (!last) throw new Error('journal empty');
    folder.journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: '0006_embeddings' });
    folder.writeJournal();
    const bot = await botWith(db.url, folder.dir);
    try {
      await bot.command('migrate prod');
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('*3 pending*');
      expect(modal).toContain(':grey_question: *dry run: UNAVAILABLE applying the pending set at');
      expect(modal).toContain('extension \\"vector\\" is not available in embedded PostgreSQL');
      expect(modal).not.toContain('Required: ');
      const res = await bot.submitModal(REQUESTER, { reason: 'Embeddings' });
      expect(await res.text()).toBe('');
      const review = blockText(bot.reviewMessage());
      expect(review).toContain(':grey_question: *dry run: UNAVAILABLE applying the pending set at');
      expect(review).toMatch(/0006_embeddings\.sql:1: extension \\+"vector\\+" is not available in embedded PostgreSQL/);
    } finally {
      await bot.stop();
    }
  }, 60_000);

  it("runs the environment's dryRun.setup before the history: a foreign key to the platform's auth.users passes", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const setup = join(mkdtempSync(join(tmpdir(), 'setup-')), 'supabase.sql');
    writeFileSync(setup, 'CREATE SCHEMA auth;\nCREATE TABLE auth.users (id uuid PRIMARY KEY);\n');
    const folder = drizzleFolder([
      {
        tag: '0000_profiles',
        sql: 'CREATE TABLE "profiles" ("id" uuid PRIMARY KEY NOT NULL REFERENCES "auth"."users"("id"));',
      },
    ]);
    for (const config of [testConfig(), testConfig({ prod: { dryRun: { setup } } })]) {
      const bot = new BotHarness();
      // The default target: an empty database, so the whole folder is pending.
      await bot.start(config, { dryRuns: new LiveDryRuns(runner), migrationsFolder: folder });
      try {
        await bot.command('migrate prod');
        const modal = JSON.stringify(bot.currentModal());
        if (config.environments.prod?.dryRun) {
          expect(modal).toMatch(/dry run: ok in \d+ ms \(1 migration, 1 statements\)/);
          expect(modal).not.toContain('the dry run failed');
        } else {
          expect(modal).toContain('dry run: FAILED applying the pending set');
          expect(modal).toContain('SQLSTATE 3F000');
          expect(modal).toContain('the dry run failed');
        }
      } finally {
        await bot.stop();
      }
    }
  }, 90_000);

  it('an unreachable database still gets a review, marked unknown, with the reason and no password', async () => {
    const bot = await botWith('postgres://deploy:hunter2-secret@127.0.0.1:1/daadaar');
    try {
      await bot.command('migrate prod');
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('Pending set unknown');
      expect(modal).toContain('6 migrations');
      expect(modal).toContain('the pending set is unknown');
      expect(modal).not.toContain('hunter2-secret');
    } finally {
      await bot.stop();
    }
  }, 60_000);
});
