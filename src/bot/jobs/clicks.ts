import { describeAwsError } from '../../aws/lazy-sdk.ts';
import { channelRefusal, type EnvironmentConfig } from '../../config.ts';
import { updateRequestMessage } from '../../request-message/update.ts';
import { approve, cancel, expire, posted, reject, stopRequested } from '../../requests/decisions.ts';
import { currentState, type RequestRecord } from '../../requests/record.ts';
import { transition } from '../../requests/transition.ts';
import { escapeMrkdwn, mention, subteam } from '../../slack/mrkdwn.ts';
import { groupMembers } from '../../slack/user-groups.ts';
import type { BotContext } from '../bot-context.ts';
import { slackCall, slackError, tell, threadReply } from '../notify.ts';
import { startRequestBuild } from '../start-build.ts';
import { rejectModal, rejectRefusedModal } from '../views/reject-modal.ts';
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
  if (record) await recordExpiry(ctx, record);
}

async function recordExpiry(ctx: BotContext, record: RequestRecord): Promise<void> {
  if (record.state === 'open' && currentState(record, ctx.now()) === 'expired') {
    const expired = await transition(ctx.store, record.id, (r) => expire(r, ctx.now()));
    if (expired.ok) {
      await ctx.store.releaseLock(record.env, record.id).catch(() => {});
      await updateRequestMessage(ctx, expired.record);
    }
  }
}

/**
 * An approval must be shown on the review the record names. A record that never got its review's
 * ts (the write after the post was throttled, or the invocation died) adopts the ts of the message
 * clicked, with a conditional write, when the click comes from the record's channel: that message
 * is the review, since only it carries this request's signed buttons there.
 */
async function recordedReview(ctx: BotContext, record: RequestRecord, job: Click): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (record.messageTs) {
    if (job.type === 'approve' && job.messageTs && job.messageTs !== record.messageTs)
      return { ok: false, reason: "This message is not the request's recorded review; approve it on the review in the channel." };
    return { ok: true };
  }
  const ts = job.messageTs;
  if (!ts || job.to.channel !== record.channel)
    return {
      ok: false,
      reason: `This request's review message was never recorded, and this click did not come from its channel <#${record.channel}>.`,
    };
  const adopted = await transition(ctx.store, record.id, (r) => posted(r, ts, ctx.now()));
  if (adopted.ok || adopted.record?.messageTs === ts) {
    ctx.log.info('review ts adopted from a click', { requestId: record.id, ts });
    return { ok: true };
  }
  return { ok: false, reason: "This request's review message could not be recorded; try again in a moment." };
}

export async function handleClick(ctx: BotContext, job: Click): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  if (!record) return tell(ctx, job.to, ':no_entry: This request is not in the request store. Nothing changed.');
  const review = await recordedReview(ctx, record, job);
  // Only an approval needs the review recorded; a cancel or a stop is safe without it.
  if (!review.ok && job.type === 'approve') return refuse(ctx, job.to, review.reason, record);
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
      // Membership is read before the write: approve() stays a pure decision on the record.
      let inGroup: boolean | undefined;
      const group = record.approvalRule?.oneOf;
      if (group) {
        const read = await groupMembers(ctx.slack, group, now);
        if (!read.ok)
          return refuse(
            ctx,
            job.to,
            `Slack did not say who is in ${subteam(group)} (${escapeMrkdwn(read.reason)}), which this request's rule needs; try again.`,
          );
        inGroup = read.users.has(job.to.user);
      }
      const approved = await transition(ctx.store, record.id, (r) => approve(r, job.to.user, env, now, inGroup));
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

/**
 * The listener opened a loading form while the click's trigger id was fresh; the decision is read
 * from the record here, and the form becomes the reason field or says why it cannot be rejected.
 */
export async function openRejectForm(ctx: BotContext, job: Extract<DeferredJob, { type: 'open-reject-form' }>): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  const env = record ? ctx.config.environments[record.env] : undefined;
  const where = record && env ? placeRefusal(record, env, job.to.channel) : undefined;
  const check = record && env && !where ? reject(record, job.to.user, '-', env, ctx.now()) : undefined;
  const refusal =
    !record || !env ? 'This request is not in the request store.' : (where ?? (check && !check.ok ? check.reason : undefined));
  const view = check?.ok ? rejectModal({ requestId: job.requestId, channel: job.to.channel }) : rejectRefusedModal(refusal ?? '');
  try {
    await slackCall(ctx.slack.views.update({ view_id: job.viewId, view }), 'views.update');
  } catch (error) {
    ctx.log.warn('reject form could not be updated', { requestId: job.requestId, error: slackError(error) });
    if (check?.ok)
      await tell(ctx, job.to, `:x: The reject form could not be shown (${escapeMrkdwn(slackError(error))}). Click Reject again.`);
    else await tell(ctx, job.to, `:no_entry: ${refusal} Nothing changed.`);
  }
  if (record && check && !check.ok) await recordExpiry(ctx, record);
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
