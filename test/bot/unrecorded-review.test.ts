import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER, BotHarness, blockText, CHANNEL, findButton, testConfig } from '../support/bot-harness.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';
import { blockActionsPayload, interactionBody } from '../support/slack-requests.ts';

// A request is approvable only once its review message's ts is in the record: without it the
// build would run while the channel kept "Waiting for approval" with live buttons. The review
// is posted, then the write of its ts is lost (a throttle, a crash): the record below is what
// that leaves behind.
const SECOND_CHANNEL = 'C0DEPLOYS02';

describe('an Approve click on a review whose record never got its ts', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start(testConfig({ prod: { channels: [CHANNEL, SECOND_CHANNEL] } }));
  });
  afterEach(() => bot.stop());

  async function postedButUnrecorded(): Promise<StoredMessage> {
    const message = await bot.request();
    const record = await bot.record(message);
    if (!record) throw new Error('no record');
    const { messageTs: _lost, ...rest } = record;
    expect(await bot.store.replace({ ...rest, version: record.version + 1 }, record.version)).toBe('written');
    return message;
  }

  function clickFrom(channel: string, message: StoredMessage): Promise<Response> {
    const value = String(findButton(message, 'deploybot_approve').value);
    return bot.send(
      interactionBody(
        blockActionsPayload({
          userId: APPROVER,
          channelId: channel,
          message: { ts: message.ts, blocks: message.blocks },
          action: { action_id: 'deploybot_approve', block_id: 'deploybot_actions', value },
        }),
      ),
    );
  }

  it("adopts the clicked message's ts when the click comes from the record's channel, and the review shows the build", async () => {
    const message = await postedButUnrecorded();
    await clickFrom(CHANNEL, message);
    const record = await bot.record(message);
    expect(record?.messageTs).toBe(message.ts);
    expect(record?.state).toBe('started');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
    const shown = bot.reviewMessage();
    expect(shown?.metadata?.event_payload.state).toBe('started');
    expect(blockText(shown)).not.toContain('deploybot_approve');
  });

  it('refuses, with the reason, a click from another channel of the environment, and starts nothing', async () => {
    const message = await postedButUnrecorded();
    await clickFrom(SECOND_CHANNEL, message);
    const record = await bot.record(message);
    expect(record?.messageTs).toBeUndefined();
    expect(record?.approvals).toEqual([]);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(bot.ephemeralsTo(APPROVER).join('\n')).toContain(
      'review message was never recorded, and this click did not come from its channel',
    );
  });

  it('refuses an approval on a copy of the review that is not the one recorded (a post that landed late)', async () => {
    const message = await bot.request();
    const late: StoredMessage = { ...message, ts: `${message.ts.split('.')[0]}.999999` };
    bot.slack.messages.push(late);
    await bot.click('deploybot_approve', APPROVER, late);
    expect((await bot.record(message))?.approvals).toEqual([]);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(bot.ephemeralsTo(APPROVER).join('\n')).toContain("not the request's recorded review");
  });
});
