import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateRequestMessage } from '../../src/request-message/update.ts';
import { APPROVER, APPROVER_2, BotHarness, CHANNEL, REQUESTER } from '../support/bot-harness.ts';

// The channel stops taking the request's message: archived, the bot removed, the review
// deleted. Slack refuses every retry the same way, so the outcome must reach the people
// another way (a direct message) and the record must say the channel no longer shows it.
const PEOPLE = [REQUESTER, APPROVER, APPROVER_2];

describe('a channel the bot can no longer write', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  const directMessages = (user: string) =>
    bot.slack
      .applied('chat.postMessage')
      .filter((c) => c.args.channel === user)
      .map((c) => String(c.args.text));

  for (const [fault, cause] of [
    ['archived', 'is_archived'],
    ['bot removed', 'not_in_channel'],
    ['review deleted', 'message_not_found'],
  ] as const) {
    it(`${fault}: the requester and the approvers are told by DM, once, and the record says so`, async () => {
      const review = await bot.request();
      if (fault === 'archived') bot.slack.archive(CHANNEL);
      if (fault === 'bot removed') bot.slack.removeBot(CHANNEL);
      if (fault === 'review deleted') bot.slack.deleteMessage(CHANNEL, review.ts);
      await bot.click('deploybot_approve', APPROVER, review);

      const record = await bot.record(review);
      expect(record?.state).toBe('started');
      // Each state the channel could not show is written down once: the approval, then the build.
      expect(record?.events.filter((e) => e.what === 'channel unwritable').map((e) => e.detail)).toEqual([
        `${cause} (starting)`,
        `${cause} (started)`,
      ]);
      const toldAll = () => PEOPLE.map((person) => directMessages(person).filter((t) => t.includes('can no longer be shown')));
      for (const told of toldAll()) {
        expect(told).toHaveLength(2);
        expect(told[1]).toContain(cause);
        expect(told[1]).toContain(record?.build?.id);
      }
      // Rendered again with nothing new, as the reconciler and `/daadaar status` do: nobody is told twice.
      const again = await bot.record(review);
      if (!again) throw new Error('no record');
      expect(await updateRequestMessage(bot.bot.context, again)).toEqual({ ok: false, outcome: 'channel-unwritable', reason: cause });
      for (const told of toldAll()) expect(told).toHaveLength(2);
    }, 30_000);
  }
});
