import { describeAwsError } from '../../aws/lazy-sdk.ts';
import { channelRefusal, type EnvironmentConfig } from '../../config.ts';
import { approve, cancel, expire, reject, stopRequested } from '../../requests/decisions.ts';
import { currentState, type RequestRecord } from '../../requests/record.ts';
import { transition } from '../../requests/transition.ts';
import { escapeMrkdwn, mention } from '../../slack/mrkdwn.ts';
import { updateRequestMessage } from '../../slack/request-view.ts';
import type { BotContext } from '../bot-context.ts';
import { slackCall, slackError, tell, threadReply } from '../notify.ts';
import { startRequestBuild } from '../start-build.ts';
import { rejectModal } from '../views/reject-modal.ts';
import type { Audience, DeferredJob } from './deferred.ts';

type Click = Extract<DeferredJob, { type: 'approve' | 'cancel' | 'stop' }>;

/**
 * Where a click may act is read from the record and the config, never from the job alone: in
 * the channel of the request's own review, while that channel is still one of its environment's.
 * The job's user is Slack's (the signed request the listener verified) and serves as identity;
 * what that user may do is decided from the record in src/requests/decisions.ts.
 */
function placeRefusal(record: RequestRecord, env: EnvironmentConfig, channel: string): string | undefined {
  if (channel !== record.channel) return `This request is decided in <#${record.channel}>, where its review is.`;
  return channelRefusal(record.env, env, channel);
}

/** A refusal changes nothing and says why; an open request found expired is written down so. */
async function refuse(ctx: BotContext, to: Audience, reason: string, record?: RequestRecord): Promise<void> {
  await tell(ctx, to, `:no_entry: ${reason} Nothing changed.`);
  if (record && record.state === 'open' && currentState(record, ctx.now()) === 'expired') {
    const expired = await transition(ctx.store, record.id, (r) => expire(r, ctx.now()));
    if (expired.ok) {
      await ctx.store.releaseLock(record.env, record.id).catch(() => {});
      await updateRequestMessage(ctx, expired.record);
    }
  }
}

export async function handleClick(ctx: BotContext, job: Click): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  if (!record) return tell(ctx, job.to, ':no_entry: This request is not in the request store. Nothing changed.');
  const env = ctx.config.environments[record.env];
  if (!env)
    return refuse(ctx, job.to, `Environment ${escapeMrkdwn(record.env)} is no longer configured; nothing can run from this request.`);
  const where = placeRefusal(record, env, job.to.channel);
  if (where) return refuse(ctx, job.to, where);
  const now = ctx.now();
  switch (job.type) {
    case 'approve': {
      if (record.kind === 'seed' && !env.seed.allowed) {
        return refuse(ctx, job.to, `Seeding ${escapeMrkdwn(record.env)} has been turned off since this request was posted.`);
      }
      const approved = await transition(ctx.store, record.id, (r) => approve(r, job.to.user, env, now));
      if (!approved.ok) return refuse(ctx, job.to, approved.reason, approved.record);
      ctx.log.info('approval recorded', { requestId: record.id, approver: job.to.user, starts: approved.starts });
      if (!approved.starts) {
        await updateRequestMessage(ctx, approved.record);
        return;
      }
      await updateRequestMessage(ctx, approved.record);
      await startRequestBuild(ctx, approved.record, env);
      return;
    }
    case 'cancel': {
      const cancelled = await transition(ctx.store, record.id, (r) => cancel(r, job.to.user, now));
      if (!cancelled.ok) return refuse(ctx, job.to, cancelled.reason, cancelled.record);
      await ctx.store.releaseLock(record.env, record.id).catch(() => {});
      ctx.log.info('request cancelled', { requestId: record.id });
      await updateRequestMessage(ctx, cancelled.record);
      return;
    }
    case 'stop': {
      const check = stopRequested(record, job.to.user, env, now);
      if (!check.ok || !record.build) return refuse(ctx, job.to, check.ok ? 'There is no running build to stop.' : check.reason);
      const stopped = await ctx.codeBuild.stopBuild(record.build.id, record.build.region).catch((error: unknown) => ({
        ok: false as const,
        reason: describeAwsError(error),
      }));
      if (!stopped.ok) return tell(ctx, job.to, `:x: CodeBuild did not stop the build: ${escapeMrkdwn(stopped.reason)}`);
      const recorded = await transition(ctx.store, record.id, (r) => stopRequested(r, job.to.user, env, ctx.now()));
      if (recorded.ok) {
        await updateRequestMessage(ctx, recorded.record);
        await threadReply(ctx, recorded.record, `:black_square_for_stop: ${mention(job.to.user)} asked CodeBuild to stop the build.`);
      }
      return;
    }
  }
}

/** Reject opens a form for the reason; the decision is checked first so a doomed form never opens. */
export async function openRejectForm(ctx: BotContext, job: Extract<DeferredJob, { type: 'open-reject-form' }>): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  const env = record ? ctx.config.environments[record.env] : undefined;
  if (!record || !env) return tell(ctx, job.to, ':no_entry: This request is not in the request store. Nothing changed.');
  const where = placeRefusal(record, env, job.to.channel);
  if (where) return refuse(ctx, job.to, where);
  const check = reject(record, job.to.user, '-', env, ctx.now());
  if (!check.ok) return refuse(ctx, job.to, check.reason, record);
  try {
    await slackCall(
      ctx.slack.views.open({ trigger_id: job.triggerId, view: rejectModal({ requestId: record.id, channel: job.to.channel }) }),
      'views.open',
    );
  } catch (error) {
    await tell(ctx, job.to, `:x: The reject form could not be opened (${escapeMrkdwn(slackError(error))}). Click Reject again.`);
  }
}

export async function rejectRequest(ctx: BotContext, job: Extract<DeferredJob, { type: 'reject' }>): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  const env = record ? ctx.config.environments[record.env] : undefined;
  if (!record || !env) return tell(ctx, job.to, ':no_entry: This request is not in the request store. Nothing changed.');
  const where = placeRefusal(record, env, job.to.channel);
  if (where) return refuse(ctx, job.to, where);
  const rejected = await transition(ctx.store, record.id, (r) => reject(r, job.to.user, job.reason, env, ctx.now()));
  if (!rejected.ok) return refuse(ctx, job.to, rejected.reason, rejected.record);
  await ctx.store.releaseLock(record.env, record.id).catch(() => {});
  ctx.log.info('request rejected', { requestId: record.id, by: job.to.user });
  await updateRequestMessage(ctx, rejected.record);
  await threadReply(
    ctx,
    rejected.record,
    `:no_entry: ${mention(job.to.user)} rejected this: ${escapeMrkdwn(job.reason)}\n${mention(record.requestedBy)}, nothing ran.`,
  );
}
