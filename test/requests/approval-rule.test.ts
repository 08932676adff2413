import { describe, expect, it } from 'vitest';
import { approvalNeed, risksOf } from '../../src/requests/approval-rule.ts';
import type { Finding, ReviewedStatement } from '../../src/review/model.ts';

const finding = (category: Finding['category'], lock?: Finding['lock'], grade?: 'small' | 'large'): Finding => ({
  rule: 'r',
  category,
  message: 'm',
  help: 'h',
  ...(lock ? { lock } : {}),
  ...(lock && grade ? { size: { relation: lock.relation, rows: 1, bytes: 1, grade } } : {}),
});
const statement = (findings: Finding[]): ReviewedStatement => ({
  file: 'f',
  migration: 'm',
  index: 0,
  line: 1,
  sql: 'x',
  findings,
  locks: [],
});
const exclusive = { mode: 'ACCESS EXCLUSIVE' as const, relation: 'public.votes', blocks: 'reads and writes' };

describe('approval rules', () => {
  it('reads the risks from the findings: categories counted, a large table under ACCESS EXCLUSIVE named', () => {
    const risks = risksOf({
      statements: [statement([finding('destructive'), finding('locking', exclusive, 'large')]), statement([finding('destructive')])],
    });
    expect(Object.fromEntries(risks)).toEqual({
      destructive: '2 destructive findings',
      locking: '1 locking finding',
      'large-access-exclusive': 'ACCESS EXCLUSIVE on large "public.votes"',
    });
    expect(risksOf({ statements: [statement([finding('locking', exclusive, 'small')])] }).has('large-access-exclusive')).toBe(false);
  });

  it('lets the first rule that holds decide, never below the environment default, and the default when none holds', () => {
    const review = { statements: [statement([finding('locking', exclusive, 'large'), finding('destructive')])] };
    const rules = [
      { name: 'dba for big locks', when: 'large-access-exclusive' as const, oneOf: 'S0DBAS' },
      { name: 'data loss', when: 'destructive' as const, approvalsRequired: 3 },
    ];
    expect(approvalNeed(review, { approvalsRequired: 2, approvalRules: rules })).toEqual({
      approvalsRequired: 2,
      rule: { name: 'dba for big locks', because: 'ACCESS EXCLUSIVE on large "public.votes"', oneOf: 'S0DBAS' },
    });
    expect(
      approvalNeed(review, { approvalsRequired: 2, approvalRules: [{ name: 'lower', when: 'destructive', approvalsRequired: 1 }] }),
    ).toMatchObject({
      approvalsRequired: 2,
    });
    expect(approvalNeed({ statements: [] }, { approvalsRequired: 1, approvalRules: rules })).toEqual({ approvalsRequired: 1 });
  });
});
