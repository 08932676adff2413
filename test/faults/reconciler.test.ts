import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approve } from '../../src/requests/decisions.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { transition } from '../../src/requests/transition.ts';
import { reportBuildById } from '../../src/status/build-reporter.ts';
import { APPROVER, BotHarness, blockText, testConfig } from '../support/bot-harness.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';

// Each test leaves a request the way a real failure does (a write applied but its answer lost,
// an invocation killed between two steps, a build event never delivered, CodeBuild forgetting
// a build) and then lets the reconciler run, as the schedule would, and checks that the record,
// the lock, the thread and the channel message all end in the truth.

const env = testConfig().environments.prod;
if (!env) throw new Error('no prod');

describe('the reconciler brings every request to the truth', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
    bot.reconcileMs = 1000;
  });
  afterEach(() => bot.stop());

  const later = (ms = 2500) => {
    bot.clock += ms;
  };
  const current = async (review: StoredMessage): Promise<RequestRecord> => {
    const record = await bot.record(review);
    if (!record) throw new Error('no record');
    return record;
  };
  const shown = (review: StoredMessage) => bot.slack.messages.find((m) => m.ts === review.ts);
  const buildsOf = (id: string) => bot.aws.builds.filter((b) => b.environment.environmentVariables.some((v) => v.value === id));
  /** What a SIGKILL right after open → starting leaves: the gate written, StartBuild never called. */
  const approvedThenKilled = async (review: StoredMessage) => {
    const record = await current(review);
    const gate = await transition(bot.store, record.id, (r) => approve(r, APPROVER, env, bot.clock));
    expect(gate).toMatchObject({ ok: true, starts: true });
  };

  it('recognises a lost answer on open → starting as the approver’s own write: the build starts, nobody hears "Nothing changed"', async () => {
    const review = await bot.request();
    bot.faults.fail('drop-answer', { operation: 'PutItem', containing: '{"S":"starting"}' });
    await bot.click('deploybot_approve', APPROVER);
    expect(bot.faults.faulted).toEqual([{ operation: 'PutItem', fault: 'drop-answer' }]);
    const record = await current(review);
    expect(record.state).toBe('started');
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
    expect(bot.ephemeralsTo(APPROVER).join('\n')).not.toContain('Nothing changed');
  });

  it('finishes a start killed after open → starting, once, with the same idempotency token', async () => {
    const review = await bot.request();
    await approvedThenKilled(review);
    await bot.reconcile();
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0); // not stale yet: a handler may still be starting it
    later();
    await bot.reconcile();
    later();
    await bot.reconcile();
    const record = await current(review);
    expect(record.state).toBe('started');
    expect(buildsOf(record.id)).toHaveLength(1);
    expect(bot.aws.callsOf('StartBuild').map((c) => c.idempotencyToken)).toEqual([record.id]);
    expect(blockText(shown(review))).toContain('deploybot_stop');
    expect(bot.threadReplies(review).some((m) => m.text?.includes('started, pinned to the approved plan'))).toBe(true);
  });

  it('adopts the build of a stalled start however many newer builds the project ran since', async () => {
    const review = await bot.request();
    await approvedThenKilled(review);
    const record = await current(review);
    const ours = bot.aws.addRunningBuild(env.codebuildProject, { DEPLOYBOT_REQUEST_ID: record.id });
    for (let i = 0; i < 120; i++) {
      bot.clock += 1000;
      bot.aws.finishBuild(bot.aws.addRunningBuild(env.codebuildProject).id, 'SUCCEEDED');
    }
    later();
    await bot.reconcile();
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect((await current(review)).build?.id).toBe(ours.id);
  });

  it('does not start an approval that expired while its start was stalled; says so; the lock is freed', async () => {
    const review = await bot.request();
    await approvedThenKilled(review);
    bot.clock += 31 * 60_000;
    for (let i = 0; i < 3; i++) {
      await bot.reconcile();
      later();
    }
    const record = await current(review);
    expect(bot.aws.callsOf('StartBuild')).toHaveLength(0);
    expect(record.state).toBe('expired');
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect(blockText(shown(review))).not.toContain('deploybot_approve');
    expect(bot.threadReplies(review).some((m) => m.text?.includes('the approval has expired'))).toBe(true);
  });

  it('records a build CodeBuild no longer knows as lost, tells the thread, and frees the environment', async () => {
    const review = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    const record = await current(review);
    if (!record.build) throw new Error('no build');
    bot.aws.forgetBuild(record.build.id);
    later();
    await bot.reconcile();
    const after = await current(review);
    expect(after.state).toBe('lost');
    expect(after.settledAt).toBeDefined();
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect(blockText(shown(review))).not.toContain('deploybot_stop');
    expect(blockText(shown(review))).toContain('no longer known to CodeBuild');
    expect(bot.threadReplies(review).filter((m) => m.text?.includes('no longer known to CodeBuild'))).toHaveLength(1);
  });

  it('ends a build whose events were all lost, even when newer builds exist, with one result reply', async () => {
    const review = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    const record = await current(review);
    if (!record.build) throw new Error('no build');
    bot.aws.finishBuild(record.build.id, 'FAILED');
    bot.clock += 1000;
    bot.aws.addRunningBuild(env.codebuildProject);
    later();
    await bot.reconcile();
    later();
    await bot.reconcile();
    const after = await current(review);
    expect(after.state).toBe('failed');
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect(bot.threadReplies(review).filter((m) => m.metadata?.event_type === 'deploybot_build_result')).toHaveLength(1);
    expect(blockText(shown(review))).toContain('FAILED');
    expect(blockText(shown(review))).not.toContain('deploybot_stop');
  });

  it('frees the lock of an ended request whose lock delete was throttled away', async () => {
    const review = await bot.request();
    await bot.click('deploybot_approve', APPROVER);
    const record = await current(review);
    if (!record.build) throw new Error('no build');
    bot.aws.finishBuild(record.build.id, 'SUCCEEDED');
    // Both of the SDK's attempts throttled: the report goes on, the lock stays.
    bot.faults.fail('throttle', { operation: 'DeleteItem', count: 2 });
    await reportBuildById(record.build.id, 'us-east-1', bot.reconcilerDeps());
    expect((await current(review)).state).toBe('succeeded');
    expect((await bot.store.readLock('prod'))?.requestId).toBe(record.id);
    later();
    await bot.reconcile();
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect((await current(review)).settledAt).toBeDefined();
  });

  it('withdraws a request whose review was posted but never recorded: the message says nothing will run', async () => {
    bot.faults.fail('throttle', { operation: 'PutItem', count: 4, containing: 'posted the review' });
    await bot.request().catch(() => undefined);
    const review = bot.reviewMessage();
    if (!review) throw new Error('no review posted');
    expect((await current(review)).messageTs).toBeUndefined();
    later();
    await bot.reconcile();
    const record = await current(review);
    expect(record.state).toBe('cancelled');
    expect(blockText(shown(review))).toContain('could not be recorded; nothing will run');
    expect(blockText(shown(review))).not.toContain('deploybot_approve');
    expect(await bot.store.readLock('prod')).toBeUndefined();
  });

  it('re-renders a message that shows an older version than its record', async () => {
    const review = await bot.request();
    const refused = { status: 200, body: { ok: false, error: 'service_unavailable' } };
    // The click's two renderings and its own reconcile all refused (three tries each).
    bot.slack.script('chat.update', ...Array.from({ length: 9 }, () => refused));
    await bot.click('deploybot_approve', APPROVER);
    expect(blockText(shown(review))).toContain('deploybot_approve');
    const record = await current(review);
    expect(record.thread.shownVersion ?? 0).toBeLessThan(record.viewVersion ?? record.version);
    later();
    await bot.reconcile();
    expect(blockText(shown(review))).toContain('deploybot_stop');
    expect(shown(review)?.metadata?.event_payload?.version).toBe((await current(review)).viewVersion);
  });

  it('expires an open request nobody acted on, re-renders it, and frees the lock', async () => {
    const review = await bot.request();
    bot.clock += 31 * 60_000;
    await bot.reconcile();
    const record = await current(review);
    expect(record.state).toBe('expired');
    expect(blockText(shown(review))).toContain('Expired');
    expect(await bot.store.readLock('prod')).toBeUndefined();
    expect(record.settledAt).toBeDefined();
  });

  it('frees a lock whose request was never stored', async () => {
    await bot.store.acquireLock(
      { env: 'prod', requestId: 'gone', holder: 'U0REQUESTER', kind: 'migrate', expiresAt: bot.clock + 1_800_000, takenAt: bot.clock },
      bot.clock,
    );
    await bot.reconcile();
    expect((await bot.store.readLock('prod'))?.requestId).toBe('gone');
    later();
    expect(await bot.reconcile()).toMatchObject({ locksFreed: 1 });
    expect(await bot.store.readLock('prod')).toBeUndefined();
  });
});
