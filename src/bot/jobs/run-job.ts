import { BUDGET, withDeadline } from '../../deadline.ts';
import { currentState } from '../../requests/record.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import { tell } from '../notify.ts';
import { acknowledgeBreakGlass } from './acknowledge.ts';
import { handleClick, openRejectForm, rejectRequest } from './clicks.ts';
import type { DeferredJob } from './deferred.ts';
import { isFirstDelivery, openJob, type SignedJob } from './job-envelope.ts';
import { openRequestForm, submitRequest } from './request-form.ts';
import { historyReply, statusReply } from './status.ts';

export type JobReceipt = { ok: true } | { ok: false; reason: string };

/**
 * The asynchronous invocation's entry: the envelope is opened (signature, age), its id recorded
 * once, and only then the job runs. A refused envelope does nothing at all: its audience came
 * from the envelope, which is exactly what is not trusted, and a replay must not even talk.
 */
export async function receiveJob(
  ctx: BotContext,
  event: SignedJob,
  run: (job: DeferredJob) => Promise<void> = (job) => runJob(ctx, job),
): Promise<JobReceipt> {
  const opened = openJob(event, ctx.actionKey, ctx.now());
  if (!opened.ok) {
    ctx.log.warn('deferred job refused', { reason: opened.reason });
    return opened;
  }
  let first: boolean;
  try {
    first = await withDeadline(isFirstDelivery(opened, ctx.store), BUDGET.dynamo, 'The request store');
  } catch (error) {
    ctx.log.error('deferred job not run: its id could not be recorded', { jobId: opened.id, job: opened.job.type, error });
    await tell(
      ctx,
      opened.job.to,
      `:x: The bot could not start working on your \`${opened.job.type}\` (the request store did not answer). Nothing changed; try again in a moment.`,
    );
    return { ok: false, reason: 'the job id could not be recorded' };
  }
  if (!first) {
    const reason = `job ${opened.id} already ran (a replay or a second delivery)`;
    ctx.log.warn('deferred job refused', { jobId: opened.id, job: opened.job.type, reason });
    return { ok: false, reason };
  }
  await run(opened.job);
  return { ok: true };
}

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
      case 'acknowledge':
        return await acknowledgeBreakGlass(ctx, job);
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
