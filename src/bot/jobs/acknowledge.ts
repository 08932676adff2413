import { updateRequestMessage } from '../../request-message/update.ts';
import { acknowledge } from '../../requests/decisions.ts';
import { transition } from '../../requests/transition.ts';
import { escapeMrkdwn, mention } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import { refreshAnnouncement } from '../break-glass.ts';
import { tell, threadReply } from '../notify.ts';
import type { DeferredJob } from './deferred.ts';

/**
 * An approver acknowledges a break-glass run, from its review, its announcement in the security
 * channel or a reminder: the record decides (src/requests/decisions.ts), and the review, its
 * thread and the announcement then say who did.
 */
export async function acknowledgeBreakGlass(ctx: BotContext, job: Extract<DeferredJob, { type: 'acknowledge' }>): Promise<void> {
  const record = await ctx.store.get(job.requestId);
  if (!record) return tell(ctx, job.to, ':no_entry: This request is not in the request store. Nothing changed.');
  const env = ctx.config.environments[record.env];
  if (!env) return tell(ctx, job.to, `:no_entry: Environment ${escapeMrkdwn(record.env)} is no longer configured. Nothing changed.`);
  const places = [record.channel, ...(record.breakGlass ? [record.breakGlass.securityChannel] : [])];
  if (!places.includes(job.to.channel))
    return tell(ctx, job.to, `:no_entry: This request is acknowledged in <#${record.channel}>, where its review is. Nothing changed.`);
  const done = await transition(ctx.store, record.id, (r) => acknowledge(r, job.to.user, env, ctx.now()));
  if (!done.ok) return tell(ctx, job.to, `:no_entry: ${done.reason} Nothing changed.`);
  ctx.log.info('break-glass acknowledged', { requestId: record.id, by: job.to.user });
  await updateRequestMessage(ctx, done.record);
  await threadReply(ctx, done.record, `:white_check_mark: ${mention(job.to.user)} acknowledged this break-glass run.`);
  await refreshAnnouncement(ctx, done.record);
}
