import { describe, expect, it } from 'vitest';
import { acknowledgementDue, nextReminderAt } from '../../src/requests/break-glass.ts';
import { dueSince, nextStep } from '../../src/requests/reconcile.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { approvedRecord } from '../support/request-records.ts';

// When an unacknowledged break-glass run is reminded about, and that it never settles before.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CONFIRMED = Date.UTC(2026, 11, 4, 3, 0, 0);
const DUE = CONFIRMED + 12 * HOUR;

function ran(glass: Partial<NonNullable<RequestRecord['breakGlass']>> = {}, changes: Partial<RequestRecord> = {}): RequestRecord {
  return approvedRecord({
    plan: 'v1;migrate',
    planSha256: 'ab'.repeat(32),
    approvals: [],
    approvalsRequired: 0,
    state: 'succeeded',
    build: { id: 'daadaar-migrations:1', region: 'us-east-1', status: 'SUCCEEDED', startedAt: CONFIRMED, endedAt: CONFIRMED + 60_000 },
    thread: { resultTs: '1.2', securityTs: '1.3', shownVersion: 9, securityShownVersion: 9 },
    viewVersion: 9,
    updatedAt: CONFIRMED + 120_000,
    breakGlass: { securityChannel: 'C0SECURITY1', acknowledgeWithinHours: 12, confirmedAt: CONFIRMED, ...glass },
    ...changes,
  });
}

const facts = (now: number) => ({ now, staleMs: 120_000, holdsLock: false });

describe('break-glass reminders', () => {
  it('owes an acknowledgement only once confirmed, until acknowledged', () => {
    expect(acknowledgementDue(ran())).toBe(DUE);
    expect(acknowledgementDue(ran({ confirmedAt: undefined }))).toBeUndefined();
    expect(acknowledgementDue(ran({ acknowledgedBy: 'U0APPROVER1', acknowledgedAt: DUE }))).toBeUndefined();
    // Afterwards only: not while its build runs, and not when no build ran (a failed start, then cancelled).
    expect(acknowledgementDue(ran({}, { state: 'started' }))).toBeUndefined();
    expect(acknowledgementDue(ran({}, { state: 'cancelled', build: undefined }))).toBeUndefined();
  });

  it('reminds from the due time, then at that time each day, without drifting or bursting after an outage', () => {
    expect(nextReminderAt(ran())).toBe(DUE);
    expect(nextReminderAt(ran({}, { state: 'started' }))).toBeUndefined();
    expect(nextReminderAt(ran({ reminders: 1, remindedAt: DUE + 3 * 60_000 }))).toBe(DUE + DAY);
    // The reconciler was down for three days: one reminder now, the next at the following day's slot.
    expect(nextReminderAt(ran({ reminders: 1, remindedAt: DUE + 3 * DAY + 5 * 60_000 }))).toBe(DUE + 4 * DAY);
  });

  it('waits, reminds, and settles only after the acknowledgement', () => {
    expect(nextStep(ran(), facts(DUE - 1)).kind).toBe('wait');
    expect(nextStep(ran(), facts(DUE)).kind).toBe('remind-break-glass');
    expect(nextStep(ran({ remindedAt: DUE }), facts(DUE + HOUR)).kind).toBe('wait');
    expect(nextStep(ran({}, { thread: { resultTs: '1.2', shownVersion: 9 } }), facts(DUE - 1)).kind).toBe('announce-break-glass');
    // A review that cannot be rendered (an archived channel) does not keep the reminder back.
    expect(nextStep(ran({}, { viewVersion: 10 }), facts(DUE)).kind).toBe('remind-break-glass');
    expect(nextStep(ran({}, { viewVersion: 10 }), facts(DUE - 1)).kind).toBe('render');
    // Acknowledged: the announcement is brought up to date before the request settles.
    const acknowledged = ran(
      { acknowledgedBy: 'U0APPROVER1', acknowledgedAt: DUE },
      { viewVersion: 10, thread: { resultTs: '1.2', securityTs: '1.3', shownVersion: 10, securityShownVersion: 9 } },
    );
    expect(nextStep(acknowledged, facts(DUE)).kind).toBe('refresh-announcement');
    expect(nextStep({ ...acknowledged, thread: { ...acknowledged.thread, securityShownVersion: 10 } }, facts(DUE)).kind).toBe('settle');
    // Never confirmed (cancelled, expired): nothing ran, nothing is owed.
    expect(nextStep(ran({ confirmedAt: undefined }, { state: 'cancelled', build: undefined }), facts(DUE)).kind).toBe('settle');
  });

  it('keeps a waiting run in the due index at its next reminder, not at every reconciler run', () => {
    expect(dueSince(ran())).toBe(DUE);
    expect(dueSince(ran({ remindedAt: DUE + 60_000 }, { updatedAt: DUE + 60_000 }))).toBe(DUE + DAY);
    expect(dueSince(ran({ acknowledgedBy: 'U0APPROVER1', acknowledgedAt: DUE }))).toBe(CONFIRMED + 120_000);
    expect(dueSince({ ...ran(), settledAt: DUE })).toBeUndefined();
  });
});
