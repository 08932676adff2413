import type { EnvironmentConfig } from '../config.ts';
import type { ApprovalRequest } from './approval-request.ts';
import { mention } from '../slack/mrkdwn.ts';

export type ApprovalDecision = { ok: true; request: ApprovalRequest; complete: boolean; missing: number } | { ok: false; reason: string };

/**
 * Two-person rule: never the requester, only configured approvers, each counted once, and
 * nothing after expiry. A refusal changes nothing; its reason is shown to the clicker only.
 */
export function decideApproval(request: ApprovalRequest, approver: string, env: EnvironmentConfig, now: number): ApprovalDecision {
  if (now >= request.expiresAt) {
    return {
      ok: false,
      reason: `This request expired ${minutesAgo(now - request.expiresAt)}. Run \`/daadaar ${request.kind} ${request.env}\` again to review the current migrations.`,
    };
  }
  if (approver === request.requestedBy) {
    return { ok: false, reason: 'You requested this, so you cannot approve it: a second engineer must.' };
  }
  if (!env.approvers.includes(approver)) {
    return { ok: false, reason: `Only ${env.approvers.map(mention).join(', ')} can approve ${request.env} requests.` };
  }
  if (request.approvals.includes(approver)) {
    const missing = env.approvalsRequired - request.approvals.length;
    return {
      ok: false,
      reason: `You already approved this request; it still needs ${missing} more approval${missing === 1 ? '' : 's'} from someone else.`,
    };
  }
  const approvals = [...request.approvals, approver];
  const missing = Math.max(0, env.approvalsRequired - approvals.length);
  return { ok: true, request: { ...request, approvals }, complete: missing === 0, missing };
}

export function decideRejection(
  request: ApprovalRequest,
  user: string,
  env: EnvironmentConfig,
  now: number,
): { ok: true } | { ok: false; reason: string } {
  if (now >= request.expiresAt) return { ok: false, reason: 'This request has already expired; nothing can run from it.' };
  if (user === request.requestedBy) return { ok: false, reason: 'Use Cancel to withdraw your own request.' };
  if (!env.approvers.includes(user))
    return { ok: false, reason: `Only ${env.approvers.map(mention).join(', ')} can reject ${request.env} requests.` };
  return { ok: true };
}

export function decideCancellation(request: ApprovalRequest, user: string): { ok: true } | { ok: false; reason: string } {
  return user === request.requestedBy
    ? { ok: true }
    : { ok: false, reason: `Only the requester, ${mention(request.requestedBy)}, can cancel this request.` };
}

function minutesAgo(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 1 ? 'just now' : `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
}
