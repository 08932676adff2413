import { randomUUID } from 'node:crypto';
import { signToken, verifyToken } from '../../signed-token.ts';
import type { DeferredJob } from './deferred.ts';

// The payload of the asynchronous self-invocation. Whoever may invoke the function can send one
// (another principal of the account, a console test event, Lambda's own retry, someone who copied
// a payload out of a log), so the job travels sealed: the job, when it was sealed and a unique id,
// all under one MAC (src/signed-token.ts). The receiving invocation refuses an envelope that is
// unsigned or altered, older than MAX_JOB_AGE_MS, or whose id was run before. "Run before" is
// recorded in the request table with a conditional write, so every Lambda instance sees it.
// The signature proves the bot sealed the job; what the job may do is still decided from the
// request record and the config when it runs (src/bot/jobs/clicks.ts, request-form.ts, status.ts).

const LABEL = 'job1';

/**
 * A job is the slow half of a click or command answered seconds ago: Lambda's queue hands it
 * over in well under a second, so five minutes is slack, not a schedule. Anything older is a
 * replay or a delivery nobody waits for any more; serverless/serverless.yml lets Lambda drop it
 * too (maximumEventAge) and turns off its retries, which this check would refuse as seen anyway.
 * The same window Slack's signed requests get (src/http/slack-receiver.ts).
 */
export const MAX_JOB_AGE_MS = 5 * 60_000;
/** Lambda hosts keep time with the Amazon Time Sync Service: more skew than this is not a clock. */
const MAX_CLOCK_SKEW_MS = 30_000;

export interface SignedJob {
  deploybotJob: unknown;
}

interface Sealed {
  id: string;
  at: number;
  job: DeferredJob;
}

export function sealJob(job: DeferredJob, key: Buffer, now: number, id: string = randomUUID()): SignedJob {
  const sealed: Sealed = { id, at: now, job };
  return { deploybotJob: signToken(LABEL, sealed, key) };
}

/** Whether an invocation is meant as a job (then it is a job or refused, never handed to the HTTP adapter). */
export function isSignedJob(event: unknown): event is SignedJob {
  return typeof event === 'object' && event !== null && 'deploybotJob' in event;
}

export type OpenedJob = { ok: true; id: string; at: number; job: DeferredJob } | { ok: false; reason: string };

const PROBLEM = {
  unsigned: 'it is not an envelope this bot sealed',
  altered: 'its signature does not match (altered, or sealed by another deployment)',
  unreadable: 'it could not be read',
} as const;

/** Signature and age: what can be decided without I/O. */
export function openJob(event: SignedJob, key: Buffer, now: number): OpenedJob {
  const verified = verifyToken(LABEL, event.deploybotJob, key);
  if (!verified.ok) return { ok: false, reason: PROBLEM[verified.problem] };
  const sealed = verified.payload as Partial<Sealed> | null;
  const job = sealed?.job as Partial<DeferredJob> | undefined;
  if (
    typeof sealed?.id !== 'string' ||
    typeof sealed.at !== 'number' ||
    typeof job?.type !== 'string' ||
    typeof job.to?.user !== 'string' ||
    typeof job.to.channel !== 'string'
  )
    return { ok: false, reason: PROBLEM.unreadable };
  const age = now - sealed.at;
  if (age > MAX_JOB_AGE_MS)
    return { ok: false, reason: `it was sealed ${Math.round(age / 1000)} s ago; a job lives ${MAX_JOB_AGE_MS / 1000} s` };
  if (age < -MAX_CLOCK_SKEW_MS) return { ok: false, reason: `it was sealed ${Math.round(-age / 1000)} s in the future` };
  return { ok: true, id: sealed.id, at: sealed.at, job: sealed.job as DeferredJob };
}

/** Where the ids of jobs already run are kept (the request table: src/aws/request-store.ts). */
export interface SeenJobs {
  /** True the first time `id` is recorded, false ever after; kept at least until `keepUntil`. */
  claimJobId(id: string, keepUntil: number): Promise<boolean>;
}

/**
 * The first delivery of a valid envelope wins; any later one (a replay, or Lambda delivering an
 * asynchronous event twice, which it may) is not. The id is kept past the envelope's life, after
 * which the age check refuses it anyway. A store failure throws: the job did not run.
 */
export function isFirstDelivery(opened: Extract<OpenedJob, { ok: true }>, seen: SeenJobs): Promise<boolean> {
  return seen.claimJobId(opened.id, opened.at + MAX_JOB_AGE_MS + MAX_CLOCK_SKEW_MS);
}
