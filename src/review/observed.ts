import { lockRank } from './lock-model.ts';
import type { Finding, LockMode, ObservedEffect, Review, ReviewedStatement, StatementTrace } from './model.ts';

// The rules predict; the traced dry run observes (src/dryrun/lock-trace.ts). Where the two
// disagree the statement and its findings say so, so an approver trusts neither blindly. The
// dry run's tables are empty, which changes no lock mode and no rewrite decision: Postgres
// picks both from the command and the types, not from the data.

/** Rules whose finding means "this statement rewrites the table". */
const REWRITE_RULES = new Set(['alter-column-type-rewrite', 'add-column-volatile-default', 'vacuum-full', 'cluster']);

const bare = (relation: string) => `"${relation.replace(/^public\./, '')}"`;

export function withObservedEffects(review: Review, trace: readonly StatementTrace[] | undefined): Review {
  if (!trace?.length) return review;
  const byStatement = new Map(trace.map((t) => [`${t.migration}#${t.index}`, t]));
  return {
    ...review,
    statements: review.statements.map((s) => {
      const seen = byStatement.get(`${s.migration}#${s.index}`);
      return seen ? observe(s, seen) : s;
    }),
  };
}

function observe(s: ReviewedStatement, seen: StatementTrace): ReviewedStatement {
  const strongestSeen = new Map<string, LockMode>();
  for (const l of seen.locks) {
    const held = strongestSeen.get(l.relation);
    if (!held || lockRank(l.mode) > lockRank(held)) strongestSeen.set(l.relation, l.mode);
  }
  const locks = [...strongestSeen].map(([relation, mode]) => ({ relation, mode }));
  const problems: string[] = [];
  for (const predicted of s.locks) {
    const mode = strongestSeen.get(predicted.relation);
    if (mode && mode !== predicted.mode)
      problems.push(`the rules expect ${predicted.mode} on ${bare(predicted.relation)}, the dry run took ${mode}`);
  }
  const claimsRewrite = s.findings.some((f) => REWRITE_RULES.has(f.rule));
  if (claimsRewrite && seen.rewritten.length === 0) problems.push('the rules expect a table rewrite, the dry run rewrote nothing');
  if (!claimsRewrite && seen.rewritten.length > 0)
    problems.push(`the dry run rewrote ${seen.rewritten.map(bare).join(', ')}, which no rule flagged`);
  const observed: ObservedEffect = {
    locks,
    rewritten: seen.rewritten,
    ...(problems.length ? { disagreement: `${problems.join('; ')}.` } : {}),
  };
  const findings = s.findings.map((f): Finding => ({ ...f, observed }));
  return { ...s, findings, observed };
}
