import { describe, expect, it } from 'vitest';
import {
  buildMigratePlan,
  buildSeedPlan,
  comparePlans,
  decodePlan,
  encodePlan,
  type MigratePlan,
  PLAN_MAX_CHARS,
  planSha256,
  sha256,
} from '../../src/history/plan.ts';
import type { AppliedRow } from '../../src/history/target-plan.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import { loadHistory } from '../support/migration-folders.ts';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const OTHER_IMAGE = `sha256:${'b'.repeat(64)}`;

function rows(n: number): AppliedRow[] {
  return Array.from({ length: n }, (_, i) => ({ id: i + 1, createdAt: 1_700_000_000_000 + i * 1000, hash: sha256(`migration ${i}`) }));
}

function migrations(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    tag: `${String(from + i).padStart(4, '0')}_a_descriptive_migration_name`,
    when: 1_800_000_000_000 + (from + i) * 1000,
    hash: sha256(`pending ${from + i}`),
  }));
}

function migratePlan(applied = rows(5), pending = migrations(2, 5), image: string | null = IMAGE): MigratePlan {
  return buildMigratePlan({ appliedRows: applied, pending, image });
}

describe('the plan', () => {
  it('is built from what the review computes, and the same inputs give the same hash', async () => {
    const history = await loadHistory();
    const applied = history.slice(0, 3).map((m, i) => ({ id: i + 1, hash: m.hash, createdAt: m.when ?? 0 }));
    const target = planAgainstDatabase(history, [], applied);
    const plan = buildMigratePlan({ appliedRows: applied, pending: target.pending, image: IMAGE });
    expect(plan.pending.migrations?.map((m) => m.tag)).toEqual(history.slice(3).map((m) => m.tag));
    expect(plan.applied).toMatchObject({ count: 3, last: applied[2] });
    const again = buildMigratePlan({ appliedRows: [...applied].reverse(), pending: target.pending, image: IMAGE });
    expect(planSha256(again)).toBe(planSha256(plan));
    expect(planSha256(plan)).toBe(sha256(encodePlan(plan)));
    expect(planSha256(plan)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips through its encoding, for a migrate and a seed plan', () => {
    const migrate = migratePlan();
    const seed = buildSeedPlan({ seedSha256: sha256('seed'), clean: true, image: null });
    for (const plan of [migrate, seed]) {
      const decoded = decodePlan(encodePlan(plan));
      expect(decoded).toEqual({ ok: true, plan });
    }
  });

  it('refuses what is not a canonical plan, with a reason', () => {
    const text = encodePlan(migratePlan());
    expect(decodePlan('not json')).toEqual({ ok: false, reason: 'the plan is not JSON' });
    expect(decodePlan('{"v":2}')).toMatchObject({ ok: false, reason: expect.stringContaining('shape') });
    expect(decodePlan(text.replace(IMAGE, 'latest'))).toMatchObject({ ok: false });
    expect(decodePlan(JSON.stringify(JSON.parse(text), null, 1))).toEqual({
      ok: false,
      reason: 'the plan is not in its canonical encoding',
    });
  });

  it('fits a CodeBuild environment variable with 95 applied migrations, listing a usual pending set', () => {
    const plan = migratePlan(rows(95), migrations(12, 95));
    const text = encodePlan(plan);
    expect(text.length).toBeLessThanOrEqual(PLAN_MAX_CHARS);
    const decoded = decodePlan(text);
    expect(decoded.ok && decoded.plan.kind === 'migrate' && decoded.plan.pending.migrations).toHaveLength(12);
  });

  it('summarizes a pending set too long to list (a fresh database), and still tells a different one apart', () => {
    const plan = migratePlan([], migrations(95));
    const text = encodePlan(plan);
    expect(text.length).toBeLessThanOrEqual(PLAN_MAX_CHARS);
    const decoded = decodePlan(text);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.plan.kind === 'migrate' && decoded.plan.pending.migrations).toBeUndefined();
    expect(comparePlans(decoded.plan, plan)).toEqual({ same: true });
    const moreInImage = migratePlan([], migrations(96));
    expect(comparePlans(decoded.plan, moreInImage)).toMatchObject({ same: false, part: 'pending-set' });
  });
});

describe('comparePlans', () => {
  const approved = migratePlan();

  it('finds an unchanged target equal', () => {
    expect(comparePlans(approved, migratePlan())).toEqual({ same: true });
  });

  it('names a migration applied since the review', () => {
    const moved = migratePlan(rows(6), migrations(1, 6));
    const diff = comparePlans(approved, moved);
    expect(diff).toMatchObject({ same: false, part: 'applied-history' });
    expect(!diff.same && diff.reason).toContain('now has 6 rows, the review saw 5 (1 applied since)');
  });

  it('names a migration removed since the review', () => {
    const diff = comparePlans(approved, migratePlan(rows(4), migrations(3, 4)));
    expect(!diff.same && diff.reason).toContain('(1 removed since)');
  });

  it("names a changed row's hash, the newest or an older one", () => {
    const newest = rows(5);
    newest[4] = { ...(newest[4] as AppliedRow), hash: sha256('edited') };
    const a = comparePlans(approved, migratePlan(newest));
    expect(a).toMatchObject({ same: false, part: 'applied-history' });
    expect(!a.same && a.reason).toContain('the newest row was id 5');
    const older = rows(5);
    older[1] = { ...(older[1] as AppliedRow), hash: sha256('edited') };
    const b = comparePlans(approved, migratePlan(older));
    expect(!b.same && b.reason).toContain("an older row's id, created_at or hash changed");
  });

  it('names pending migrations nobody approved, and an edited pending file', () => {
    const more = comparePlans(approved, migratePlan(rows(5), migrations(3, 5)));
    expect(more).toMatchObject({ same: false, part: 'pending-set' });
    expect(!more.same && more.reason).toContain('not approved: 0007_a_descriptive_migration_name');
    const edited = migrations(2, 5);
    edited[1] = { ...(edited[1] as (typeof edited)[number]), hash: sha256('edited') };
    const diff = comparePlans(approved, migratePlan(rows(5), edited));
    expect(!diff.same && diff.reason).toContain('file changed: 0006_a_descriptive_migration_name');
  });

  it('refuses another image digest, and accepts any when the approvers approved an unresolved image', () => {
    const diff = comparePlans(approved, migratePlan(undefined, undefined, OTHER_IMAGE));
    expect(diff).toMatchObject({ same: false, part: 'image' });
    expect(!diff.same && diff.reason).toBe(`the image differs: approved ${IMAGE}, this build runs ${OTHER_IMAGE}`);
    expect(comparePlans(migratePlan(undefined, undefined, null), migratePlan(undefined, undefined, OTHER_IMAGE))).toEqual({
      same: true,
    });
  });

  it('refuses a seed whose files or CLEAN differ, and a seed plan for a migration build', () => {
    const seed = buildSeedPlan({ seedSha256: sha256('seed v1'), clean: false, image: IMAGE });
    expect(comparePlans(seed, { ...seed })).toEqual({ same: true });
    expect(comparePlans(seed, { ...seed, seedSha256: sha256('seed v2') })).toMatchObject({ same: false, part: 'seed-file' });
    const clean = comparePlans(seed, { ...seed, clean: true });
    expect(clean).toEqual({ same: false, part: 'clean', reason: 'CLEAN differs: approved CLEAN=false, this build has CLEAN=true' });
    expect(comparePlans(seed, approved)).toMatchObject({ same: false, part: 'kind' });
  });
});
