import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER, APPROVER_2, BotHarness, blockText, findButton, OUTSIDER, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { blockActionsPayload, interactionBody } from '../support/slack-requests.ts';

describe('approving a request', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('refuses an approval from the requester, with a reason, and changes nothing', async () => {
    const message = await bot.request();
    const before = JSON.stringify(message.blocks);
    await bot.click('deploybot_approve', REQUESTER);
    expect(bot.ephemeralsTo(REQUESTER)).toEqual([expect.stringContaining('You requested this, so you cannot approve it')]);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(JSON.stringify(bot.reviewMessage()?.blocks)).toBe(before);
    expect(bot.slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('refuses someone who is not a configured approver', async () => {
    await bot.request();
    await bot.click('deploybot_approve', OUTSIDER);
    expect(bot.ephemeralsTo(OUTSIDER)[0]).toMatch(
      /^:no_entry: Only <@U0APPROVER1>, <@U0APPROVER2>, <@U0REQUESTER> can approve prod requests\. Nothing changed\.$/,
    );
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
  });

  it('refuses an approval after the request expired', async () => {
    await bot.request();
    bot.clock += 31 * 60_000;
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.ephemeralsTo(APPROVER)[0]).toContain('This request expired 1 minute ago');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
  });

  it('refuses a button whose signed value was altered', async () => {
    const message = await bot.request();
    const value = String(findButton(message, 'deploybot_approve').value);
    const [v, body, mac] = value.split('.');
    const forged = JSON.parse(Buffer.from(body ?? '', 'base64url').toString());
    forged.requestedBy = 'U0SOMEONE99';
    const tampered = `${v}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    await bot.post(
      interactionBody(
        blockActionsPayload({
          userId: REQUESTER,
          channelId: message.channel,
          message: { ts: message.ts, blocks: message.blocks },
          action: { action_id: 'deploybot_approve', block_id: 'deploybot_actions', value: tampered },
        }),
      ),
    );
    expect(bot.ephemeralsTo(REQUESTER)[0]).toContain('Refused: the request signature does not match');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
  });

  it('needs approvalsRequired distinct approvers and counts each once', async () => {
    await bot.stop();
    bot = await new BotHarness().start(testConfig({ prod: { approvalsRequired: 2 } }));
    await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(blockText(bot.reviewMessage())).toContain('Approved by <@U0APPROVER1>. Waiting for 1 approval from <@U0APPROVER2> until');
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.ephemeralsTo(APPROVER)[0]).toContain('You already approved this request; it still needs 1 more approval');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    await bot.click('deploybot_approve', APPROVER_2);
    const overrides = (bot.aws.callsOf('StartBuild')[0]?.environmentVariablesOverride ?? []) as { name: string; value: string }[];
    expect(overrides.find((o) => o.name === 'APPROVED_BY')?.value).toBe(`${APPROVER},${APPROVER_2}`);
  });

  it('refuses to start while another build of the project runs, says which, and stays approvable', async () => {
    const running = bot.aws.addRunningBuild('daadaar-migrations', { DEPLOYBOT_REQUEST_ID: 'earlier-request' });
    const message = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    const reply = bot.threadReplies(message).find((r) => r.text?.includes('did not start'));
    expect(reply?.text).toContain(running.id);
    expect(reply?.text).toContain('(request earlier-request), and migrations never overlap');
    expect(blockText(bot.reviewMessage())).toContain('deploybot_approve');
    expect((await bot.record())?.state).toBe('open');

    bot.aws.finishBuild(running.id, 'SUCCEEDED');
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
  });

  it('reports a StartBuild failure in the thread and keeps the request approvable', async () => {
    bot.aws.fail('StartBuild', {
      status: 400,
      type: 'AccountLimitExceededException',
      message: 'Cannot have more than 1 builds in queue for the account',
    });
    const message = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    const reply = bot.threadReplies(message).find((r) => r.text?.startsWith(':x:'));
    expect(reply?.text).toBe(
      ':x: The build did not start: AccountLimitExceededException: Cannot have more than 1 builds in queue for the account. Nothing ran. The request is still open: an approver can click Approve to try again.',
    );
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('open');
    expect((await bot.record())?.events.map((e) => e.what)).toEqual([
      'requested',
      'posted the review',
      'approved',
      'could not start the build',
    ]);
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.aws.builds).toHaveLength(1);
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('started');
  });

  it('starts one build, never two, when two approvals arrive at the same moment', async () => {
    const message = await bot.request();
    const [a, b, c] = await Promise.all([
      bot.clickNow('deploybot_approve', APPROVER, message),
      bot.clickNow('deploybot_approve', APPROVER_2, message),
      bot.clickNow('deploybot_approve', APPROVER, message),
    ]);
    await bot.settled();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    // Only the click whose conditional write moved the request to `starting` calls StartBuild.
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
    expect(bot.aws.builds).toHaveLength(1);
    expect(bot.reviewMessage()?.metadata?.event_payload).toMatchObject({ state: 'started' });
    expect((await bot.record())?.build?.id).toBe(bot.aws.builds[0]?.id);
  });
});

describe('rejecting and cancelling', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('rejects with a reason from an approver: buttons gone, requester told, nothing runs', async () => {
    const message = await bot.request();
    await bot.click('deploybot_reject', APPROVER);
    const modal = bot.currentModal();
    expect(modal.callback_id).toBe('deploybot_reject');
    const empty = await bot.submitModal(APPROVER, { reason: '' }, modal);
    expect((await empty.json()).errors.reason).toContain('Say why');
    await bot.submitModal(APPROVER, { reason: 'Drop the column in a later release' }, modal);
    const after = bot.reviewMessage();
    expect(after?.metadata?.event_payload.state).toBe('rejected');
    expect(blockText(after)).toContain('Rejected by <@U0APPROVER1>: Drop the column in a later release');
    expect(blockText(after)).not.toContain('deploybot_approve');
    expect(bot.threadReplies(message).some((r) => r.text?.includes('<@U0REQUESTER>, nothing ran.'))).toBe(true);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
  });

  it('tells the requester to cancel rather than reject their own request, in the form instead of a reason field', async () => {
    await bot.request();
    await bot.click('deploybot_reject', REQUESTER);
    const modal = bot.currentModal();
    expect(modal.callback_id).toBe('deploybot_reject_refused');
    expect(JSON.stringify(modal)).toContain('Use Cancel to withdraw your own request.');
    const views = bot.slack.calls
      .filter((c) => c.method.startsWith('views.'))
      .map((c) => (c.args.view as { callback_id?: string }).callback_id);
    expect(views).not.toContain('deploybot_reject');
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('open');
  });

  it('lets only the requester cancel', async () => {
    await bot.request();
    await bot.click('deploybot_cancel', APPROVER);
    expect(bot.ephemeralsTo(APPROVER)[0]).toContain('Only the requester, <@U0REQUESTER>, can cancel this request.');
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('open');
    await bot.click('deploybot_cancel', REQUESTER);
    expect(bot.reviewMessage()?.metadata?.event_payload.state).toBe('cancelled');
    expect(blockText(bot.reviewMessage())).toContain('Cancelled by <@U0REQUESTER>. Nothing ran.');
  });
});
