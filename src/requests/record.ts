import type { ApprovalRule } from './approval-rule.ts';
// The request record: the one truth about a migration or seed request. It lives in DynamoDB
// (src/aws/request-store.ts); Slack messages are views of it, re-rendered from it. Every change
// is a whole new version written with one conditional write on the version it was derived from
// (src/requests/transition.ts), so concurrent clicks and events serialize instead of racing.

import type { SnapshotTarget } from '../build-env.ts';
import type { RunProgress } from '../run-progress.ts';

export type RequestKind = 'migrate' | 'seed';

/**
 * open → (approvals) → starting → started → succeeded | failed | stopped | lost
 * open → cancelled | rejected | expired
 * `lost`: CodeBuild no longer knows the build (BatchGetBuilds lists it in buildsNotFound), so its
 * outcome can never be read; said so rather than left `started` forever.
 * `starting` is the gate: only the write that moves a request there may call StartBuild.
 */
export type RequestState =
  | 'open'
  | 'starting'
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'stopped'
  | 'lost'
  | 'cancelled'
  | 'rejected'
  | 'expired';

/** No build runs, or will run, from a request in these states. */
export const FINAL_STATES: readonly RequestState[] = ['succeeded', 'failed', 'stopped', 'lost', 'cancelled', 'rejected', 'expired'];

export function isFinal(state: RequestState): boolean {
  return FINAL_STATES.includes(state);
}

export interface RequestEvent {
  at: number;
  /** A Slack user id, or 'deploybot' / 'codebuild' for what the system did. */
  by: string;
  what: string;
  detail?: string;
}

export interface BuildRef {
  id: string;
  region: string;
  /** CodeBuild's status as last seen (IN_PROGRESS, SUCCEEDED, FAILED, STOPPED, TIMED_OUT, FAULT). */
  status: string;
  startedAt: number;
  /** CodeBuild's endTime, once the end is recorded (absent in records made before it was kept). */
  endedAt?: number;
}

/**
 * The build that ran the approved plan: claimed once, by the build itself, before it changes
 * anything (src/requests/build-approval.ts). A retried or second build of the request finds it
 * taken and refuses.
 */
export interface BuildRunClaim {
  /** CodeBuild's id of the claiming build (`project:uuid`). */
  buildId: string;
  at: number;
}

/**
 * The succeeded request of the environment this one's config requires first (`requires.succeededIn`),
 * found when it was submitted (src/requests/promotion.ts): why it was allowed.
 */
export interface PromotedFrom {
  env: string;
  requestId: string;
  /** When its build was seen to succeed. */
  at: number;
  buildId?: string;
  region?: string;
  /** From its build's start (as the bot recorded it) to CodeBuild's endTime. */
  durationMs?: number;
}

/**
 * A request made with `/daadaar breakglass`: it runs on its requester's own confirmation instead
 * of a second engineer's approval, and an approver acknowledges it afterwards (src/requests/break-glass.ts).
 */
export interface BreakGlass {
  /** Where it was announced besides the request's channel: the environment's breakGlass.securityChannel when requested. */
  securityChannel: string;
  /** Hours an approver has from the confirmation to acknowledge it, as configured when it was requested. */
  acknowledgeWithinHours: number;
  /** The requester's click on the posted review: what lets the build run. */
  confirmedAt?: number;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** Reminders posted in the request's channel since the acknowledgement fell due, the last at `remindedAt`. */
  reminders?: number;
  remindedAt?: number;
  /** Who is posting a reminder now: another handler stands back, a dead one's claim goes stale. */
  reminderClaim?: { token: string; at: number };
}

export interface RequestRecord {
  id: string;
  kind: RequestKind;
  env: string;
  requestedBy: string;
  reason: string;
  channel: string;
  /** The review message, once posted. */
  messageTs?: string;
  /** sha256 of the approved plan (src/history/plan.ts): the build refuses to run anything else. */
  planSha256: string;
  /** The approved plan, encoded as the build receives it (DEPLOYBOT_PLAN). */
  plan: string;
  /** The image the build runs, pinned by digest (repo@sha256:…); absent when it could not be resolved. */
  imageUri?: string;
  /** The pending migrations the review showed, in order (empty for a seed). */
  pending: string[];
  pendingKnown: boolean;
  /** Seeds only: CLEAN=true deletes every organization first. */
  clean?: boolean;
  /**
   * The snapshot the build takes before it migrates, decided when the request was made (the
   * environment's snapshotBefore and the review's destructive findings) and pinned like the
   * plan: the build's approval check refuses a build whose DEPLOYBOT_SNAPSHOT differs.
   * Absent: none; records from before the field existed read the same.
   */
  snapshot?: SnapshotTarget;
  /** The requester typed the environment name (destructive findings, unknown set, CLEAN). */
  confirmed: boolean;
  approvalsRequired: number;
  /** Absent in records made before `requires.succeededIn`, and where the environment requires nothing. */
  promotedFrom?: PromotedFrom;
  /** The rule of deploybot.config.json `approvalRules` that set what this request needs, when one held. */
  approvalRule?: ApprovalRule;
  /** Present on a break-glass request only. */
  breakGlass?: BreakGlass;
  /** `inGroup`: the approver was a member of the rule's user group when they approved. */
  approvals: { user: string; at: number; inGroup?: true }[];
  state: RequestState;
  build?: BuildRef;
  buildRun?: BuildRunClaim;
  /** Why the last StartBuild attempt did not start a build (the request stayed open). */
  startError?: string;
  rejectedBecause?: string;
  stopRequestedBy?: string;
  /** Build status reporting: the one timeline message and the one result reply, claimed once. */
  thread: {
    statusTs?: string;
    statusRank?: number;
    /** Who is posting the status message right now. */
    statusClaim?: { token: string; at: number };
    resultTs?: string;
    /** Who is posting the result reply right now (another handler waits it out). */
    resultClaim?: { token: string; at: number };
    /** A break-glass request's announcement in its security channel, posted once. */
    securityTs?: string;
    securityClaim?: { token: string; at: number };
    /** The `viewVersion` the announcement was last rendered from: it is brought up to date like the review. */
    securityShownVersion?: number;
    /** The channel was searched for a review message whose ts never reached the record. */
    messageSearched?: boolean;
    /** The `viewVersion` the review message was last rendered from (its metadata says the same). */
    shownVersion?: number;
    /**
     * The newest progress event the build's log delivered (src/status/build-progress.ts), with its
     * log timestamp: an event no newer than this one is a replay and changes nothing.
     */
    progress?: { event: RunProgress; at: number };
    /** When the status message was last updated for progress: Slack is called at most once a window per request. */
    progressShownAt?: number;
  };
  /**
   * The version of the last write that changed what the review message shows (state, approvals,
   * build). Thread bookkeeping bumps `version` but not this, so a rendered message can be compared.
   */
  viewVersion?: number;
  /**
   * The ids of the last conditional writes, one fresh id each (src/requests/transition.ts). When
   * the SDK retries a write whose answer was lost, the retry's condition fails on the write
   * itself: its id, read back here, says the write was ours.
   */
  writeIds?: string[];
  /** When the reconciler last looked at this request and found nothing due (src/reconciler/). */
  checkedAt?: number;
  /** Every effect of a final request is done: lock freed, result posted, message current. */
  settledAt?: number;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  /** Bumped by every write; the condition of the next one. */
  version: number;
  /** Append-only: who did what, when. */
  events: RequestEvent[];
}

/** An open request past its expiry is expired, whether or not anyone has written that down. */
export function currentState(record: Pick<RequestRecord, 'state' | 'expiresAt'>, now: number): RequestState {
  return record.state === 'open' && now >= record.expiresAt ? 'expired' : record.state;
}

/** The version of the record that the review message should show. */
export function viewVersionOf(record: Pick<RequestRecord, 'viewVersion' | 'version'>): number {
  return record.viewVersion ?? record.version;
}

/** The lock that keeps one open request per environment. */
export interface EnvironmentLock {
  env: string;
  requestId: string;
  holder: string;
  kind: RequestKind;
  /** The lock frees itself at this time, with or without anyone clicking. */
  expiresAt: number;
  /** When it was taken: a lock whose request was never stored is freed after the reconciler's staleness. */
  takenAt?: number;
}
