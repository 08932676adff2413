import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSlackCredentials } from '../../src/aws/slack-credentials.ts';
import { APPROVER, BotHarness, blockText, CHANNEL, REQUESTER } from '../support/bot-harness.ts';
import { slashCommandBody } from '../support/slack-requests.ts';

describe('the HTTP surface', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('answers GET /healthz', async () => {
    const res = await bot.http.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('refuses a request with a wrong signature (401) and runs nothing', async () => {
    const res = await bot.post(slashCommandBody({ text: 'migrate prod', userId: REQUESTER, channelId: CHANNEL }), undefined, {
      signature: `v0=${'0'.repeat(64)}`,
    });
    expect(res.status).toBe(401);
    expect(bot.slack.calls).toHaveLength(0);
  });

  it('refuses a correctly signed request older than five minutes (401): no replays', async () => {
    const res = await bot.post(slashCommandBody({ text: 'migrate prod', userId: REQUESTER, channelId: CHANNEL }), undefined, {
      timestamp: Math.floor(bot.clock / 1000) - 6 * 60,
    });
    expect(res.status).toBe(401);
    expect(bot.slack.calls).toHaveLength(0);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await bot.post(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' }), 'application/json');
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });
});

describe('/daadaar commands', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  const ephemeral = async (res: Response) => {
    const body = await res.json();
    expect(body.response_type).toBe('ephemeral');
    return String(body.text);
  };

  it('answers help, and an empty command with help', async () => {
    expect(await ephemeral(await bot.command('help'))).toContain('`/daadaar migrate <env>`');
    expect(await ephemeral(await bot.command(''))).toContain('Environments:');
  });

  it('says what to type for a missing or unknown environment or verb', async () => {
    expect(await ephemeral(await bot.command('migrate'))).toBe(
      'Say which environment: `/daadaar migrate <env>`, with <env> one of `prod`, `staging`.',
    );
    expect(await ephemeral(await bot.command('migrate production'))).toBe(
      'Unknown environment `production`. Type `/daadaar migrate <env>` with one of `prod`, `staging`.',
    );
    expect(await ephemeral(await bot.command('deploy prod'))).toContain('Unknown command `deploy`');
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it("sends requests to the environment's channel", async () => {
    expect(await ephemeral(await bot.command('migrate prod', REQUESTER, 'C0RANDOM001'))).toBe(
      `prod requests are made in <#${CHANNEL}>, where the approvers are. Type \`/daadaar migrate prod\` there.`,
    );
  });

  it('refuses a production seed and says why', async () => {
    expect(await ephemeral(await bot.command('seed prod'))).toBe(
      ':no_entry: Not seeding prod. Seeding production is forbidden by the operations doc.',
    );
    expect(bot.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('requests a staging seed; CLEAN=true needs the typed confirmation and is shown as destructive', async () => {
    await bot.command('seed staging');
    expect(JSON.stringify(bot.currentModal())).toContain('CLEAN=true');
    const refused = await bot.submitModal(REQUESTER, { reason: 'Fresh staging data', clean: true });
    expect((await refused.json()).errors.confirm).toBe('Type staging exactly to confirm CLEAN=true.');
    await bot.submitModal(REQUESTER, { reason: 'Fresh staging data', clean: true, confirm: 'staging' });
    const message = bot.reviewMessage();
    expect(blockText(message)).toContain('*destructive*: runs the organizations seed with `CLEAN=true`');
    await bot.click('deploybot_approve', APPROVER);
    const overrides = Object.fromEntries(
      ((bot.aws.callsOf('StartBuild')[0]?.environmentVariablesOverride ?? []) as { name: string; value: string }[]).map((o) => [
        o.name,
        o.value,
      ]),
    );
    expect(overrides).toMatchObject({ RUN_SEED: 'true', CLEAN: 'true' });
    expect(overrides.RUN_MIGRATIONS).toBeUndefined();
    expect(bot.aws.callsOf('StartBuild')[0]?.projectName).toBe('daadaar-migrations-staging');
    // A seed runs no migrations: the target database was never looked up for it.
    expect(bot.aws.callsOf('GetSecretValue')).not.toContainEqual({ SecretId: 'daadaar/staging/database-url' });
  });

  it('lists recent builds and open requests on /daadaar status', async () => {
    await bot.request();
    bot.aws.addRunningBuild('daadaar-migrations', { RUN_MIGRATIONS: 'true', REQUESTED_BY: 'U0SOMEONE01', APPROVED_BY: 'U0APPROVER2' });
    const ack = await bot.command('status prod');
    expect(await ack.text()).toBe('');
    const text = bot.responseTexts().join('\n');
    expect(text).toContain('IN_PROGRESS');
    expect(text).toContain('requested by <@U0SOMEONE01>, approved by <@U0APPROVER2>');
    expect(text).toContain('Open request: migrate by <@U0REQUESTER> (open)');
  });

  it('waits out a Slack 429 with Retry-After and still posts the review', async () => {
    await bot.command('migrate prod');
    bot.slack.script('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const started = Date.now();
    await bot.submitModal(REQUESTER, { reason: 'Ship it', confirm: 'prod' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(bot.slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts).length).toBe(2);
    expect(bot.reviewMessage()).toBeDefined();
  });

  it('tells the requester directly when the review cannot be posted in the channel', async () => {
    await bot.command('migrate prod');
    bot.slack.script('chat.postMessage', { status: 200, body: { ok: false, error: 'not_in_channel' } });
    await bot.submitModal(REQUESTER, { reason: 'Ship it', confirm: 'prod' });
    const dm = bot.slack.callsTo('chat.postMessage').find((c) => c.args.channel === REQUESTER);
    expect(dm?.args.text).toContain('could not be posted in <#C0DEPLOYS01> (not_in_channel)');
  });
});

describe('Slack credentials', () => {
  it('come from the Secrets Manager secret SLACK_SECRET_ID names', async () => {
    const bot = await new BotHarness().start();
    try {
      bot.aws.secrets.set('daadaar/deploybot/slack', JSON.stringify({ SLACK_SIGNING_SECRET: 's3cret', SLACK_BOT_TOKEN: 'xoxb-1-2' }));
      const env = { AWS_REGION: 'us-east-1', SLACK_SECRET_ID: 'daadaar/deploybot/slack' };
      expect(await loadSlackCredentials(env)).toEqual({ ok: true, credentials: { signingSecret: 's3cret', botToken: 'xoxb-1-2' } });
      const missing = await loadSlackCredentials({ ...env, SLACK_SECRET_ID: 'nope' });
      expect(missing).toEqual({
        ok: false,
        reason: "Cannot read secret nope: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      });
      expect(await loadSlackCredentials({})).toMatchObject({ ok: false, reason: expect.stringContaining('Set SLACK_SIGNING_SECRET') });
    } finally {
      await bot.stop();
    }
  });
});
