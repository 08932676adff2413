import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/requests/record.ts';
import { reportBuildById } from '../../src/status/build-reporter.ts';
import { APPROVER, BotHarness, blockText } from '../support/bot-harness.ts';

// Whole flows (request, approve, build, its end reported) with a share of every DynamoDB call
// throttled at random, as a busy on-demand table does. Whatever broke half way, once the faults
// end and the reconciler has run, every flow is in the truth: at most one build per request,
// the record's outcome is CodeBuild's, the lock is free, the message shows the end with no live
// button, and a build that ran has its result reply.

const OUTCOME: Record<string, RequestRecord['state']> = { SUCCEEDED: 'succeeded', FAILED: 'failed', STOPPED: 'stopped' };

/** A seeded generator: a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

for (const rate of [0.2, 0.4]) {
  describe(`${rate * 100}% of DynamoDB calls throttled, over 20 whole flows`, () => {
    const bot = new BotHarness();
    beforeAll(async () => {
      await bot.start();
      bot.reconcileMs = 1000;
    });
    afterAll(() => bot.stop());

    it('every flow converges once the reconciler has run', async () => {
      const random = seeded(rate * 1000 + 7);
      const reviews = () => bot.slack.messages.filter((m) => !m.thread_ts && m.metadata?.event_type === 'deploybot_request');
      let faultedCalls = 0;
      for (let flow = 0; flow < 20; flow++) {
        const seen = reviews().length;
        bot.faults.randomly('throttle', rate, random);
        await bot.request().catch(() => undefined);
        const review = reviews().length > seen ? reviews().at(-1) : undefined;
        if (review) await bot.click('deploybot_approve', APPROVER, review).catch(() => undefined);
        for (const build of bot.aws.builds.filter((b) => b.buildStatus === 'IN_PROGRESS')) {
          bot.aws.finishBuild(build.id, flow % 3 === 0 ? 'FAILED' : 'SUCCEEDED');
          await reportBuildById(build.id, 'us-east-1', bot.reconcilerDeps()).catch(() => undefined);
        }
        faultedCalls += bot.faults.faulted.length;
        bot.faults.faulted.length = 0;
        bot.faults.clear();

        // The faults are over: the schedule runs, builds a resumed start began end, time passes.
        for (let run = 0; run < 3; run++) {
          bot.clock += 2500;
          await bot.reconcile();
        }
        for (const build of bot.aws.builds.filter((b) => b.buildStatus === 'IN_PROGRESS')) bot.aws.finishBuild(build.id, 'SUCCEEDED');
        bot.clock += 31 * 60_000;
        for (let run = 0; run < 3; run++) {
          bot.clock += 2500;
          await bot.reconcile();
        }

        const records = await bot.store.recent('prod', 100);
        for (const record of records) {
          const label = `flow ${flow}, request ${record.id} (${record.state})`;
          const builds = bot.aws.builds.filter((b) => b.environment.environmentVariables.some((v) => v.value === record.id));
          expect(builds.length, label).toBeLessThanOrEqual(1);
          const build = builds[0];
          if (build) {
            expect(record.build?.id, label).toBe(build.id);
            expect(record.state, label).toBe(OUTCOME[build.buildStatus]);
            expect(record.thread.resultTs, label).toBeDefined();
          } else {
            expect(['cancelled', 'expired', 'rejected'], label).toContain(record.state);
          }
          expect(record.settledAt, label).toBeDefined();
          const shown = bot.slack.messages.find((m) => m.ts === record.messageTs);
          if (shown) {
            expect(blockText(shown), label).not.toContain('deploybot_approve');
            expect(blockText(shown), label).not.toContain('deploybot_stop');
          }
        }
        expect(await bot.store.readLock('prod'), `flow ${flow}`).toBeUndefined();
      }
      // The faults were real: a share of calls was throttled.
      expect(faultedCalls).toBeGreaterThan(10);
    }, 300_000);
  });
}
