import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeBuildEvents } from '../../src/handlers/codebuild-events.ts';
import { createLog } from '../../src/log.ts';
import { APPROVER, APPROVER_2, BOT_TOKEN, BotHarness, blockText, REQUESTER, SECRET, writeConfigFile } from '../support/bot-harness.ts';
import { stateChange } from '../support/codebuild-events.ts';
import type { ApiCall } from '../support/fake-slack-api.ts';

// Slack answering 429 with a Retry-After longer than a call may wait (the bot's Slack budget is
// 4 s, src/deadline.ts). The call must be given up then, and nothing of it may reach Slack
// later: not over a newer state, not as a review nobody was told about, and not by holding up
// another person's call behind it.
const RETRY_AFTER_S = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, done: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !done(); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

const rateLimited = (call: ApiCall) => call.answer?.status === 429;

describe('Slack calls given up at their deadline', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('a chat.update given up at its deadline never lands over the final state another handler rendered', async () => {
    const review = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    const build = bot.aws.builds.at(-1);
    if (!build) throw new Error('no build');
    // The build events arrive at another Lambda instance: its own process, its own client.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = bot.dynamo.url;
    const events = composeBuildEvents(
      {
        DEPLOYBOT_CONFIG: writeConfigFile(),
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_API_URL: bot.slack.url,
        DEPLOYBOT_TABLE: bot.table,
      },
      createLog({ service: 'test' }, 'error', () => {}),
      () => bot.clock,
    );
    bot.slack.rateLimit('chat.update', RETRY_AFTER_S);
    await bot.clickNow('deploybot_stop', APPROVER_2);
    await until('the Stop render to be rate limited', () => bot.slack.callsTo('chat.update').some(rateLimited));
    const limitedAt = bot.slack.callsTo('chat.update').find(rateLimited)?.at ?? 0;
    await until('CodeBuild to stop the build', () => build.buildStatus === 'STOPPED');
    await events(stateChange(build, 'STOPPED'));
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('stopped');
    await bot.settled();
    await sleep(limitedAt + (RETRY_AFTER_S + 1) * 1000 - Date.now());

    const shown = bot.slack.messages.find((m) => m.ts === review.ts);
    expect(shown?.metadata?.event_payload.state).toBe('stopped');
    expect(blockText(shown)).not.toContain('deploybot_stop');
    // Nothing addressed to the review reached Slack after the budget of the call given up.
    const late = bot.slack.callsTo('chat.update').filter((c) => c.args.ts === review.ts && c.at > limitedAt + 4000);
    expect(late).toEqual([]);
  }, 30_000);

  it('a review post given up at its deadline does not appear later with live buttons', async () => {
    await bot.command('migrate prod');
    bot.slack.rateLimit('chat.postMessage', RETRY_AFTER_S);
    await bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' });
    const limited = bot.slack.callsTo('chat.postMessage').find(rateLimited);
    if (!limited) throw new Error('the review post was not rate limited');
    const limitedAt = limited.at;
    await sleep(limitedAt + (RETRY_AFTER_S + 1) * 1000 - Date.now());

    expect(bot.reviewMessage()).toBeUndefined();
    const told = bot.slack.applied('chat.postMessage').filter((c) => c.args.channel === REQUESTER);
    expect(told.map((c) => String(c.args.text)).join('\n')).toContain('Nothing will run');
    const requestId = (limited.args.metadata as { event_payload: { request_id: string } }).event_payload.request_id;
    expect((await bot.store.get(requestId))?.state).toBe('cancelled');
  }, 30_000);

  it("a 429 on one person's chat.update does not fail another person's views.open", async () => {
    await bot.request();
    bot.slack.rateLimit('chat.update', 6);
    await bot.clickNow('deploybot_cancel', REQUESTER);
    await until('the cancel render to be rate limited', () => bot.slack.callsTo('chat.update').some(rateLimited));
    const before = bot.slack.callsTo('views.open').length;
    await bot.command('migrate staging', APPROVER_2);

    const opened = bot.slack.callsTo('views.open').slice(before);
    expect(opened.map((c) => c.answer?.body)).toEqual([expect.objectContaining({ ok: true })]);
    expect(bot.currentModal().callback_id).toBe('deploybot_request');
    expect(bot.responseTexts().join('\n')).not.toContain('could not be opened');
  }, 30_000);
});
