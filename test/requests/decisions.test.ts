import { describe, expect, it } from 'vitest';
import { acknowledge, approve, buildEnded, cancel } from '../../src/requests/decisions.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { testConfig } from '../support/bot-harness.ts';

const env = testConfig({ prod: { approvalsRequired: 2 } }).environments.prod;
if (!env) throw new Error('no prod');
const t0 = Date.UTC(2026, 10, 24, 9);

function record(changes: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1',
    kind: 'migrate',
    env: 'prod',
    requestedBy: 'U0REQUESTER',
    reason: 'ship it',
    channel: 'C0DEPLOYS01',
    messageTs: '1.1',
    planSha256: 'a'.repeat(64),
    plan: '{}',
    pending: ['0005_x'],
    pendingKnown: true,
    confirmed: false,
    approvalsRequired: 2,
    approvals: [],
    state: 'open',
    thread: {},
    createdAt: t0,
    expiresAt: t0 + 30 * 60_000,
    updatedAt: t0,
    version: 1,
    events: [],
    ...changes,
  };
}

describe('request decisions', () => {
  it('the approval that completes the count moves the request to starting, and bumps the version', () => {
    const first = approve(record(), 'U0APPROVER1', env, t0 + 1);
    expect(first).toMatchObject({ ok: true, starts: false, next: { state: 'open', version: 2 } });
    if (!first.ok) throw new Error('refused');
    const second = approve(first.next, 'U0APPROVER2', env, t0 + 2);
    expect(second).toMatchObject({ ok: true, starts: true, next: { state: 'starting', version: 3 } });
  });

  it('refuses a cancel once the build is starting, and a second end of the same build', () => {
    expect(cancel(record({ state: 'starting' }), 'U0REQUESTER', t0)).toMatchObject({ ok: false });
    const started = record({ state: 'started', build: { id: 'p:1', region: 'us-east-1', status: 'IN_PROGRESS', startedAt: t0 } });
    const ended = buildEnded(started, { id: 'p:1', status: 'SUCCEEDED' }, t0 + 5);
    if (!ended.ok) throw new Error('refused');
    expect(ended.next.state).toBe('succeeded');
    expect(buildEnded(ended.next, { id: 'p:1', status: 'SUCCEEDED' }, t0 + 6)).toEqual({ ok: false, reason: 'already recorded' });
  });

  it('never lets a click take over a stalled start: the reconciler, which checks the lock and the expiry, finishes it', () => {
    const starting = record({
      state: 'starting',
      approvals: [
        { user: 'U0APPROVER1', at: t0 },
        { user: 'U0APPROVER2', at: t0 },
      ],
    });
    expect(approve(starting, 'U0APPROVER1', env, t0 + 1000)).toMatchObject({ ok: false });
    expect(approve(starting, 'U0APPROVER1', env, t0 + 3 * 60 * 60_000)).toMatchObject({ ok: false });
  });
});

describe('break-glass decisions', () => {
  const glassEnv = testConfig({ prod: { breakGlass: { users: ['U0REQUESTER'], securityChannel: 'C0SECURITY1' } } }).environments.prod;
  if (!glassEnv) throw new Error('no prod');
  const glass = { securityChannel: 'C0SECURITY1', acknowledgeWithinHours: 24 };
  const ended = {
    state: 'succeeded' as const,
    build: { id: 'daadaar-migrations:1', region: 'us-east-1', status: 'SUCCEEDED', startedAt: t0, endedAt: t0 + 1 },
  };
  const reason = (d: { ok: boolean; reason?: string }) => (d.ok ? 'ok' : d.reason);

  it('starts on its requester alone, once the config still allows them', () => {
    const open = record({ approvalsRequired: 0, confirmed: true, breakGlass: glass });
    expect(approve(open, 'U0APPROVER1', glassEnv, t0 + 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('runs on their confirmation alone'),
    });
    expect(approve(open, 'U0REQUESTER', glassEnv, t0 + 1)).toMatchObject({
      ok: true,
      starts: true,
      next: { state: 'starting', breakGlass: { confirmedAt: t0 + 1 } },
    });
    // Turned off since it was posted: it no longer runs.
    expect(reason(approve(open, 'U0REQUESTER', env, t0 + 1))).toContain('Break-glass is off for prod');
  });

  it('is acknowledged afterwards only, by an approver who is not the requester, once', () => {
    const confirmed = { approvalsRequired: 0, confirmed: true };
    expect(reason(acknowledge(record({ ...confirmed, breakGlass: glass }), 'U0APPROVER1', glassEnv, t0))).toContain('has not confirmed');
    const running = record({ ...confirmed, state: 'started', build: ended.build, breakGlass: { ...glass, confirmedAt: t0 } });
    expect(reason(acknowledge(running, 'U0APPROVER1', glassEnv, t0))).toContain('has not finished running');
    const nothingRan = record({ ...confirmed, state: 'cancelled', breakGlass: { ...glass, confirmedAt: t0 } });
    expect(reason(acknowledge(nothingRan, 'U0APPROVER1', glassEnv, t0))).toContain('No build ran from this break-glass request');
    const ran = record({ ...confirmed, ...ended, breakGlass: { ...glass, confirmedAt: t0 } });
    expect(reason(acknowledge(ran, 'U0REQUESTER', glassEnv, t0))).toContain('You broke the glass');
    expect(reason(acknowledge(ran, 'U0OUTSIDER1', glassEnv, t0))).toContain('can acknowledge prod requests');
    const done = acknowledge(ran, 'U0APPROVER2', glassEnv, t0 + 5);
    expect(done).toMatchObject({ ok: true, next: { breakGlass: { acknowledgedBy: 'U0APPROVER2', acknowledgedAt: t0 + 5 } } });
    if (!done.ok) throw new Error('not acknowledged');
    expect(reason(acknowledge(done.next, 'U0APPROVER1', glassEnv, t0 + 6))).toContain('<@U0APPROVER2> already acknowledged');
    expect(reason(acknowledge(record(), 'U0APPROVER1', glassEnv, t0))).toContain('not a break-glass request');
  });
});
