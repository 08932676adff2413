import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJournalFolder } from '../../src/history/load.ts';
import { migrationSetHash } from '../../src/history/migration-set.ts';
import { APPROVER, BotHarness, blockText, CHANNEL, REQUESTER } from '../support/bot-harness.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { approvalClaims, labelledHashes } from '../support/fingerprints.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// One request followed from the form to the history: every surface a person reads shows the
// same plan sha256, labelled "plan sha256", and no other sha256 is presented as what was
// reviewed, approved or pinned (issue 17, "One fingerprint").
describe('one request, one fingerprint', () => {
  const bot = new BotHarness();
  let db: TestDatabase;
  /** What each surface showed, by name, as the text a person reads. */
  const surfaces = new Map<string, string>();
  let plan = '';

  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(3));
    await bot.start(undefined, { target: 'none' });
    bot.aws.secrets.set('daadaar/prod/database-read-url', db.url);
  }, 60_000);
  afterAll(async () => {
    await bot.stop();
    await db?.drop();
  });

  it('follows the request from the modal to /daadaar history', async () => {
    await bot.command('migrate prod');
    const modal = bot.currentModal();
    // What the form shows; its private_metadata is the bot's own and never on screen.
    surfaces.set('modal', JSON.stringify([modal.title, modal.blocks]));
    const shown = /\*Plan\* sha256 `([0-9a-f]{64})`/.exec(surfaces.get('modal') ?? '')?.[1];
    if (!shown) throw new Error('the modal shows no plan sha256');
    plan = shown;

    const res = await bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' });
    expect(await res.text()).toBe('');
    const message = bot.reviewMessage();
    if (!message) throw new Error('no review message');
    surfaces.set('review message', blockText(message));
    const [file] = bot.slack.files;
    expect(file).toMatchObject({ channel: CHANNEL, thread_ts: message.ts });
    surfaces.set('SQL file', `${file?.title}\n${file?.content}`);

    await bot.click('deploybot_approve', APPROVER);
    const [start] = bot.aws.callsOf('StartBuild');
    if (!start) throw new Error('StartBuild was not called');
    const overrides = Object.fromEntries(
      (start.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]),
    );
    const record = await bot.record(message);
    surfaces.set('review message, started', blockText(bot.slack.messages.find((m) => m.ts === message.ts)));
    surfaces.set(
      'thread replies',
      bot
        .threadReplies(message)
        .map((r) => `${r.text ?? ''}\n${JSON.stringify(r.blocks ?? [])}`)
        .join('\n'),
    );

    await bot.command('history prod');
    surfaces.set('/daadaar history', bot.responseTexts().at(-1) ?? '');

    // The build, the record and every surface carry the one plan sha256.
    expect(overrides.DEPLOYBOT_PLAN_SHA256).toBe(plan);
    expect(
      createHash('sha256')
        .update(overrides.DEPLOYBOT_PLAN ?? '')
        .digest('hex'),
    ).toBe(plan);
    expect(record?.planSha256).toBe(plan);
    expect(record).not.toHaveProperty('setHash');
    expect(file?.title).toBe(`prod-pending-${plan.slice(0, 12)}.sql`);
    for (const [name, text] of surfaces) {
      const labels = labelledHashes(text)
        .filter((h) => h.hash === plan)
        .map((h) => h.label);
      expect(labels.length, `${name} shows the plan sha256`).toBeGreaterThan(0);
      for (const label of labels) expect(label, `${name} labels the plan sha256 as such`).toMatch(/plan sha256$/);
    }
  }, 120_000);

  it('presents no other sha256 as reviewed, approved or pinned, and never the migration files hash', async () => {
    expect(plan).toMatch(/^[0-9a-f]{64}$/);
    const shipped = await loadJournalFolder('backend/drizzle');
    if (!shipped.ok) throw new Error(shipped.reason);
    const fileHashes = [migrationSetHash(shipped.migrations), migrationSetHash(shipped.migrations.slice(3))];
    for (const [name, text] of surfaces) {
      for (const claim of approvalClaims(text)) expect(claim, `${name}: "${claim.label}"`).toMatchObject({ hash: plan });
      for (const hash of fileHashes) expect(text, name).not.toContain(hash);
      expect(text, name).not.toMatch(/set sha256|setHash|migration set/i);
    }
    // The SQL file's other values are the files' own, labelled as such.
    const others = labelledHashes(surfaces.get('SQL file') ?? '').filter((h) => h.hash !== plan);
    expect(others).toHaveLength(3);
    for (const other of others) expect(other.label).toBe('sha256');
  });
});
