import { currentState } from '../../requests/record.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import type { DeferredJob } from '../deferred.ts';
import { tell } from '../notify.ts';
import { handleClick, openRejectForm, rejectRequest } from './clicks.ts';
import { openRequestForm, submitRequest } from './request-form.ts';
import { historyReply, statusReply } from './status.ts';

/** The slow half of every listener. A failure is told to the person, never swallowed. */
export async function runJob(ctx: BotContext, job: DeferredJob): Promise<void> {
  try {
    switch (job.type) {
      case 'open-form':
        return await openRequestForm(ctx, job);
      case 'submit':
        return await submitRequest(ctx, job);
      case 'approve':
      case 'cancel':
      case 'stop':
        return await handleClick(ctx, job);
      case 'open-reject-form':
        return await openRejectForm(ctx, job);
      case 'reject':
        return await rejectRequest(ctx, job);
      case 'status':
        return await statusReply(ctx, job);
      case 'history':
        return await historyReply(ctx, job);
    }
  } catch (error) {
    ctx.log.error('job failed', { job: job.type, error });
    await tell(
      ctx,
      job.to,
      `:x: Something failed while handling your \`${job.type}\`: ${escapeMrkdwn((error as Error).message)}. ${await standing(ctx, job)}`,
    );
  }
}

/**
 * What the record shows now, read after the failure: a failure may come after a write landed
 * (the approval counted, then StartBuild failed), so "nothing changed" is never assumed.
 */
async function standing(ctx: BotContext, job: DeferredJob): Promise<string> {
  if (!('requestId' in job)) return '';
  const record = await ctx.store.get(job.requestId).catch(() => undefined);
  if (!record) return 'The request record could not be read; the bot checks on the request again within a couple of minutes.';
  return `The request is now *${currentState(record, ctx.now())}*; the bot finishes whatever is left of it within a couple of minutes.`;
}
