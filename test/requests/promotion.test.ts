import { describe, expect, it } from 'vitest';
import { buildMigratePlan, buildSeedPlan, encodePlan, type Plan, planSha256 } from '../../src/history/plan.ts';
import { judgePromotion, promotionLine } from '../../src/requests/promotion.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { approvedRecord } from '../support/request-records.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const migrate = (hashes: string[], image: string | null = null, appliedRows: { id: number; createdAt: number; hash: string }[] = []) =>
  buildMigratePlan({ appliedRows, pending: hashes.map((hash, i) => ({ tag: `000${i}_m`, when: 1700000000000 + i, hash })), image });

const ran = (plan: Plan, changes: Partial<RequestRecord> = {}): RequestRecord =>
  approvedRecord({
    id: `staging-${planSha256(plan).slice(0, 6)}`,
    env: 'staging',
    kind: plan.kind,
    plan: encodePlan(plan),
    planSha256: planSha256(plan),
    state: 'succeeded',
    build: { id: 'daadaar-migrations-staging:1', region: 'us-east-1', status: 'SUCCEEDED', startedAt: 1_000, endedAt: 5_200 },
    ...changes,
  });

describe('judging staging first', () => {
  it('takes the newest succeeded request with the same pending set, whatever its applied history and image', () => {
    const staged = ran(migrate([HASH_A, HASH_B], null, [{ id: 1, createdAt: 1, hash: 'x' }]));
    const wanted = migrate([HASH_A, HASH_B], `sha256:${'d'.repeat(64)}`);
    expect(judgePromotion(wanted, 'staging', [staged])).toEqual({
      ok: true,
      from: {
        env: 'staging',
        requestId: staged.id,
        at: 5_200,
        buildId: 'daadaar-migrations-staging:1',
        region: 'us-east-1',
        durationMs: 4_200,
      },
    });
  });

  it('refuses the same files in another order, and names the newest attempt when none succeeded', () => {
    expect(judgePromotion(migrate([HASH_B, HASH_A]), 'staging', [ran(migrate([HASH_A, HASH_B]))])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no recent staging request ran these 2 migrations'),
    });
    const failed = ran(migrate([HASH_A]), { state: 'failed' });
    expect(judgePromotion(migrate([HASH_A]), 'staging', [failed])).toEqual({
      ok: false,
      reason: `the same migrations have not succeeded in staging yet: the newest staging request with them is failed (request \`${failed.id}\`). Request them in staging first.`,
    });
  });

  it('does not count another environment, a seed for a migration, or a record without an end time as more than it is', () => {
    const elsewhere = ran(migrate([HASH_A]), { env: 'qa' });
    expect(judgePromotion(migrate([HASH_A]), 'staging', [elsewhere]).ok).toBe(false);
    const seed = buildSeedPlan({ seedSha256: HASH_A, clean: false, image: null });
    expect(judgePromotion(seed, 'staging', [ran(migrate([HASH_A]))]).ok).toBe(false);
    // CLEAN is approved again; the files are what staging tried.
    expect(judgePromotion({ ...seed, clean: true }, 'staging', [ran(seed)]).ok).toBe(true);
    const old = ran(migrate([HASH_A]), { build: { id: 'p:1', region: 'us-east-1', status: 'SUCCEEDED', startedAt: 1_000 } });
    // Recorded before the end time was kept: the success's date stands in, and no duration is made up.
    const judged = judgePromotion(migrate([HASH_A]), 'staging', [old]);
    expect(judged).toMatchObject({ ok: true, from: { at: old.updatedAt } });
    expect(judged.ok && judged.from?.durationMs).toBeUndefined();
  });

  it('asks nothing of an empty pending set: nothing runs', () => {
    expect(judgePromotion(migrate([]), 'staging', [])).toEqual({ ok: true });
  });

  it('says how long ago and how long it took, with the build link', () => {
    const from = { env: 'staging', requestId: 'r', at: 0, buildId: 'p:1', region: 'us-east-1', durationMs: 4_200 };
    expect(promotionLine(from, 2 * 3_600_000 + 59_000)).toBe(
      'ran in staging 2 h ago: ok in 4.2 s, build <https://us-east-1.console.aws.amazon.com/codesuite/codebuild/projects/p/build/p%3A1/?region=us-east-1|p:1>',
    );
    expect(promotionLine({ env: 'staging', requestId: 'r', at: 0 }, 30_000)).toBe('ran in staging just now: ok');
    expect(promotionLine({ ...from, durationMs: 185_000 }, 3 * 86_400_000)).toMatch(/^ran in staging 3 d ago: ok in 3 min, build/);
  });
});
