import { describe, expect, it } from 'vitest';
import { timeoutPolicy } from '../../src/config.ts';
import { describePinnedTimeouts, pinTimeouts, timeoutsAt } from '../../src/history/pinned-timeouts.ts';
import { buildMigratePlan, decodePlan, encodePlan, PLAN_MAX_CHARS, planSha256, sha256 } from '../../src/history/plan.ts';
import type { RelationLock, ReviewedStatement, SizeGrade, TableSize } from '../../src/review/model.ts';
import { DEFAULT_TIMEOUT_POLICY, statementTimeouts } from '../../src/review/statement-timeouts.ts';

const lock = (mode: RelationLock['mode'], relation = 'public.users'): RelationLock => ({ mode, relation, blocks: '' });
const sizes = (grades: Record<string, SizeGrade>) => new Map(Object.entries(grades));

describe('statementTimeouts', () => {
  it('waits least for a lock that blocks reads, and bounds the run by the table it blocks', () => {
    expect(statementTimeouts([lock('ACCESS EXCLUSIVE')], sizes({ 'public.users': 'small' }))).toEqual({
      lockTimeoutMs: 3000,
      statementTimeoutMs: 60_000,
    });
    expect(statementTimeouts([lock('SHARE ROW EXCLUSIVE')], sizes({ 'public.users': 'large' }))).toEqual({
      lockTimeoutMs: 5000,
      statementTimeoutMs: 1_800_000,
    });
  });

  it('never cuts a statement that blocks neither reads nor writes (CREATE INDEX CONCURRENTLY, a batched UPDATE)', () => {
    expect(statementTimeouts([lock('SHARE UPDATE EXCLUSIVE')], sizes({ 'public.users': 'large' }))).toEqual({
      lockTimeoutMs: 10_000,
      statementTimeoutMs: 0,
    });
    expect(statementTimeouts([], new Map())).toEqual({ lockTimeoutMs: 10_000, statementTimeoutMs: 0 });
  });

  it('takes the strongest lock for the wait and the largest blocked table for the run; an unread size counts as unknown', () => {
    const locks = [lock('ROW EXCLUSIVE', 'public.big'), lock('SHARE', 'public.small'), lock('ACCESS EXCLUSIVE', 'public.never_read')];
    const chosen = statementTimeouts(locks, sizes({ 'public.big': 'large', 'public.small': 'small' }));
    // public.big is only ROW EXCLUSIVE (blocks nothing): its size does not count.
    expect(chosen).toEqual({ lockTimeoutMs: 3000, statementTimeoutMs: DEFAULT_TIMEOUT_POLICY.statementTimeoutMs.unknown });
  });

  it('follows an environment policy, where a statement_timeout of 0 means none', () => {
    const policy = timeoutPolicy({ timeouts: { lockTimeoutMs: { readsAndWrites: 1500 }, statementTimeoutMs: { large: 0 } } });
    expect(policy.lockTimeoutMs).toEqual({ readsAndWrites: 1500, writes: 5000, neither: 10_000 });
    expect(policy.giveUpAfterMs).toBe(5000);
    expect(timeoutPolicy({ timeouts: { giveUpAfterMs: 2000 } }).giveUpAfterMs).toBe(2000);
    expect(statementTimeouts([lock('ACCESS EXCLUSIVE')], sizes({ 'public.users': 'large' }), policy)).toEqual({
      lockTimeoutMs: 1500,
      statementTimeoutMs: 0,
    });
  });
});

function statement(migration: string, index: number, locks: RelationLock[]): ReviewedStatement {
  return { file: `${migration}.sql`, migration, index, line: index + 1, sql: 'x', findings: [], locks };
}

const pending = [
  { tag: '0005_a', when: 5, hash: sha256('a') },
  { tag: '0006_b', when: 6, hash: sha256('b') },
];
const table = (relation: string, grade: SizeGrade): TableSize => ({ relation, rows: 1, bytes: 1, grade });

describe('pinned timeouts', () => {
  const review = {
    statements: [
      statement('0005_a', 0, []),
      statement('0005_a', 1, [lock('ACCESS EXCLUSIVE')]),
      statement('0006_b', 0, [lock('SHARE', 'public.posts')]),
    ],
    tables: [table('public.users', 'medium'), table('public.posts', 'large')],
  };

  it('lists only the statements that differ from the default, by pending position and index', () => {
    const pinned = pinTimeouts(review, pending);
    expect(pinned.default).toEqual({ lockTimeoutMs: 10_000, statementTimeoutMs: 0 });
    expect(pinned.statements).toEqual([
      { migration: 0, index: 1, lockTimeoutMs: 3000, statementTimeoutMs: 600_000 },
      { migration: 1, index: 0, lockTimeoutMs: 5000, statementTimeoutMs: 1_800_000 },
    ]);
    expect(timeoutsAt(pinned, 0, 0)).toEqual(pinned.default);
    expect(timeoutsAt(pinned, 1, 0)).toEqual({ lockTimeoutMs: 5000, statementTimeoutMs: 1_800_000 });
    expect(describePinnedTimeouts(pinned, 3)).toBe(
      'lock_timeout 3 s (1), 5 s (1), 10 s (1); statement_timeout 10 min (1), 30 min (1), none (1)',
    );
  });

  it('are part of what is approved: in the encoding, round-tripped, and a different timeout is a different sha256', () => {
    const plan = buildMigratePlan({ appliedRows: [], pending, image: null, timeouts: pinTimeouts(review, pending) });
    const decoded = decodePlan(encodePlan(plan));
    expect(decoded).toEqual({ ok: true, plan });
    const stricter = buildMigratePlan({
      appliedRows: [],
      pending,
      image: null,
      timeouts: pinTimeouts(review, pending, timeoutPolicy({ timeouts: { lockTimeoutMs: { writes: 4000 } } })),
    });
    expect(planSha256(stricter)).not.toBe(planSha256(plan));
    // A plan made without them encodes exactly as before they existed.
    expect(encodePlan(buildMigratePlan({ appliedRows: [], pending, image: null }))).not.toContain('timeouts');
  });

  it('collapse to one pair for the run when one per statement does not fit the plan: the shortest wait, no run limit', () => {
    const many = {
      statements: Array.from({ length: 400 }, (_, i) => statement('0005_a', i, [lock(i % 2 ? 'ACCESS EXCLUSIVE' : 'SHARE')])),
      tables: [table('public.users', 'small')],
    };
    const plan = buildMigratePlan({ appliedRows: [], pending, image: null, timeouts: pinTimeouts(many, pending) });
    expect(plan.timeouts).toEqual({ giveUpAfterMs: 5000, default: { lockTimeoutMs: 3000, statementTimeoutMs: 0 }, statements: [] });
    expect(encodePlan(plan).length).toBeLessThanOrEqual(PLAN_MAX_CHARS);
  });

  it('refuses a plan whose timeouts are not numbers', () => {
    const text = encodePlan(buildMigratePlan({ appliedRows: [], pending, image: null, timeouts: pinTimeouts(review, pending) }));
    expect(decodePlan(text.replace('"d":[10000,0]', '"d":[10000,"x"]')).ok).toBe(false);
    expect(decodePlan(text.replace('"d":[10000,0]', '"d":[-1,0]')).ok).toBe(false);
    expect(decodePlan(text.replace('"g":5000,', '')).ok).toBe(false);
  });
});

describe('pinned timeouts of a piece drizzle sends as one query', () => {
  it('give every statement of the piece the shortest wait and the longest run of any of them', () => {
    const inPiece = (index: number, locks: RelationLock[]): ReviewedStatement => ({
      ...statement('0005_a', index, locks),
      query: { index: 0, statements: 2 },
    });
    const review = {
      statements: [inPiece(0, [lock('ACCESS EXCLUSIVE')]), inPiece(1, [lock('SHARE', 'public.posts')]), statement('0005_a', 2, [])],
      tables: [table('public.users', 'small'), table('public.posts', 'large')],
    };
    const pinned = pinTimeouts(review, pending);
    expect(pinned.statements).toEqual([
      { migration: 0, index: 0, lockTimeoutMs: 3000, statementTimeoutMs: 1_800_000 },
      { migration: 0, index: 1, lockTimeoutMs: 3000, statementTimeoutMs: 1_800_000 },
    ]);
  });
});
