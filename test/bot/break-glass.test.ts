import { afterEach, describe, expect, it } from 'vitest';
import { reconcileRequest } from '../../src/reconciler/reconcile-requests.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import {
  APPROVER,
  APPROVER_2,
  BotHarness,
  blockText,
  CHANNEL,
  findButton,
  OUTSIDER,
  REQUESTER,
  testConfig,
} from '../support/bot-harness.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';

// `/daadaar breakglass <env>` end to end: the real bot over signed HTTP, the fake Slack, the fake
// CodeBuild and dynalite; the reminders come from the reconciler's scheduled runs as the clock moves.

const SECURITY = 'C0SECURITY1';
const HOUR = 3_600_000;
const REASON = 'Checkout is down: the hotfix index must land before the morning peak';
const BREAK_GLASS = { users: [REQUESTER], securityChannel: SECURITY, acknowledgeWithinHours: 12 };
const withBreakGlass = () => testConfig({ prod: { breakGlass: BREAK_GLASS } });

describe('break-glass', () => {
  let bot: BotHarness;
  afterEach(() => bot?.stop());

  const ephemeral = async (res: Response) => String(((await res.json()) as { text?: string }).text);
  const securityPosts = () => bot.slack.messages.filter((m) => m.channel === SECURITY && !m.thread_ts);
  const reminders = () => bot.slack.messages.filter((m) => m.channel === CHANNEL && !m.thread_ts && m.text?.includes('not acknowledged'));
  const current = (message: StoredMessage) =>
    bot.slack.messages.find((m) => m.ts === message.ts && m.channel === message.channel) ?? message;

  async function breakGlass(reason = REASON, confirm = 'prod'): Promise<StoredMessage> {
    await bot.command('breakglass prod');
    const res = await bot.submitModal(REQUESTER, { reason, confirm });
    expect(res.status).toBe(200);
    const review = bot.reviewMessage();
    if (!review) throw new Error('no review was posted');
    return review;
  }

  /** Posted, confirmed by its requester, built and reported SUCCEEDED: a final break-glass run. */
  async function ranBreakGlass(): Promise<{ review: StoredMessage; record: RequestRecord }> {
    const review = await breakGlass();
    await bot.click('deploybot_approve', REQUESTER, review);
    const build = bot.aws.builds.at(-1);
    if (!build) throw new Error('no build started');
    bot.clock += 60_000;
    bot.aws.finishBuild(build.id, 'SUCCEEDED');
    bot.clock += 5 * 60_000;
    await bot.reconcile();
    const record = await bot.record(review);
    expect(record?.state).toBe('succeeded');
    return { review, record: record as RequestRecord };
  }

  it('is off unless configured, and only for its users', async () => {
    bot = await new BotHarness().start(testConfig());
    expect(await ephemeral(await bot.command('breakglass prod'))).toContain(
      'Break-glass is off for prod: deploybot.config.json has no environments.prod.breakGlass.',
    );
    await bot.stop();
    bot = await new BotHarness().start(withBreakGlass());
    expect(await ephemeral(await bot.command('breakglass prod', APPROVER))).toBe(
      ":no_entry: Only <@U0REQUESTER> may break glass on prod. Use `/daadaar migrate prod` and a second engineer's approval.",
    );
    expect(await ephemeral(await bot.command('breakglass'))).toContain('Say which environment: `/daadaar breakglass <env>`');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  }, 60_000);

  it('asks for a real reason and the environment typed, in the form', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    await bot.command('breakglass prod');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('Break-glass prod');
    expect(modal).toContain('Post break-glass');
    expect(modal).toContain(`announced in <#${SECURITY}>`);
    const short = await (await bot.submitModal(REQUESTER, { reason: 'urgent', confirm: 'prod' })).json();
    expect(short.errors.reason).toContain('at least 20 characters');
    const unconfirmed = await (await bot.submitModal(REQUESTER, { reason: REASON })).json();
    expect(unconfirmed.errors.confirm).toBe('Type prod exactly to confirm.');
    expect(bot.reviewMessage()).toBeUndefined();
  }, 60_000);

  it('is refused while another request holds the environment', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    await bot.request('migrate prod', {}, APPROVER);
    await bot.command('breakglass prod');
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain("<@U0APPROVER1>'s migrate request for `prod` is open until");
    expect(modal).not.toContain('Post break-glass');
    expect(bot.slack.messages.filter((m) => m.metadata?.event_type === 'deploybot_request')).toHaveLength(1);
    expect(securityPosts()).toHaveLength(0);
  }, 60_000);

  it('refuses at submit when the lock was taken after the form opened', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    await bot.command('breakglass prod');
    const form = bot.currentModal();
    await bot.request('migrate prod', {}, APPROVER);
    await bot.submitModal(REQUESTER, { reason: REASON, confirm: 'prod' }, form);
    expect(bot.ephemeralsTo(REQUESTER).at(-1)).toContain("<@U0APPROVER1>'s migrate request for `prod` is open until");
    expect(bot.ephemeralsTo(REQUESTER).at(-1)).toContain('Nothing was requested.');
    expect(securityPosts()).toHaveLength(0);
  }, 60_000);

  it('posts the review loudly, announces it to security, and runs on its requester’s confirmation alone', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const review = await breakGlass();
    const record = await bot.record(review);
    expect(record).toMatchObject({
      state: 'open',
      approvalsRequired: 0,
      breakGlass: { securityChannel: SECURITY, acknowledgeWithinHours: 12 },
      reason: REASON,
    });
    expect(record?.breakGlass?.confirmedAt).toBeUndefined();
    await bot.command('status prod');
    expect(bot.responseTexts().at(-1)).toContain('Open request: migrate by <@U0REQUESTER> (open, :rotating_light: break-glass)');
    const text = blockText(review);
    expect(text).toContain('🚨 Break-glass migration request · prod');
    expect(text).toContain('runs when <@U0REQUESTER> clicks *Run now*, without a second approval');
    const [announced] = securityPosts();
    expect(securityPosts()).toHaveLength(1);
    expect(blockText(announced)).toContain('*Break-glass on `prod`:* <@U0REQUESTER> requested 6 reviewed migrations');
    expect(blockText(announced)).toContain(`*Plan* sha256 \`${record?.planSha256}\``);
    expect((await bot.record(review))?.thread.securityTs).toBe(announced?.ts);

    // An approver cannot run it for them, and no build starts.
    await bot.click('deploybot_approve', APPROVER, review);
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain(
      "This is <@U0REQUESTER>'s break-glass request: it runs on their confirmation alone.",
    );
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    // Nothing has run, so nothing is acknowledged yet: no button anywhere.
    expect(blockText(announced)).toContain("*Now:* waiting for <@U0REQUESTER>'s Run now until");
    expect(() => findButton(announced as StoredMessage, 'deploybot_acknowledge')).toThrow();

    await bot.click('deploybot_approve', REQUESTER, review);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
    const started = await bot.record(review);
    expect(started?.state).toBe('started');
    expect(started?.breakGlass?.confirmedAt).toBe(bot.clock);
    expect(started?.events.map((e) => e.what)).toEqual([
      'requested break-glass',
      'posted the review',
      'confirmed break-glass',
      'started build',
    ]);
    const status = blockText(current(review));
    expect(status).toContain('Confirmed by <@U0REQUESTER> alone (break-glass).');
    expect(
      bot
        .threadReplies(review)
        .map((m) => m.text)
        .join('\n'),
    ).toContain(':rocket: Confirmed by <@U0REQUESTER> alone (break-glass).');
    // It is acknowledged afterwards: not while its build runs.
    expect(status).not.toContain('not yet acknowledged');
    // The announcement follows the record, as the review does.
    expect(blockText(current(announced as StoredMessage))).toContain('is running');
    expect(() => findButton(current(announced as StoredMessage), 'deploybot_acknowledge')).toThrow();
    const build = bot.aws.builds.at(-1);
    if (!build) throw new Error('no build');
    bot.aws.finishBuild(build.id, 'FAILED');
    bot.clock += 5 * 60_000;
    await bot.reconcile();
    expect(blockText(current(review))).toContain(
      'Break-glass, not yet acknowledged: one of <@U0APPROVER1>, <@U0APPROVER2> must acknowledge it by',
    );
    expect((await bot.record(review))?.breakGlass?.acknowledgedBy).toBeUndefined();
  }, 60_000);

  it('owes nothing when its confirmed start failed and it was then cancelled: nothing ran', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const review = await breakGlass();
    // Another build of the project is running: migrations never overlap, so the start is refused.
    bot.aws.addRunningBuild('daadaar-migrations');
    await bot.click('deploybot_approve', REQUESTER, review);
    const refused = await bot.record(review);
    expect(refused?.state).toBe('open');
    expect(refused?.breakGlass?.confirmedAt).toBeDefined();
    expect(blockText(current(review))).toContain('<@U0REQUESTER> can click Run now to try again');
    await bot.click('deploybot_cancel', REQUESTER, review);
    const [announced] = securityPosts();
    if (!announced) throw new Error('not announced');
    bot.clock += 5 * 60_000;
    await bot.reconcile();
    expect(blockText(current(announced))).toContain('*Now:* *cancelled*, nothing ran');
    expect(() => findButton(current(announced), 'deploybot_acknowledge')).toThrow();
    bot.clock += 3 * 24 * HOUR;
    await bot.reconcile();
    expect(reminders()).toHaveLength(0);
    const record = await bot.record(review);
    expect(record?.settledAt).toBeDefined();
    expect(blockText(current(review))).toContain('Cancelled by <@U0REQUESTER>. Nothing ran.');
    expect(blockText(current(review))).not.toContain('not yet acknowledged');
    expect(() => findButton(current(review), 'deploybot_acknowledge')).toThrow();
  }, 60_000);

  it('is acknowledged once, by an approver who is not the requester, from the security channel', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const { review } = await ranBreakGlass();
    const [announced] = securityPosts();
    if (!announced) throw new Error('not announced');
    await bot.click('deploybot_acknowledge', REQUESTER, announced);
    expect(bot.ephemeralsTo(REQUESTER).at(-1)).toContain('You broke the glass, so you cannot acknowledge it: an approver must.');
    await bot.click('deploybot_acknowledge', OUTSIDER, announced);
    expect(bot.ephemeralsTo(OUTSIDER).at(-1)).toContain('can acknowledge prod requests');
    expect((await bot.record(review))?.breakGlass?.acknowledgedBy).toBeUndefined();

    const stale = findButton(announced, 'deploybot_acknowledge');
    await bot.click('deploybot_acknowledge', APPROVER_2, announced);
    const record = await bot.record(review);
    expect(record?.breakGlass).toMatchObject({ acknowledgedBy: APPROVER_2, acknowledgedAt: bot.clock });
    expect(blockText(current(review))).toContain('Break-glass acknowledged by <@U0APPROVER2>');
    expect(blockText(current(announced))).toContain(':white_check_mark: Acknowledged by <@U0APPROVER2>');
    expect(() => findButton(current(announced), 'deploybot_acknowledge')).toThrow();
    const shown = await bot.record(review);
    expect(shown?.thread.securityShownVersion).toBe(shown?.viewVersion);
    expect(bot.threadReplies(review).map((m) => m.text)).toContain(':white_check_mark: <@U0APPROVER2> acknowledged this break-glass run.');

    // A second approver clicks the button still on their screen.
    await bot.clickNow('deploybot_acknowledge', APPROVER, announced, stale);
    await bot.settled();
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain('<@U0APPROVER2> already acknowledged this break-glass request');
    // Acknowledged, every effect done: the reconciler settles it and never reminds anyone.
    bot.clock += 5 * 60_000;
    await bot.reconcile();
    expect((await bot.record(review))?.settledAt).toBeDefined();
    bot.clock += 3 * 24 * HOUR;
    await bot.reconcile();
    expect(reminders()).toHaveLength(0);
  }, 60_000);

  it('reminds the channel from the due time, once a day under concurrent reconcilers, until an approver acknowledges it', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const { review, record } = await ranBreakGlass();
    const confirmedAt = record.breakGlass?.confirmedAt as number;
    // Before the due time the run waits, unsettled, and nobody is reminded.
    bot.clock = confirmedAt + 11 * HOUR;
    await bot.reconcile();
    expect(reminders()).toHaveLength(0);
    expect((await bot.record(review))?.settledAt).toBeUndefined();

    for (let day = 1; day <= 3; day++) {
      // Past the due time (and the reconciler's staleness): five scheduled runs at once.
      bot.clock = confirmedAt + 12 * HOUR + (day - 1) * 24 * HOUR + 3 * 60_000;
      await Promise.all(Array.from({ length: 5 }, () => bot.reconcile()));
      expect(reminders()).toHaveLength(day);
      // The same day again, even when asked directly (not through the due index): nothing new.
      bot.clock += HOUR;
      await reconcileRequest(bot.reconcilerDeps(), record.id);
      await bot.reconcile();
      expect(reminders()).toHaveLength(day);
    }
    const last = reminders().at(-1) as StoredMessage;
    expect(blockText(last)).toContain("*Break-glass not acknowledged:* <@U0REQUESTER>'s migrate of `prod`");
    expect(blockText(last)).toContain('ended *succeeded*');
    expect(blockText(last)).toContain('<@U0APPROVER1>, <@U0APPROVER2>: read');
    expect((await bot.record(review))?.breakGlass?.reminders).toBe(3);

    // Acknowledged from the latest reminder: no reminder after it, and the request settles.
    await bot.click('deploybot_acknowledge', APPROVER, last);
    bot.clock += 2 * 24 * HOUR;
    await bot.reconcile();
    await bot.reconcile();
    expect(reminders()).toHaveLength(3);
    const settled = await bot.record(review);
    expect(settled?.settledAt).toBeDefined();
    expect(settled?.events.filter((e) => e.what === 'reminded the channel')).toHaveLength(3);
  }, 120_000);

  it('turns a reminder into a note when the acknowledgement lands while it is being posted', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const { review, record } = await ranBreakGlass();
    bot.clock = (record.breakGlass?.confirmedAt as number) + 12 * HOUR + 3 * 60_000;
    bot.slack.beforeAnswering('chat.postMessage', () => bot.click('deploybot_acknowledge', APPROVER, review));
    await bot.reconcile();
    const acknowledged = await bot.record(review);
    expect(acknowledged?.breakGlass).toMatchObject({ acknowledgedBy: APPROVER, reminders: 1 });
    expect(reminders()).toHaveLength(0);
    const note = bot.slack.messages.filter((m) => m.channel === CHANNEL && !m.thread_ts).at(-1) as StoredMessage;
    expect(blockText(note)).toContain(":white_check_mark: <@U0APPROVER1> acknowledged <@U0REQUESTER>'s break-glass run of `prod`");
    expect(() => findButton(note, 'deploybot_acknowledge')).toThrow();
  }, 60_000);

  it('gives up on an announcement Slack refuses for good, so the acknowledged run still settles', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const { review } = await ranBreakGlass();
    bot.slack.removeBot(SECURITY);
    await bot.click('deploybot_acknowledge', APPROVER, review);
    bot.clock += 5 * 60_000;
    await bot.reconcile();
    const record = await bot.record(review);
    expect(record?.breakGlass?.acknowledgedBy).toBe(APPROVER);
    expect(record?.thread.securityShownVersion).toBe(record?.viewVersion);
    expect(record?.settledAt).toBeDefined();
  }, 60_000);

  it('announces it later, from the reconciler, when the security channel refused the first post', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    bot.slack.removeBot(SECURITY);
    const review = await breakGlass();
    expect(securityPosts()).toHaveLength(0);
    expect((await bot.record(review))?.thread.securityTs).toBeUndefined();
    bot.slack.inviteBot(SECURITY);
    bot.clock += 5 * 60_000;
    await Promise.all([bot.reconcile(), bot.reconcile(), bot.reconcile()]);
    expect(securityPosts()).toHaveLength(1);
    expect((await bot.record(review))?.thread.securityTs).toBe(securityPosts()[0]?.ts);
  }, 60_000);

  it('shows in /daadaar history as break-glass, with who acknowledged it, beside the rule that decided each other request', async () => {
    bot = await new BotHarness().start(withBreakGlass());
    const { review } = await ranBreakGlass();
    await bot.command('history prod');
    const unacknowledged = bot.responseTexts().at(-1) ?? '';
    expect(unacknowledged).toContain('*break-glass*');
    expect(unacknowledged).toContain('confirmed by the requester alone');
    expect(unacknowledged).toContain('*not acknowledged*');
    await bot.click('deploybot_acknowledge', APPROVER, review);
    await bot.request('migrate staging');
    await bot.command('history');
    const text = bot.responseTexts().at(-1) ?? '';
    expect(text).toContain('acknowledged by <@U0APPROVER1>');
    expect(text).toContain("1 approval (the environment's default)");
  }, 60_000);
});
