import type { DeferredJob, DeferredWork } from '../bot/jobs/deferred.ts';

// `npm run dev` has no second invocation to hand a job to, so the job runs in the background of
// the same process; only the composition root (./compose-slack.ts) builds one, on Lambda it
// builds ./lambda-self-invoke.ts instead.

export type JobRunner = (job: DeferredJob) => Promise<void>;

/** Local (`npm run dev`): the job runs in this process, after the listener has answered. */
export class InProcessWork implements DeferredWork {
  #runner?: JobRunner;

  attach(runner: JobRunner): void {
    this.#runner = runner;
  }

  defer(job: DeferredJob): Promise<void> {
    const runner = this.#runner;
    if (!runner) return Promise.reject(new Error('no job runner attached'));
    // setImmediate: the HTTP reply goes out before the job takes the event loop. runJob reports
    // its own failures to the person, so nothing is left to await here.
    setImmediate(() => void runner(job));
    return Promise.resolve();
  }
}
