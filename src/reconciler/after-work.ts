import type { BotContext } from '../bot/bot-context.ts';
import type { DeferredJob } from '../bot/jobs/deferred.ts';
import { type ReconcilerDeps, reconcileRequest } from './reconcile-requests.ts';

// Every job and build event ends by reconciling its own request: whatever its handler left
// half done (a lock not freed, a result not posted, a message not re-rendered) is finished
// now, not a minute later. The composition roots (src/handlers/) wire this in.

/** The reconciler's needs, from the bot's context (the same clients, store and clock). */
export function reconcilerDeps(ctx: BotContext, intervalMs: number): ReconcilerDeps {
  const { codeBuild, logs, slack, store, config, actionKey, log, now } = ctx;
  return { codeBuild, logs, slack, store, config, actionKey, log, now, intervalMs, claimStaleMs: 2 * intervalMs };
}

export function jobRequestId(job: DeferredJob): string | undefined {
  return 'requestId' in job ? job.requestId : undefined;
}

/** Runs the job, then reconciles the request it acted on. Never throws: the schedule retries. */
export async function runJobThenReconcile(run: (job: DeferredJob) => Promise<void>, deps: ReconcilerDeps, job: DeferredJob): Promise<void> {
  await run(job);
  const id = jobRequestId(job);
  if (!id) return;
  await reconcileRequest(deps, id).catch((error: unknown) => deps.log.warn('reconcile after job failed', { requestId: id, error }));
}
