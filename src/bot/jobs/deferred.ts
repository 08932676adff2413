import type { RequestKind } from '../../requests/record.ts';
import type { RequestModalState } from '../views/request-modal.ts';

// Slack wants an answer within 3 seconds; reading a database, reviewing SQL, starting a build
// and posting to Slack may take longer, and any of them may hang. So a listener acknowledges
// at once and hands the slow part over as a job: on Lambda, an asynchronous invocation of the
// same function (InvocationType Event), as bolt-python's lazy listeners do, sealed in a signed
// envelope (./job-envelope.ts); in `npm run dev`, a promise in the background of the same process.

/** Where to tell the person who clicked or typed, when something fails or is refused. */
export interface Audience {
  user: string;
  channel: string;
  /** Slack's response_url of a slash command: works even where the bot is not a member. */
  responseUrl?: string;
}

export type DeferredJob =
  // The listener opened the modal (its trigger id lives 3 s); the job fills it in by view id.
  | { type: 'open-form'; kind: RequestKind; env: string; viewId: string; to: Audience }
  | { type: 'submit'; form: RequestModalState; reason: string; confirmation: string; clean: boolean; to: Audience }
  /** messageTs: the message the button was clicked on (Slack's container.message_ts). */
  | { type: 'approve' | 'cancel' | 'stop'; requestId: string; to: Audience; messageTs?: string }
  | { type: 'open-reject-form'; requestId: string; viewId: string; to: Audience }
  | { type: 'reject'; requestId: string; reason: string; to: Audience }
  | { type: 'status' | 'history'; env?: string; to: Audience };

export interface DeferredWork {
  /** Hands the job over; rejects if it could not be handed over (the person must be told). */
  defer(job: DeferredJob): Promise<void>;
}

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
