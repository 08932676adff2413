import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeferredJob } from '../../src/bot/jobs/deferred.ts';
import { MAX_JOB_AGE_MS, sealJob } from '../../src/bot/jobs/job-envelope.ts';
import { signingKey } from '../../src/signed-token.ts';
import { signRef } from '../../src/slack/action-value.ts';
import { APPROVER, APPROVER_2, BotHarness, CHANNEL, OUTSIDER, REQUESTER, SECRET, testConfig } from '../support/bot-harness.ts';

// The asynchronous self-invocation's envelope, delivered as anyone allowed to call lambda:Invoke
// could deliver it: through (fake) Lambda's Invoke API to the handler's entry, Bot.receiveJob.

const STAGING_CHANNEL = 'C0STAGING01';

/** The job inside an envelope, read the way anyone who captured the payload could read it. */
function jobIn(payload: unknown): { id: string; at: number; job: DeferredJob } {
  const token = String((payload as { deploybotJob: string }).deploybotJob);
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('jobs that cannot be replayed', () => {
  let bot: BotHarness;
  /** Everything Slack heard from the bot so far: a job that does nothing adds nothing. */
  const heard = () => bot.slack.calls.length + bot.slack.responses.length;
  const envelopes = (type: DeferredJob['type']) => bot.aws.invocations.map((i) => i.payload).filter((p) => jobIn(p).job.type === type);

  /** Runs `act` while Lambda's queue holds its invocations back; returns what it would deliver. */
  async function held(act: () => Promise<unknown>): Promise<unknown> {
    const deliver = bot.aws.onInvoke;
    bot.aws.onInvoke = undefined;
    try {
      await act();
    } finally {
      bot.aws.onInvoke = deliver;
    }
    const payload = bot.aws.invocations.at(-1)?.payload;
    if (!payload) throw new Error('nothing was invoked');
    return payload;
  }

  beforeEach(async () => {
    bot = await new BotHarness().start(testConfig({ prod: { approvalsRequired: 2 }, staging: { channels: [STAGING_CHANNEL] } }));
  });
  afterEach(() => bot.stop());

  it('a replayed approval does nothing the second time', async () => {
    await bot.request('migrate prod');
    await bot.click('deploybot_approve', APPROVER);
    const [approval] = envelopes('approve');
    expect((await bot.record())?.approvals.map((a) => a.user)).toEqual([APPROVER]);
    const version = (await bot.record())?.version;
    const before = heard();

    expect(await bot.invoke(approval)).toEqual({
      ok: false,
      reason: `job ${jobIn(approval).id} already ran (a replay or a second delivery)`,
    });
    expect(heard()).toBe(before);
    expect((await bot.record())?.version).toBe(version);
    expect(bot.logs.some((l) => l.includes('"deferred job refused"') && l.includes('already ran'))).toBe(true);
  });

  it('a replayed request form, after the first request ended, posts no second request', async () => {
    await bot.request('migrate prod');
    const [submit] = envelopes('submit');
    await bot.click('deploybot_cancel', REQUESTER);
    expect((await bot.record())?.state).toBe('cancelled');
    // The lock is free again: without the seen-before check this would post a new review in the requester's name.
    expect(await bot.store.readLock('prod')).toBeUndefined();
    const reviews = bot.slack.messages.length;
    const before = heard();
    expect(await bot.invoke(submit)).toMatchObject({ ok: false, reason: expect.stringContaining('already ran') });
    expect(bot.slack.messages).toHaveLength(reviews);
    expect(heard()).toBe(before);
    expect(await bot.store.readLock('prod')).toBeUndefined();
  });

  it('a job delivered after its five minutes does nothing; one delivered within them runs', async () => {
    const late = await held(() => bot.command('status prod'));
    const inTime = await held(() => bot.command('status prod'));
    const before = heard();
    bot.clock += MAX_JOB_AGE_MS + 1000;
    expect(await bot.invoke(late)).toEqual({ ok: false, reason: 'it was sealed 301 s ago; a job lives 300 s' });
    expect(heard()).toBe(before);
    expect(bot.aws.callsOf('ListBuildsForProject')).toHaveLength(0);

    bot.clock -= 2000;
    expect(await bot.invoke(inTime)).toEqual({ ok: true });
    expect(bot.aws.callsOf('ListBuildsForProject')).toHaveLength(1);
  });

  it('a tampered envelope, or a button value passed off as one, is refused', async () => {
    const envelope = await held(() => bot.command('status prod'));
    const [label, body, mac] = String((envelope as { deploybotJob: string }).deploybotJob).split('.');
    const sealed = jobIn(envelope);
    const altered = { ...sealed, at: bot.clock, job: { ...sealed.job, to: { ...sealed.job.to, user: APPROVER } } };
    const forged = { deploybotJob: `${label}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac}` };
    const before = heard();
    expect(await bot.invoke(forged)).toEqual({
      ok: false,
      reason: 'its signature does not match (altered, or sealed by another deployment)',
    });
    // Signed with the same key, but a button value: its label keeps it from counting as a job.
    const button = signRef({ id: 'some-request', env: 'prod' }, signingKey(SECRET));
    expect(await bot.invoke({ deploybotJob: button })).toEqual({ ok: false, reason: 'it is not an envelope this bot sealed' });
    expect(await bot.invoke({ deploybotJob: `${label}.${body}` })).toMatchObject({ ok: false });
    expect(heard()).toBe(before);
    // The untouched envelope still runs once.
    expect(await bot.invoke(envelope)).toEqual({ ok: true });
  });

  describe('a job claiming another channel or user acts only within the record and the config', () => {
    const key = signingKey(SECRET);
    const seal = (job: DeferredJob) => sealJob(job, key, bot.clock);

    it("an approval from another environment's channel, or from someone who is not an approver, changes nothing", async () => {
      await bot.request('migrate prod');
      const record = await bot.record();
      if (!record) throw new Error('no record');
      // A configured channel, but staging's: the prod review is decided where it was posted.
      expect(await bot.invoke(seal({ type: 'approve', requestId: record.id, to: { user: APPROVER, channel: STAGING_CHANNEL } }))).toEqual({
        ok: true,
      });
      expect(bot.ephemeralsTo(APPROVER).at(-1)).toContain(`This request is decided in <#${CHANNEL}>, where its review is.`);
      expect(
        await bot.invoke(seal({ type: 'reject', requestId: record.id, reason: 'no', to: { user: APPROVER, channel: 'C0ELSEWHERE1' } })),
      ).toEqual({
        ok: true,
      });
      expect(await bot.invoke(seal({ type: 'approve', requestId: record.id, to: { user: OUTSIDER, channel: CHANNEL } }))).toEqual({
        ok: true,
      });
      expect(bot.ephemeralsTo(OUTSIDER).at(-1)).toContain('can approve prod requests');
      const after = await bot.record();
      expect(after).toMatchObject({ state: 'open', approvals: [], version: record.version });

      // The same job from the review's channel and a configured approver counts.
      await bot.invoke(seal({ type: 'approve', requestId: record.id, to: { user: APPROVER_2, channel: CHANNEL } }));
      expect((await bot.record())?.approvals.map((a) => a.user)).toEqual([APPROVER_2]);
    });

    it('a request form or a status asked for from a channel the environment does not use is refused', async () => {
      const before = bot.slack.messages.length;
      await bot.command('migrate prod');
      const submit = jobIn(await held(() => bot.submitModal(REQUESTER, { reason: 'Ship the shareable uuids', confirm: 'prod' })))
        .job as Extract<DeferredJob, { type: 'submit' }>;
      const elsewhere = { ...submit, form: { ...submit.form, channel: STAGING_CHANNEL }, to: { ...submit.to, channel: STAGING_CHANNEL } };
      expect(await bot.invoke(seal(elsewhere))).toEqual({ ok: true });
      expect(bot.slack.messages).toHaveLength(before);
      expect(await bot.store.readLock('prod')).toBeUndefined();
      expect(bot.ephemeralsTo(REQUESTER).at(-1)).toContain(`prod requests are made and decided only in <#${CHANNEL}>`);

      await bot.invoke(
        seal({
          type: 'open-form',
          kind: 'migrate',
          env: 'prod',
          viewId: 'V0NOSUCHVIEW',
          to: { user: REQUESTER, channel: STAGING_CHANNEL },
        }),
      );
      expect(bot.ephemeralsTo(REQUESTER).at(-1)).toContain(`prod requests are made and decided only in <#${CHANNEL}>`);

      bot.slack.responses.length = 0;
      await bot.invoke(seal({ type: 'history', env: 'prod', to: { user: OUTSIDER, channel: STAGING_CHANNEL } }));
      await bot.invoke(seal({ type: 'status', env: 'prod', to: { user: OUTSIDER, channel: STAGING_CHANNEL } }));
      const told = bot.ephemeralsTo(OUTSIDER);
      expect(told.at(-2)).toContain("History is shown only in each environment's channels");
      expect(told.at(-1)).toContain("Status is shown only in each environment's channels");
      expect(bot.aws.callsOf('ListBuildsForProject')).toHaveLength(0);
    });
  });
});
