import type { RequestKind } from '../../requests/record.ts';
import type { RequestModalState } from '../views/request-modal.ts';

// Slack wants an answer within 3 seconds; reading a database, reviewing SQL, starting a build
// and posting to Slack may take longer, and any of them may hang. So a listener acknowledges
// at once and hands the slow part over as a job: on Lambda, an asynchronous invocation of the
// same function (InvocationType Event), as bolt-python's lazy listeners do, sealed in a signed
// envelope (./job-envelope.ts); in `npm run dev`, a promise in the background of the same process.
// Only the composition roots choose and construct one (src/handlers/lambda-self-invoke.ts,
// src/handlers/in-process-work.ts); the bot sees the DeferredWork interface alone.

/** Where to tell the person who clicked or typed, when something fails or is refused. */
export interface Audience {
  user: string;
  channel: string;
  /** Slack's response_url of a slash command: works even where the bot is not a member. */
  responseUrl?: string;
}

export type DeferredJob =
  // The listener opened the modal (its trigger id lives 3 s); the job fills it in by view id.
  | { type: 'open-form'; kind: RequestKind; env: string; viewId: string; to: Audience; breakGlass?: true }
  | { type: 'submit'; form: RequestModalState; reason: string; confirmation: string; clean: boolean; to: Audience }
  /** messageTs: the message the button was clicked on (Slack's container.message_ts). */
  | { type: 'approve' | 'cancel' | 'stop'; requestId: string; to: Audience; messageTs?: string }
  | { type: 'acknowledge'; requestId: string; to: Audience }
  | { type: 'open-reject-form'; requestId: string; viewId: string; to: Audience }
  | { type: 'reject'; requestId: string; reason: string; to: Audience }
  | { type: 'status' | 'history'; env?: string; to: Audience };

export interface DeferredWork {
  /** Hands the job over; rejects if it could not be handed over (the person must be told). */
  defer(job: DeferredJob): Promise<void>;
}
