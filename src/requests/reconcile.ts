import { announcementStale, needsAnnouncement, nextReminderAt } from './break-glass.ts';
import { isFinal, type RequestRecord, viewVersionOf } from './record.ts';

// What a request still needs, as a pure function of its record (and of whether the
// environment's lock still names it): the reconciler's one decision (src/reconciler/). Each
// step is an effect that any number of runs, by anyone, may repeat and that converges: the
// record is level-triggered, never "the handler will finish it".

export type ReconcileStep =
  /** An open request past its expiry: write it down, free the lock, re-render. */
  | { kind: 'expire' }
  /** Created, but its review message was never recorded: nobody may approve what is not in the record. */
  | { kind: 'withdraw-unrecorded' }
  /** Approved, but no build was recorded in time: find it, or finish the start. */
  | { kind: 'resume-start' }
  /** A build runs and nothing was heard for a while: ask CodeBuild. */
  | { kind: 'poll-build' }
  /** A build ran from a review whose ts never reached the record: find the message in the channel. */
  | { kind: 'adopt-message' }
  /** Final, and the lock still names it. */
  | { kind: 'release-lock' }
  /** Final, with a build, and the result reply is not posted. */
  | { kind: 'report-result' }
  /** The message shows an older version than the record. */
  | { kind: 'render' }
  /** A break-glass request was posted and its announcement in the security channel is not recorded. */
  | { kind: 'announce-break-glass' }
  /** A break-glass run an approver has not acknowledged by its due time: remind the channel (each day). */
  | { kind: 'remind-break-glass' }
  /** The announcement shows an older version of the request than the record (a state, the acknowledgement). */
  | { kind: 'refresh-announcement' }
  /** Nothing left to do: drop it from the due index. */
  | { kind: 'settle' }
  /** Not due yet (a fresh start, a running build heard from recently). */
  | { kind: 'wait' };

export interface ReconcileFacts {
  now: number;
  /** About two reconcile intervals: longer than any one handler's step takes. */
  staleMs: number;
  /** The environment's lock names this request (unknown: undefined, read only for final records). */
  holdsLock?: boolean;
}

const RESULT_STATES = new Set(['succeeded', 'failed', 'stopped', 'lost']);

function touched(record: RequestRecord): number {
  return Math.max(record.updatedAt, record.checkedAt ?? 0);
}

export function needsRender(record: RequestRecord): boolean {
  return record.messageTs !== undefined && (record.thread.shownVersion ?? 0) < viewVersionOf(record);
}

export function needsResult(record: RequestRecord): boolean {
  return RESULT_STATES.has(record.state) && record.build !== undefined && record.messageTs !== undefined && !record.thread.resultTs;
}

export function nextStep(record: RequestRecord, facts: ReconcileFacts): ReconcileStep {
  const { now, staleMs } = facts;
  const stale = now - touched(record) >= staleMs;
  switch (record.state) {
    case 'open':
      if (!record.messageTs) return stale ? { kind: 'withdraw-unrecorded' } : { kind: 'wait' };
      if (now >= record.expiresAt) return { kind: 'expire' };
      return needsRender(record) ? { kind: 'render' } : announceWhenStale(record, stale);
    case 'starting':
      return stale ? { kind: 'resume-start' } : needsRender(record) ? { kind: 'render' } : announceWhenStale(record, stale);
    case 'started':
      return stale ? { kind: 'poll-build' } : needsRender(record) ? { kind: 'render' } : announceWhenStale(record, stale);
    default: {
      if (!isFinal(record.state)) return { kind: 'wait' };
      if (facts.holdsLock !== false) return { kind: 'release-lock' };
      if (!record.messageTs && record.build && !record.thread.messageSearched) return { kind: 'adopt-message' };
      if (needsResult(record)) return { kind: 'report-result' };
      if (needsAnnouncement(record)) return { kind: 'announce-break-glass' };
      // Before the render: a review that can no longer be rendered (archived channel, deleted
      // message) must not keep an unacknowledged run quiet.
      const remindAt = nextReminderAt(record);
      if (remindAt !== undefined && now >= remindAt) return { kind: 'remind-break-glass' };
      if (needsRender(record)) return { kind: 'render' };
      if (announcementStale(record)) return { kind: 'refresh-announcement' };
      // An unacknowledged break-glass run is never settled: it stays in the due index for its reminders.
      return remindAt !== undefined ? { kind: 'wait' } : { kind: 'settle' };
    }
  }
}

/** The submit job announces it right after posting; only a stale request is the reconciler's to announce. */
function announceWhenStale(record: RequestRecord, stale: boolean): ReconcileStep {
  if (stale && needsAnnouncement(record)) return { kind: 'announce-break-glass' };
  return announcementStale(record) ? { kind: 'refresh-announcement' } : { kind: 'wait' };
}

/**
 * From when the reconciler should look again (the due index's sort key; a run reads what has
 * been due for at least `staleMs`). Undefined once settled: the index is sparse.
 */
export function dueSince(record: RequestRecord): number | undefined {
  if (record.settledAt !== undefined) return undefined;
  if (needsAnnouncement(record) || announcementStale(record)) return touched(record);
  // An open request whose message is current needs nothing until it expires.
  if (record.state === 'open' && record.messageTs && !needsRender(record)) return Math.max(record.expiresAt, touched(record));
  // A final request whose effects are done and that waits only for an acknowledgement: due at its next reminder.
  const remindAt = nextReminderAt(record);
  if (remindAt !== undefined && !needsResult(record) && !needsRender(record)) return Math.max(remindAt, touched(record));
  return touched(record);
}
