import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER, BotHarness, REQUESTER } from '../support/bot-harness.ts';

// Slack's trigger id expires 3 s after Slack sent the interaction. On Lambda the slow half runs
// in a second, asynchronous invocation, which may start later than that (a cold start, a slow
// Event queue). The modal must still open: the listener opens it, the job only updates it.
const COLD_HAND_OVER_MS = 3500;

describe('a hand-over slower than the trigger id lives', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('opens the request form and fills it in, though the job starts 3.5 s after the command', async () => {
    bot.jobDelayMs = COLD_HAND_OVER_MS;
    await bot.command('migrate prod');
    const opened = bot.slack.callsTo('views.open');
    expect(opened.map((c) => c.answer?.body)).toEqual([expect.objectContaining({ ok: true })]);
    const modal = bot.currentModal();
    expect(modal.callback_id).toBe('deploybot_request');
    expect(modal.submit).toBeDefined();
    expect(bot.responseTexts().join('\n')).not.toContain('could not be opened');
    // The form it filled in is one a person can submit: the request is posted.
    bot.jobDelayMs = 0;
    await bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' });
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('open');
  }, 30_000);

  it('opens the reject form, though the job starts 3.5 s after the click', async () => {
    await bot.request();
    bot.jobDelayMs = COLD_HAND_OVER_MS;
    await bot.click('deploybot_reject', APPROVER);
    expect(bot.slack.applied('views.open')).toHaveLength(2);
    expect(bot.currentModal().callback_id).toBe('deploybot_reject');
    expect(bot.ephemeralsTo(APPROVER).join('\n')).not.toContain('could not be opened');
  }, 30_000);
});
