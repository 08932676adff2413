import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER, BotHarness, blockText, CHANNEL, findButton, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { blockActionsPayload, interactionBody, slashCommandBody } from '../support/slack-requests.ts';

// The smaller holes issue 10 found, one test each.
describe('smaller holes, closed', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start(testConfig({ staging: { channels: ['C0STAGING01'] } }));
  });
  afterEach(() => bot.stop());

  it('refuses a correctly signed request whose timestamp is more than 5 minutes in the future', async () => {
    const body = slashCommandBody({ text: 'help', userId: REQUESTER, channelId: CHANNEL });
    const inAYear = Math.floor(bot.clock / 1000) + 365 * 86_400;
    expect((await bot.post(body, undefined, { timestamp: inAYear })).status).toBe(401);
    const inFourMinutes = Math.floor(bot.clock / 1000) + 4 * 60;
    expect((await bot.post(body, undefined, { timestamp: inFourMinutes })).status).toBe(200);
  });

  it('refuses an Approve click from a channel not configured for the environment', async () => {
    const message = await bot.request();
    const value = String(findButton(message, 'deploybot_approve').value);
    await bot.post(
      interactionBody(
        blockActionsPayload({
          userId: APPROVER,
          channelId: 'C0ELSEWHERE',
          message: { ts: message.ts, blocks: message.blocks },
          action: { action_id: 'deploybot_approve', block_id: 'deploybot_actions', value },
        }),
      ),
    );
    await bot.settled();
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain('prod requests are decided only in their configured channels');
  });

  it('re-checks the seed switch and the approvers at approval time', async () => {
    await bot.stop();
    const config = testConfig({ staging: { channels: [CHANNEL] } });
    bot = await new BotHarness().start(config);
    await bot.request('seed staging', { reason: 'refresh the seed organizations' });
    // Someone turns seeding off, and removes an approver, after the request was posted.
    const staging = config.environments.staging;
    if (!staging) throw new Error('no staging');
    staging.seed = { allowed: false, reason: 'Seeding staging is paused during the migration freeze.' };
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain('Seeding staging has been turned off since this request was posted');
    staging.seed = { allowed: true };
    staging.approvers = ['U0APPROVER2'];
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain('Only <@U0APPROVER2> can approve staging requests');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
  });

  it('an unclosed code fence in the reason cannot swallow the rest of the message', async () => {
    const message = await bot.request('migrate prod', { reason: 'fix ```select 1 and everything after' });
    const reason = JSON.stringify((message.blocks ?? []).find((b) => JSON.stringify(b).includes('*Reason*')));
    expect(reason).not.toContain('```');
    expect(reason).toContain('select 1 and everything after');
    expect(blockText(message)).toContain('deploybot_approve');
  });
});

describe('/daadaar status outside the environment channels', () => {
  it('shows no builds and no log tail there, and says where to ask', async () => {
    const bot = await new BotHarness().start();
    try {
      const build = bot.aws.addRunningBuild('daadaar-migrations', { RUN_MIGRATIONS: 'true' });
      bot.aws.logStreams.set(`${build.logs.groupName}\t${build.logs.streamName}`, ['Applying 0003 (secret-looking line)']);
      await bot.send(slashCommandBody({ text: 'status', userId: APPROVER, channelId: 'C0RANDOM01', responseUrl: bot.slack.responseUrl() }));
      const told = bot.responseTexts().join('\n');
      expect(told).toContain("Status is shown only in each environment's channels");
      expect(told).not.toContain(build.id);
      expect(told).not.toContain('Applying 0003');
      expect(bot.aws.callsOf('GetLogEvents')).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });
});
