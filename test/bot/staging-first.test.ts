import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, BotHarness, blockText, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// prod requires `succeededIn: "staging"`: the real bot over signed HTTP, the fake Slack and
// CodeBuild, dynalite, and real target databases. Both targets start empty, so staging and prod
// have the same pending set until a test points prod at a database that has run part of it.

const STAGING_FIRST = () => testConfig({ prod: { requires: { succeededIn: 'staging' } } });

/** A staging request approved, built and reported SUCCEEDED by CodeBuild, seen by the reconciler. */
async function succeedInStaging(bot: BotHarness, text = 'migrate staging', values: { clean?: boolean } = {}) {
  const message = await bot.request(text, values);
  await bot.click('deploybot_approve', APPROVER, message);
  const build = bot.aws.builds.at(-1);
  if (!build) throw new Error('the staging build did not start');
  bot.clock += 4_200;
  bot.aws.finishBuild(build.id, 'SUCCEEDED');
  // The reconciler notices two hours later: the line must still say when CodeBuild ended it.
  bot.clock += 2 * 3_600_000;
  await bot.reconcile();
  const record = await bot.record(message);
  expect(record?.state).toBe('succeeded');
  return { record, build };
}

describe('staging first (requires.succeededIn)', () => {
  let bot: BotHarness;
  afterEach(() => bot?.stop());

  it('refuses a production request before staging ran the same migrations, in the modal at open', async () => {
    bot = await new BotHarness().start(STAGING_FIRST());
    await bot.command('migrate prod');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('the same migrations have not succeeded in staging yet: no recent staging request ran these 6 migrations');
    expect(modal).not.toContain('Request approval');
  }, 60_000);

  it('allows the same set in production after it succeeded in staging, and shows the staging run with its build', async () => {
    bot = await new BotHarness().start(STAGING_FIRST());
    const { record: staged, build } = await succeedInStaging(bot);
    await bot.command('migrate prod');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('*Required first:* ran in staging 2 h ago: ok in 4.2 s, build <https://us-east-1.console.aws.amazon.com/');
    const res = await bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' });
    expect(await res.text()).toBe('');
    const review = blockText(bot.reviewMessage());
    expect(review).toContain('*staging first:* ran in staging 2 h ago: ok in 4.2 s, build <https://');
    expect(review).toContain(encodeURIComponent(build.id));
    const record = await bot.record();
    expect(record?.env).toBe('prod');
    expect(record?.promotedFrom).toMatchObject({ env: 'staging', requestId: staged?.id, buildId: build.id, durationMs: 4_200 });
    await bot.command('history prod');
    expect(bot.responseTexts().at(-1)).toContain(`after staging request \`${staged?.id}\``);
  }, 60_000);

  it('decides on submit from the request store, not from what the form showed', async () => {
    bot = await new BotHarness().start(STAGING_FIRST());
    const { record: staged } = await succeedInStaging(bot);
    await bot.command('migrate prod');
    expect(JSON.stringify(bot.currentModal())).toContain('ran in staging');
    // The store now says otherwise than when the form opened (a record restored from a backup
    // of another day, say): the form's line is not what decides.
    if (!staged) throw new Error('no staging record');
    expect(await bot.store.replace({ ...staged, state: 'failed', version: staged.version + 1 }, staged.version)).toBe('written');
    const before = bot.slack.messages.length;
    await bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' });
    expect(bot.slack.messages.slice(before).filter((m) => m.metadata?.event_type === 'deploybot_request')).toHaveLength(0);
    expect(bot.ephemeralsTo(REQUESTER).join('\n')).toContain(
      `:no_entry: the same migrations have not succeeded in staging yet: the newest staging request with them is failed (request \`${staged.id}\`). Request them in staging first. Nothing was requested.`,
    );
    expect(await bot.store.readLock('prod')).toBeUndefined();
  }, 60_000);

  it('judges a seed by its files: refused before staging seeded them, allowed after', async () => {
    bot = await new BotHarness().start(testConfig({ prod: { requires: { succeededIn: 'staging' }, seed: { allowed: true } } }));
    await bot.command('seed prod');
    expect(JSON.stringify(bot.currentModal())).toContain(
      'the same seed files have not succeeded in staging yet: no recent staging request ran seed files with sha256',
    );
    // A migration that succeeded in staging is not a seed that did.
    await succeedInStaging(bot);
    await bot.command('seed prod');
    expect(JSON.stringify(bot.currentModal())).toContain('the same seed files have not succeeded in staging yet');
    const { record: seeded } = await succeedInStaging(bot, 'seed staging');
    await bot.request('seed prod', { clean: false });
    expect(blockText(bot.reviewMessage())).toContain('*staging first:* ran in staging 2 h ago: ok in 4.2 s');
    expect((await bot.record())?.promotedFrom?.requestId).toBe(seeded?.id);
  }, 60_000);

  it('asks nothing of staging itself, nor of an environment without requires', async () => {
    bot = await new BotHarness().start(STAGING_FIRST());
    await bot.request('migrate staging');
    expect(blockText(bot.reviewMessage())).not.toContain('first:*');
    expect((await bot.record())?.promotedFrom).toBeUndefined();
  }, 60_000);
});

describe('staging first with a different pending set', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(4));
  }, 60_000);
  afterAll(() => db?.drop());

  it('refuses production whose pending migrations differ from what succeeded in staging, with the reason', async () => {
    const bot = await new BotHarness().start(STAGING_FIRST());
    try {
      await succeedInStaging(bot);
      // prod has applied 4 of the 6: its pending set is the last 2, which staging never ran alone.
      bot.aws.secrets.set('daadaar/prod/database-read-url', JSON.stringify({ DATABASE_URL: db.url }));
      await bot.command('migrate prod');
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('the same migrations have not succeeded in staging yet: no recent staging request ran these 2 migrations');
      expect(modal).toContain('Request them in staging first.');
    } finally {
      await bot.stop();
    }
  }, 60_000);
});
