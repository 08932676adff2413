import type { BotContext } from '../bot-context.ts';
import type { DeferredJob } from '../jobs/deferred.ts';
import { tell } from '../notify.ts';

/**
 * After the acknowledgement: hand the slow part to the asynchronous invocation. If even that
 * fails, the person hears it now rather than waiting for a reply that will never come.
 */
export async function handOver(ctx: BotContext, job: DeferredJob): Promise<boolean> {
  try {
    await ctx.work.defer(job);
    return true;
  } catch (error) {
    ctx.log.error('work could not be handed over', { job: job.type, error });
    await tell(
      ctx,
      job.to,
      `:x: The bot could not start working on that (${(error as Error).message}). Nothing changed; try again in a moment.`,
    );
    return false;
  }
}
