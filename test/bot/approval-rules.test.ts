import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, APPROVER_2, BotHarness, blockText, OUTSIDER, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// Approvals scaled to what the review found, through the real bot over signed HTTP, the fake
// Slack (usergroups.users.list included) and dynalite. The target has applied three migrations;
// the pending 0003 drops a column: 'destructive', so the rule below applies to every request here.
const DBAS = 'S0DBAS00001';
const RULES = [
  { name: 'large table locked', when: 'large-access-exclusive', oneOf: DBAS },
  { name: 'data loss', when: 'destructive', approvalsRequired: 2, oneOf: DBAS },
];

describe('approvals scaled to risk', () => {
  let bot: BotHarness;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(3));
  }, 60_000);
  afterAll(() => db?.drop());
  afterEach(() => bot?.stop());

  async function started(rules: unknown[] = RULES) {
    bot = await new BotHarness().start(testConfig({ prod: { approvalRules: rules } }), { target: 'none' });
    bot.aws.secrets.set('daadaar/prod/database-read-url', db.url);
    bot.slack.userGroups.set(DBAS, new Set([OUTSIDER]));
    return bot;
  }

  it('takes the first rule that holds: two approvals, one of them from the DBAs, said in the review and kept in the record', async () => {
    await started();
    await bot.request();
    const record = await bot.record();
    expect(record?.approvalsRequired).toBe(2);
    expect(record?.approvalRule).toMatchObject({ name: 'data loss', oneOf: DBAS });
    expect(record?.approvalRule?.because).toMatch(/^\d+ destructive findings?$/);
    const text = blockText(bot.reviewMessage());
    expect(text).toContain(`including one of <!subteam^${DBAS}> (rule \\"data loss\\": ${record?.approvalRule?.because})`);
    expect(text).toContain(`one of them from <!subteam^${DBAS}>`);
  });

  it('refuses the last approval from outside the group, and starts with one from inside it', async () => {
    await started();
    await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    // REQUESTER is an approver but requested it; the other approver, outside the group, is refused as the last one.
    await bot.click('deploybot_approve', APPROVER_2);
    expect(bot.ephemeralsTo(APPROVER_2).at(-1)).toContain(`needs one approval from <!subteam^${DBAS}>`);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect((await bot.record())?.approvals.map((a) => a.user)).toEqual([APPROVER]);
    // A DBA who is not on the approvers list may approve: that is what the rule asks for.
    await bot.click('deploybot_approve', OUTSIDER);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
    const record = await bot.record();
    expect(record?.approvals).toEqual([
      expect.objectContaining({ user: APPROVER }),
      expect.objectContaining({ user: OUTSIDER, inGroup: true }),
    ]);
    expect(bot.slack.callsTo('usergroups.users.list').length).toBeGreaterThan(0);
  });

  it('refuses someone in neither the approvers nor the group', async () => {
    await started();
    await bot.request();
    bot.slack.userGroups.set(DBAS, new Set());
    await bot.click('deploybot_approve', OUTSIDER);
    expect(bot.ephemeralsTo(OUTSIDER).at(-1)).toContain('can approve prod requests');
    expect((await bot.record())?.approvals).toEqual([]);
  });

  it('tells the person when Slack cannot say who is in the group, and records nothing', async () => {
    await started();
    bot.slack.userGroups.delete(DBAS);
    await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain(`Slack did not say who is in <!subteam^${DBAS}> (no_such_subteam)`);
    expect((await bot.record())?.approvals).toEqual([]);
  });

  it('leaves the environment default when no rule holds, and /daadaar history names the rule that decided', async () => {
    await started([{ name: 'security', when: 'security', approvalsRequired: 2 }]);
    await bot.request();
    const plain = await bot.record();
    expect(plain?.approvalsRequired).toBe(1);
    expect(plain?.approvalRule).toBeUndefined();
    await bot.stop();

    await started();
    await bot.request();
    await bot.command('history prod', REQUESTER);
    expect(bot.responseTexts().at(-1)).toMatch(
      /2 approvals by rule \\?"data loss\\?" \(\d+ destructive findings?, one from <!subteam\^S0DBAS00001>\)/,
    );
  });

  it('is refused at start-up when a rule without a group asks for more approvals than the approvers can give', () => {
    expect(() => testConfig({ prod: { approvalRules: [{ name: 'too many', when: 'destructive', approvalsRequired: 3 }] } })).toThrow(
      /approvalRules\.0\.approvalsRequired.*rule "too many" needs 3 approvals besides the requester/,
    );
  });
});
