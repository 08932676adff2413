import { buildConsoleUrl } from '../codebuild-console.ts';
import type { EnvironmentConfig } from '../config.ts';
import { escapeMrkdwn, mention, slackDate, subteam } from '../slack/mrkdwn.ts';
import { acknowledgementDue, breakGlassRefusal } from './break-glass.ts';
import { currentState, isFinal, type RequestEvent, type RequestRecord, viewVersionOf } from './record.ts';

// What each click or build event does to a request, as pure functions of the record read a
// moment ago: a new record to write (conditionally on the version it came from), or a refusal
// with the reason shown to the person. Nothing here reads a clock, a store or Slack.

export type Decision<T = object> = ({ ok: true; next: RequestRecord } & T) | { ok: false; reason: string };

function next(record: RequestRecord, now: number, event: Omit<RequestEvent, 'at'>, changes: Partial<RequestRecord>): RequestRecord {
  const version = record.version + 1;
  // Every decision changes what the review message shows: the view moves with the version.
  return { ...record, ...changes, updatedAt: now, version, viewVersion: version, events: [...record.events, { at: now, ...event }] };
}

function buildLink(record: RequestRecord): string {
  return record.build ? `<${buildConsoleUrl(record.build.id, record.build.region)}|${escapeMrkdwn(record.build.id)}>` : 'its build';
}

/** Why nothing can be done to a request that is no longer open, in the words a person needs. */
export function notOpenReason(record: RequestRecord, now: number): string | undefined {
  switch (currentState(record, now)) {
    case 'open':
      return undefined;
    case 'starting':
      // The record proves the approval, not that StartBuild was reached: the reconciler finishes
      // or abandons a start that stalls (src/reconciler/), and the thread says which.
      return 'This request was approved and its start is under way; the thread will say when its build runs.';
    case 'started':
      return `This request's build ${buildLink(record)} is running.`;
    case 'succeeded':
    case 'failed':
    case 'stopped':
      return `This request already ran: build ${buildLink(record)} ${record.build?.status ?? record.state}.`;
    case 'lost':
      return `This request's build ${buildLink(record)} is no longer known to CodeBuild; its outcome could not be read.`;
    case 'cancelled':
      return 'This request was cancelled; nothing ran from it.';
    case 'rejected':
      return 'This request was rejected; nothing ran from it.';
    case 'expired': {
      const minutes = Math.round((now - record.expiresAt) / 60_000);
      return `This request expired ${minutes < 1 ? 'just now' : `${minutes} minute${minutes === 1 ? '' : 's'} ago`}. Run \`/daadaar ${record.kind} ${escapeMrkdwn(record.env)}\` again to review what would run now.`;
    }
  }
}

function approverRefusal(record: RequestRecord, user: string, env: EnvironmentConfig, verb: string): string | undefined {
  if (!env.approvers.includes(user))
    return `Only ${env.approvers.map(mention).join(', ')} can ${verb} ${escapeMrkdwn(record.env)} requests.`;
  return undefined;
}

/**
 * Two-person rule: never the requester, only configured approvers, each counted once, nothing
 * after expiry. The approval that completes the count moves the request to `starting`: the
 * one write that entitles its writer to call StartBuild. A request whose count is complete but
 * whose start failed (CodeBuild refused, another build was running) is started again by any
 * approver's click. A start abandoned half way is the reconciler's to finish (src/reconciler/),
 * which checks the lock and the expiry a click cannot see.
 */
/**
 * `inGroup`: whether the approver is a member of the user group the request's rule names (read
 * from Slack at click time, src/slack/user-groups.ts); undefined when the rule names none.
 */
export function approve(
  record: RequestRecord,
  user: string,
  env: EnvironmentConfig,
  now: number,
  inGroup?: boolean,
): Decision<{ starts: boolean }> {
  const closed = notOpenReason(record, now);
  if (closed) return { ok: false, reason: closed };
  // Without its review's ts nothing could show the approval or the build: not approvable until
  // a click adopts it (src/bot/jobs/clicks.ts) or the reconciler withdraws the request.
  if (!record.messageTs) return { ok: false, reason: "This request's review message was never recorded, so it cannot be approved." };
  if (record.breakGlass) return confirmBreakGlass(record, user, env, now);
  if (user === record.requestedBy) return { ok: false, reason: 'You requested this, so you cannot approve it: a second engineer must.' };
  const group = record.approvalRule?.oneOf;
  // A member of the rule's group may approve though not an approver: that is what the rule asks for.
  const notApprover = group && inGroup ? undefined : approverRefusal(record, user, env, 'approve');
  if (notApprover) return { ok: false, reason: notApprover };
  const required = Math.max(record.approvalsRequired, env.approvalsRequired);
  const already = record.approvals.some((a) => a.user === user);
  if (already && record.approvals.length < required) {
    const missing = required - record.approvals.length;
    return {
      ok: false,
      reason: `You already approved this request; it still needs ${missing} more approval${missing === 1 ? '' : 's'} from someone else.`,
    };
  }
  const approvals = already
    ? record.approvals
    : [...record.approvals, { user, at: now, ...(group && inGroup ? { inGroup: true as const } : {}) }];
  const groupMissing = group !== undefined && !approvals.some((a) => a.inGroup);
  // The last approval the count needs must bring the group's, if no earlier one did.
  if (groupMissing && approvals.length >= required) {
    return {
      ok: false,
      reason: `This request needs one approval from ${subteam(group)} (rule "${record.approvalRule?.name}": ${record.approvalRule?.because}), and you are not in that group: leave the last approval to one of them.`,
    };
  }
  const starts = approvals.length >= required;
  const event = already ? { by: user, what: 'retried the start' } : { by: user, what: 'approved' };
  return {
    ok: true,
    starts,
    next: next(record, now, event, { approvals, approvalsRequired: required, state: starts ? 'starting' : 'open', startError: undefined }),
  };
}

/**
 * Break-glass: the requester's own click on the posted review stands in for the approvals, so
 * they confirm what the review shows, not only what the form said. Asked of the config again:
 * break-glass turned off, or the requester taken off its users, since the request was posted
 * means it no longer runs. A confirmed request whose start failed is started again the same way.
 */
function confirmBreakGlass(record: RequestRecord, user: string, env: EnvironmentConfig, now: number): Decision<{ starts: boolean }> {
  const glass = record.breakGlass;
  if (!glass) return { ok: false, reason: 'This is not a break-glass request.' };
  if (user !== record.requestedBy)
    return {
      ok: false,
      reason: `This is ${mention(record.requestedBy)}'s break-glass request: it runs on their confirmation alone. Reject it if it must not run; once it has run, acknowledge it.`,
    };
  const refusal = breakGlassRefusal(record.env, env, user);
  if (refusal) return { ok: false, reason: `${refusal} (changed since this request was posted)` };
  const again = glass.confirmedAt !== undefined;
  return {
    ok: true,
    starts: true,
    next: next(
      record,
      now,
      { by: user, what: again ? 'retried the start' : 'confirmed break-glass' },
      { state: 'starting', startError: undefined, breakGlass: { ...glass, confirmedAt: glass.confirmedAt ?? now } },
    ),
  };
}

/**
 * An approver, never the requester, has looked at a break-glass run afterwards: the record stops
 * owing an acknowledgement and the reminders end. Once only, and only for what was confirmed.
 */
export function acknowledge(record: RequestRecord, user: string, env: EnvironmentConfig, now: number): Decision {
  const glass = record.breakGlass;
  if (!glass) return { ok: false, reason: 'This is not a break-glass request: there is nothing to acknowledge.' };
  if (glass.acknowledgedBy)
    return {
      ok: false,
      reason: `${mention(glass.acknowledgedBy)} already acknowledged this break-glass request ${slackDate(glass.acknowledgedAt ?? now)}.`,
    };
  if (glass.confirmedAt === undefined)
    return {
      ok: false,
      reason: `${mention(record.requestedBy)} has not confirmed this break-glass request, so nothing ran from it. Reject it if it must not run.`,
    };
  if (acknowledgementDue(record) === undefined)
    return {
      ok: false,
      reason: isFinal(record.state)
        ? 'No build ran from this break-glass request, so there is nothing to acknowledge.'
        : 'This break-glass request has not finished running: acknowledge it once its build has ended.',
    };
  if (user === record.requestedBy) return { ok: false, reason: 'You broke the glass, so you cannot acknowledge it: an approver must.' };
  const notApprover = approverRefusal(record, user, env, 'acknowledge');
  if (notApprover) return { ok: false, reason: notApprover };
  return {
    ok: true,
    next: next(
      record,
      now,
      { by: user, what: 'acknowledged break-glass' },
      { breakGlass: { ...glass, acknowledgedBy: user, acknowledgedAt: now } },
    ),
  };
}

/**
 * A reminder is claimed before it is posted and recorded after, as the thread's posts are
 * (src/status/post-once.ts): concurrent reconcilers post it once, a dead poster's claim goes stale.
 */
export function claimReminder(record: RequestRecord, token: string, due: number | undefined, now: number, staleMs: number): Decision {
  const glass = record.breakGlass;
  if (!glass || due === undefined || now < due) return { ok: false, reason: 'no reminder is due' };
  if (glass.reminderClaim && now - glass.reminderClaim.at < staleMs) return { ok: false, reason: 'another handler is reminding' };
  return {
    ok: true,
    next: { ...record, breakGlass: { ...glass, reminderClaim: { token, at: now } }, updatedAt: now, version: record.version + 1 },
  };
}

/** The reminder claimed with `token` was posted (`posted`) or failed (the claim is freed for the next try). */
export function reminderDone(record: RequestRecord, token: string, posted: boolean, now: number): Decision {
  const glass = record.breakGlass;
  if (glass?.reminderClaim?.token !== token) return { ok: false, reason: 'not our claim' };
  const counted = posted ? { reminders: (glass.reminders ?? 0) + 1, remindedAt: now } : {};
  const event: RequestEvent[] = posted
    ? [{ at: now, by: 'deploybot', what: 'reminded the channel', detail: 'break-glass not acknowledged' }]
    : [];
  return {
    ok: true,
    next: {
      ...record,
      breakGlass: { ...glass, ...counted, reminderClaim: undefined },
      events: [...record.events, ...event],
      updatedAt: now,
      version: record.version + 1,
    },
  };
}

export function reject(record: RequestRecord, user: string, reason: string, env: EnvironmentConfig, now: number): Decision {
  const closed = notOpenReason(record, now);
  if (closed)
    return {
      ok: false,
      reason: `${closed}${record.state === 'started' ? ' It can no longer be rejected; an approver can stop the build.' : ''}`,
    };
  if (user === record.requestedBy) return { ok: false, reason: 'Use Cancel to withdraw your own request.' };
  const notApprover = approverRefusal(record, user, env, 'reject');
  if (notApprover) return { ok: false, reason: notApprover };
  return {
    ok: true,
    next: next(record, now, { by: user, what: 'rejected', detail: reason }, { state: 'rejected', rejectedBecause: reason }),
  };
}

export function cancel(record: RequestRecord, user: string, now: number): Decision {
  const closed = notOpenReason(record, now);
  if (closed)
    return {
      ok: false,
      reason: `${closed}${record.state === 'started' ? ' It can no longer be cancelled; an approver can stop the build.' : ''}`,
    };
  if (user !== record.requestedBy)
    return { ok: false, reason: `Only the requester, ${mention(record.requestedBy)}, can cancel this request.` };
  return { ok: true, next: next(record, now, { by: user, what: 'cancelled' }, { state: 'cancelled' }) };
}

/** The system withdraws a request it could not post: nobody ever saw it, nothing may run. */
export function withdraw(record: RequestRecord, why: string, now: number): Decision {
  if (record.state !== 'open') return { ok: false, reason: `already ${record.state}` };
  return { ok: true, next: next(record, now, { by: 'deploybot', what: 'withdrew', detail: why }, { state: 'cancelled' }) };
}

/**
 * Slack refused to write the request's message (archived channel, bot removed, message deleted):
 * written down once per cause and state, so each state the channel could not show is told once
 * however often it is rendered again.
 */
export function channelUnwritable(record: RequestRecord, cause: string, now: number): Decision {
  const detail = `${cause} (${record.state})`;
  if (record.events.some((e) => e.what === 'channel unwritable' && e.detail === detail)) return { ok: false, reason: 'already recorded' };
  return { ok: true, next: next(record, now, { by: 'deploybot', what: 'channel unwritable', detail }, {}) };
}

/** The message just posted shows the record as it was: recording its ts changes nothing it shows. */
export function posted(record: RequestRecord, messageTs: string, now: number): Decision {
  if (record.messageTs) return { ok: false, reason: 'already posted' };
  const view = viewVersionOf(record);
  const written = next(record, now, { by: 'deploybot', what: 'posted the review' }, { messageTs });
  return { ok: true, next: { ...written, viewVersion: view, thread: { ...record.thread, shownVersion: view } } };
}

/**
 * The reconciler withdraws a request whose review message was never recorded: without its ts
 * in the record nobody may approve it. `messageTs`, when the message was found in the channel,
 * is recorded so the message can be re-rendered as withdrawn.
 */
export function withdrawUnrecorded(record: RequestRecord, now: number, messageTs?: string): Decision {
  if (record.state !== 'open' || record.messageTs) return { ok: false, reason: `the request is ${record.state} with its review recorded` };
  return {
    ok: true,
    next: next(
      record,
      now,
      { by: 'deploybot', what: 'withdrew', detail: 'this request could not be recorded; nothing will run' },
      { state: 'cancelled', ...(messageTs ? { messageTs } : {}) },
    ),
  };
}

/** The review message found in the channel by its request id: the view must now be rendered onto it. */
export function adoptedMessage(record: RequestRecord, messageTs: string | undefined): RequestRecord {
  return {
    ...record,
    ...(messageTs ? { messageTs } : {}),
    thread: { ...record.thread, shownVersion: 0, messageSearched: true },
    version: record.version + 1,
  };
}

/** Bookkeeping of the reconciler: a look that found nothing due, or the end of every effect. */
export function checked(record: RequestRecord, now: number): RequestRecord {
  return { ...record, checkedAt: now, version: record.version + 1 };
}

export function settled(record: RequestRecord, now: number): RequestRecord {
  return { ...record, settledAt: now, version: record.version + 1 };
}

/** The message now shows `view`; a rendering never lowers what the record says is shown. */
export function shown(record: RequestRecord, view: number): Decision {
  if ((record.thread.shownVersion ?? 0) >= view) return { ok: false, reason: 'a newer rendering is recorded' };
  return { ok: true, next: { ...record, thread: { ...record.thread, shownVersion: view }, version: record.version + 1 } };
}

export function buildStarted(record: RequestRecord, build: { id: string; region: string; status: string }, now: number): Decision {
  if (record.state !== 'starting') return { ok: false, reason: `the request is ${record.state}, not starting` };
  return {
    ok: true,
    next: next(
      record,
      now,
      { by: 'codebuild', what: 'started build', detail: build.id },
      { state: 'started', build: { ...build, startedAt: now } },
    ),
  };
}

/** CodeBuild no longer knows the build (buildsNotFound): its outcome can never be read. */
export function buildLost(record: RequestRecord, now: number): Decision {
  if (record.state !== 'started' || !record.build) return { ok: false, reason: `the request is ${record.state}, not started` };
  return {
    ok: true,
    next: next(
      record,
      now,
      { by: 'deploybot', what: 'lost the build', detail: `CodeBuild no longer knows ${record.build.id}` },
      { state: 'lost', build: { ...record.build, status: 'NOT_FOUND' } },
    ),
  };
}

/** StartBuild refused, or another build was running: no build exists; approvers may try again. */
export function startFailed(record: RequestRecord, why: string, now: number): Decision {
  if (record.state !== 'starting') return { ok: false, reason: `the request is ${record.state}, not starting` };
  return {
    ok: true,
    next: next(record, now, { by: 'deploybot', what: 'could not start the build', detail: why }, { state: 'open', startError: why }),
  };
}

const OUTCOME: Record<string, RequestRecord['state']> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  FAULT: 'failed',
  TIMED_OUT: 'failed',
  STOPPED: 'stopped',
};

/** The build's end, as CodeBuild reports it; events repeat and race, so this is idempotent. */
export function buildEnded(record: RequestRecord, build: { id: string; status: string; endTime?: Date }, now: number): Decision {
  const state = OUTCOME[build.status];
  if (!state) return { ok: false, reason: `build status ${build.status} is not final` };
  if (record.build?.id !== build.id) return { ok: false, reason: `build ${build.id} is not this request's` };
  if (record.state === state && record.build.status === build.status) return { ok: false, reason: 'already recorded' };
  if (record.state !== 'started' && record.state !== 'starting') return { ok: false, reason: `the request is ${record.state}` };
  return {
    ok: true,
    next: next(
      record,
      now,
      { by: 'codebuild', what: `build ${build.status.toLowerCase()}`, detail: build.id },
      // CodeBuild's endTime, not `now`: the reconciler may notice the end long after it happened.
      { state, build: { ...record.build, status: build.status, ...(build.endTime ? { endedAt: build.endTime.getTime() } : {}) } },
    ),
  };
}

export function stopRequested(record: RequestRecord, user: string, env: EnvironmentConfig, now: number): Decision {
  if (record.state !== 'started' || !record.build)
    return { ok: false, reason: notOpenReason(record, now) ?? 'There is no running build to stop.' };
  if (user !== record.requestedBy && !env.approvers.includes(user))
    return { ok: false, reason: `Only the requester or ${env.approvers.map(mention).join(', ')} can stop this build.` };
  if (record.stopRequestedBy) return { ok: false, reason: `${mention(record.stopRequestedBy)} already asked CodeBuild to stop it.` };
  return { ok: true, next: next(record, now, { by: user, what: 'stopped the build', detail: record.build.id }, { stopRequestedBy: user }) };
}

/** An open request found past its expiry is written down as expired, freeing nothing twice. */
export function expire(record: RequestRecord, now: number): Decision {
  if (record.state !== 'open' || now < record.expiresAt) return { ok: false, reason: 'not expired' };
  return { ok: true, next: next(record, now, { by: 'deploybot', what: 'expired' }, { state: 'expired' }) };
}

/** Thread bookkeeping: not a state change, but written under the same version condition. */
export function withThread(record: RequestRecord, thread: Partial<RequestRecord['thread']>, now: number): RequestRecord {
  return { ...record, thread: { ...record.thread, ...thread }, updatedAt: now, version: record.version + 1 };
}
