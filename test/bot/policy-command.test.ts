import { afterEach, describe, expect, it } from 'vitest';
import { BotHarness, testConfig } from '../support/bot-harness.ts';

// `/daadaar policy [env]` over signed HTTP: answered in the acknowledgement, from the config.
describe('/daadaar policy', () => {
  let bot: BotHarness;
  afterEach(() => bot?.stop());

  const ephemeral = async (res: Response) => {
    const body = await res.json();
    expect(body.response_type).toBe('ephemeral');
    return String(body.text);
  };

  const config = () =>
    testConfig({
      prod: {
        requires: { succeededIn: 'staging' },
        approvalsRequired: 2,
        seed: { allowed: false, reason: 'Never seed prod <!channel> & co' },
        timeouts: { lockTimeoutMs: { readsAndWrites: 2000 } },
        approvalRules: [{ name: 'data <loss>', when: 'destructive', approvalsRequired: 3, oneOf: 'S0DBAS00001' }],
        breakGlass: { users: ['U0ONCALL001'], securityChannel: 'C0SECURITY1', acknowledgeWithinHours: 12 },
      },
    });

  it('says, for one environment, its approvals and approvers, staging first, seeding, expiry, timeouts and break-glass', async () => {
    bot = await new BotHarness().start(config());
    const text = await ephemeral(await bot.command('policy prod'));
    expect(text).toBe(
      [
        '*What a request needs* in `prod`, from deploybot.config.json:',
        '',
        '*`prod`*',
        "• Approvals: 2 of <@U0APPROVER1>, <@U0APPROVER2>, <@U0REQUESTER>, never the requester's own",
        '• Raised by what the review finds, the first rule that holds: "data &lt;loss&gt;" when destructive: 3 approvals, one from <!subteam^S0DBAS00001>',
        '• Staging first: the same pending migrations (or seed files) must have a succeeded request in `staging`',
        // The configured reason is escaped: it cannot ping the channel.
        '• Seed: off: Never seed prod &lt;!channel&gt; &amp; co',
        '• A request expires 30 min after posting unless approved',
        '• Timeouts: lock_timeout 2 s when it blocks reads and writes, 5 s writes only, 10 s neither; statement_timeout 1 min on small tables, 10 min medium, 30 min large, 10 min unknown size',
        '• A wait for a lock that holds sessions queued behind the migrator ends after 5 s, and the attempt is retried',
        '• Break-glass: `/daadaar breakglass prod` by <@U0ONCALL001>: a migration on their own confirmation instead of an approval (staging first still holds), announced in <#C0SECURITY1>; an approver acknowledges it within 12 h, else the channel is reminded each day',
        '• Snapshot before a migration: when the review finds something destructive, of instance `daadaar-prod`',
        '• Requested and decided in <#C0DEPLOYS01>',
      ].join('\n'),
    );
    expect(text).not.toContain('`staging`*');
  });

  it('lists every environment without an argument, and refuses an unknown one', async () => {
    bot = await new BotHarness().start(config());
    const text = await ephemeral(await bot.command('policy'));
    expect(text).toContain('*`prod`*\n• Approvals: 2 of');
    expect(text).toContain(
      "*`staging`*\n• Approvals: 1 of <@U0APPROVER1>, <@U0APPROVER2>, never the requester's own\n• Staging first: nothing must run elsewhere first\n• Seed: allowed",
    );
    expect(text).toContain('• Timeouts (the defaults): lock_timeout 3 s when it blocks reads and writes');
    expect(text).toContain('• Break-glass: off\n');
    expect(await ephemeral(await bot.command('policy qa'))).toBe(
      'Unknown environment `qa`. Try `/daadaar policy` or one of `prod`, `staging`.',
    );
    expect(await ephemeral(await bot.command('policy prod now'))).toBe(
      '`/daadaar policy` takes at most the environment: `/daadaar policy [env]`.',
    );
    expect(await ephemeral(await bot.command('help'))).toContain('`/daadaar policy [env]`');
    expect(await ephemeral(await bot.command('help'))).toContain(
      '`prod`: CodeBuild `daadaar-migrations` (us-east-1), 2 approvals, seeding off, after `staging`',
    );
  });
});
