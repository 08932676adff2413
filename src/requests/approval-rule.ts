import type { Review } from '../review/model.ts';

// What a request needs from its approvers, raised by what its review found
// (deploybot.config.json `approvalRules`, per environment): a destructive change may need two
// approvals, one of them from a Slack user group (the DBAs); a large table locked ACCESS
// EXCLUSIVE may need one of them. The rules are read in order and the first that holds
// decides, as a firewall's are; none holding, the environment's own `approvalsRequired` does.
// The decision is made once, when the request is posted, and kept in the record: history shows
// which rule decided, and a config change later does not move a request's bar.

/** What a rule looks at: a category of finding, or a large table held ACCESS EXCLUSIVE. */
export const RISKS = ['destructive', 'breaking', 'security', 'locking', 'transaction', 'unreviewable', 'large-access-exclusive'] as const;
export type Risk = (typeof RISKS)[number];

export interface ApprovalRuleConfig {
  name: string;
  when: Risk;
  approvalsRequired?: number;
  /** A Slack user group (S…): one approval must come from one of its members. */
  oneOf?: string;
}

/** The rule that decided, as the record keeps it. */
export interface ApprovalRule {
  name: string;
  /** Why it holds, in a few words: `2 destructive findings`. */
  because: string;
  oneOf?: string;
}

export interface ApprovalNeed {
  approvalsRequired: number;
  rule?: ApprovalRule;
}

/** The risks a review's findings show, each with what a person reads as its reason. */
export function risksOf(review: Pick<Review, 'statements'>): Map<Risk, string> {
  // Counted from the findings themselves: a review read back from the precomputed file carries
  // its statements' findings, and the findings are what the message shows.
  const counts = new Map<Risk, number>();
  const large = new Set<string>();
  for (const s of review.statements)
    for (const f of s.findings) {
      counts.set(f.category, (counts.get(f.category) ?? 0) + 1);
      if (f.lock?.mode === 'ACCESS EXCLUSIVE' && f.size?.grade === 'large') large.add(f.lock.relation);
    }
  const risks = new Map<Risk, string>();
  for (const [category, count] of counts) risks.set(category, `${count} ${category} finding${count === 1 ? '' : 's'}`);
  if (large.size > 0) risks.set('large-access-exclusive', `ACCESS EXCLUSIVE on large ${[...large].map((t) => `"${t}"`).join(', ')}`);
  return risks;
}

export function approvalNeed(
  review: Pick<Review, 'statements'>,
  env: { approvalsRequired: number; approvalRules?: readonly ApprovalRuleConfig[] },
): ApprovalNeed {
  const risks = risksOf(review);
  for (const rule of env.approvalRules ?? []) {
    const because = risks.get(rule.when);
    if (because === undefined) continue;
    return {
      approvalsRequired: Math.max(env.approvalsRequired, rule.approvalsRequired ?? env.approvalsRequired),
      rule: { name: rule.name, because, ...(rule.oneOf ? { oneOf: rule.oneOf } : {}) },
    };
  }
  return { approvalsRequired: env.approvalsRequired };
}
