import { describe, expect, it } from 'vitest';
import { buildEnded } from '../../src/requests/decisions.ts';
import { transition } from '../../src/requests/transition.ts';
import { APPROVER, APPROVER_2, BotHarness, blockText, findButton, REQUESTER, testConfig } from '../support/bot-harness.ts';
import { interactionBody, viewSubmissionPayload } from '../support/slack-requests.ts';

// Races fired for real: concurrent signed HTTP requests against one bot, its jobs running as
// the asynchronous invocations would, the request record in dynalite. Each scenario runs many
// times over; whatever order the writes land in, at most one build runs per request and the
// channel ends up saying what the record says.
const ROUNDS = 8;

async function withBot(run: (bot: BotHarness) => Promise<void>, config = testConfig()): Promise<void> {
  const bot = await new BotHarness().start(config);
  try {
    await run(bot);
  } finally {
    await bot.stop();
  }
}

/** The review message's state (what the channel shows) and the record's, after everything settled. */
async function finalStates(bot: BotHarness) {
  const record = await bot.record();
  return { shown: bot.reviewMessage()?.metadata?.event_payload.state, recorded: record?.state, record };
}

describe('concurrent clicks on one request', () => {
  it('cancel against approve: either the build runs and the cancel is refused, or nothing runs', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      await withBot(async (bot) => {
        const message = await bot.request();
        const order = round % 2 === 0 ? ['approve', 'cancel'] : ['cancel', 'approve'];
        await Promise.all(
          order.map((a) =>
            a === 'approve' ? bot.clickNow('deploybot_approve', APPROVER, message) : bot.clickNow('deploybot_cancel', REQUESTER, message),
          ),
        );
        await bot.settled();
        const { shown, recorded } = await finalStates(bot);
        expect(shown).toBe(recorded);
        outcomes.add(String(recorded));
        if (recorded === 'started') {
          expect(bot.aws.builds).toHaveLength(1);
          expect(blockText(bot.reviewMessage())).not.toContain('Cancelled');
          expect(bot.ephemeralsTo(REQUESTER).join('\n')).toMatch(/can no longer be cancelled|start is under way/);
        } else {
          expect(recorded).toBe('cancelled');
          expect(bot.aws.builds).toHaveLength(0);
          expect(bot.ephemeralsTo(APPROVER).join('\n')).toContain('This request was cancelled');
        }
      });
    }
    expect([...outcomes].every((o) => o === 'started' || o === 'cancelled')).toBe(true);
  }, 120_000);

  it('reject against approve: never "rejected" while a build runs', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await withBot(async (bot) => {
        const message = await bot.request();
        await bot.click('deploybot_reject', APPROVER_2, message);
        const modal = bot.currentModal();
        const submitReject = bot.post(
          interactionBody(
            viewSubmissionPayload({
              userId: APPROVER_2,
              view: modal,
              values: { reason: { value: { type: 'plain_text_input', value: 'Not during the sale' } } },
            }),
          ),
        );
        await Promise.all([submitReject, bot.clickNow('deploybot_approve', APPROVER, message)]);
        await bot.settled();
        const { shown, recorded } = await finalStates(bot);
        expect(shown).toBe(recorded);
        expect(['started', 'rejected']).toContain(recorded);
        expect(bot.aws.builds).toHaveLength(recorded === 'started' ? 1 : 0);
        if (recorded === 'started') expect(blockText(bot.reviewMessage())).not.toContain('Rejected');
      });
    }
  }, 120_000);

  it('two approvers at once with approvalsRequired 2: both approvals count, one build starts', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await withBot(
        async (bot) => {
          const message = await bot.request();
          await Promise.all([bot.clickNow('deploybot_approve', APPROVER, message), bot.clickNow('deploybot_approve', APPROVER_2, message)]);
          await bot.settled();
          const { shown, record } = await finalStates(bot);
          expect(record?.approvals.map((a) => a.user).sort()).toEqual([APPROVER, APPROVER_2].sort());
          expect(record?.state).toBe('started');
          expect(shown).toBe('started');
          expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
          const vars = (bot.aws.callsOf('StartBuild')[0]?.environmentVariablesOverride ?? []) as { name: string; value: string }[];
          expect(
            vars
              .find((v) => v.name === 'APPROVED_BY')
              ?.value.split(',')
              .sort(),
          ).toEqual([APPROVER, APPROVER_2].sort());
        },
        testConfig({ prod: { approvalsRequired: 2 } }),
      );
    }
  }, 120_000);
});

describe('stale and replayed clicks', () => {
  it('a replayed Approve after the build finished changes nothing and says why', async () => {
    await withBot(async (bot) => {
      const message = await bot.request();
      const originalButton = findButton(message, 'deploybot_approve');
      await bot.click('deploybot_approve', APPROVER, message);
      const build = bot.aws.builds[0];
      if (!build) throw new Error('no build');
      bot.aws.finishBuild(build.id, 'SUCCEEDED');
      await transition(bot.store, String(message.metadata?.event_payload.request_id), (r) =>
        buildEnded(r, { id: build.id, status: 'SUCCEEDED' }, bot.clock),
      );
      // The replay carries the button exactly as first posted (an old screen, a retried request).
      const calls = bot.slack.calls.length;
      await bot.clickNow('deploybot_approve', APPROVER_2, message, originalButton);
      await bot.settled();
      expect(bot.ephemeralsTo(APPROVER_2).at(-1)).toContain('This request already ran: build');
      expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
      // The only rendering is the reconciler's (after the job) bringing the message to the record.
      const updates = bot.slack.calls.slice(calls).filter((c) => c.method === 'chat.update');
      for (const update of updates) expect(JSON.stringify(update.args.blocks)).not.toContain('deploybot_approve');
      expect((await bot.record())?.state).toBe('succeeded');
    });
  });

  it('chat.update failing after StartBuild: the thread says the build started, and a click ten builds and six minutes later starts nothing', async () => {
    await withBot(async (bot) => {
      const message = await bot.request();
      const failure = { status: 200, body: { ok: false, error: 'internal_error' } };
      // The click's two renderings and the reconcile after the job, three tries each.
      bot.slack.script('chat.update', ...Array.from({ length: 9 }, () => failure));
      await bot.click('deploybot_approve', APPROVER, message);
      const record = await bot.record();
      expect(record?.state).toBe('started');
      // Slack still shows the Approve button; the thread says what the record says.
      expect(blockText(bot.reviewMessage())).toContain('deploybot_approve');
      const warning = bot
        .threadReplies(message)
        .filter((r) => r.text?.includes('could not be updated'))
        .at(-1);
      expect(warning?.text).toContain(`Build <`);
      expect(warning?.text).toContain(record?.build?.id ?? 'missing');

      // CodeBuild's idempotency window (5 minutes) has passed and 10 other builds were started.
      const ours = bot.aws.builds[0];
      if (!ours) throw new Error('no build');
      bot.aws.finishBuild(ours.id, 'SUCCEEDED');
      for (let i = 0; i < 10; i++) bot.aws.finishBuild(bot.aws.addRunningBuild('daadaar-migrations').id, 'SUCCEEDED');
      bot.clock += 6 * 60_000;
      await bot.click('deploybot_approve', APPROVER_2, message);
      expect(bot.aws.callsOf('StartBuild')).toHaveLength(1);
      expect(bot.aws.builds).toHaveLength(11);
      expect(bot.aws.builds.filter((b) => b.environment.environmentVariables.some((v) => v.value === record?.id))).toHaveLength(1);
      expect(bot.ephemeralsTo(APPROVER_2).at(-1)).toMatch(/is running|already ran/);
    });
  });

  it('one open request per environment: a second request says whose, and until when; expiry frees it', async () => {
    await withBot(async (bot) => {
      await bot.request();
      await bot.command('migrate prod', APPROVER);
      expect(JSON.stringify(bot.currentModal())).toContain("<@U0REQUESTER>'s migrate request for `prod` is open until <!date^");
      bot.clock += 31 * 60_000;
      await bot.command('migrate prod', APPROVER);
      expect(bot.currentModal().callback_id).toBe('deploybot_request');
    });
  });
});
