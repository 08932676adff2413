import type { RequestRecord } from '../../src/requests/record.ts';

/** A request whose last approval has just called StartBuild (`starting`), for the plan given. */
export function approvedRecord(changes: Partial<RequestRecord> & Pick<RequestRecord, 'plan' | 'planSha256'>): RequestRecord {
  const t0 = Date.now() - 60_000;
  return {
    id: 'req-42',
    kind: 'migrate',
    env: 'prod',
    requestedBy: 'U0REQUESTER',
    reason: 'ship it',
    channel: 'C0DEPLOYS01',
    messageTs: '1700000000.000100',
    pending: [],
    pendingKnown: true,
    confirmed: true,
    approvalsRequired: 1,
    approvals: [{ user: 'U0APPROVER1', at: t0 + 30_000 }],
    state: 'starting',
    thread: {},
    createdAt: t0,
    expiresAt: t0 + 30 * 60_000,
    updatedAt: t0 + 30_000,
    version: 3,
    events: [{ at: t0, by: 'U0REQUESTER', what: 'requested' }],
    ...changes,
  };
}
