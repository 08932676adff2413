import type { WebClient } from '@slack/web-api';
import { BUDGET, withDeadline } from '../deadline.ts';

// Who is in a Slack user group, for an approval rule that asks for one of its members
// (src/requests/approval-rule.ts). Read at click time with usergroups.users.list (scope
// usergroups:read, https://api.slack.com/methods/usergroups.users.list), so someone who left the
// group cannot approve for it; kept a minute, so a burst of clicks costs one call (the method is
// Tier 2, about 20 calls a minute).

const KEEP_MS = 60_000;
// Per client: one workspace's token, one cache.
const kept = new WeakMap<WebClient, Map<string, { users: Set<string>; until: number }>>();

export type GroupMembers = { ok: true; users: ReadonlySet<string> } | { ok: false; reason: string };

export async function groupMembers(slack: WebClient, group: string, now: number): Promise<GroupMembers> {
  const members = kept.get(slack) ?? new Map<string, { users: Set<string>; until: number }>();
  kept.set(slack, members);
  const known = members.get(group);
  if (known && known.until > now) return { ok: true, users: known.users };
  try {
    const answer = await withDeadline(slack.usergroups.users.list({ usergroup: group }), BUDGET.slack, 'Slack usergroups.users.list');
    const users = new Set(answer.users ?? []);
    members.set(group, { users, until: now + KEEP_MS });
    return { ok: true, users };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    return { ok: false, reason: code ?? (error as Error).message };
  }
}
