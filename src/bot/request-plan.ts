import { resolveImageDigest } from '../aws/ecr.ts';
import { type EnvironmentConfig, timeoutPolicy } from '../config.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import { pinTimeouts } from '../history/pinned-timeouts.ts';
import { buildMigratePlan, buildSeedPlan, encodePlan, type Plan, planSha256 } from '../history/plan.ts';
import { seedFilesSha256 } from '../history/seed-files.ts';
import type { RequestKind } from '../requests/record.ts';
import type { BotContext } from './bot-context.ts';
import type { ReviewedSet } from './migration-catalog.ts';

// What approvers approve: the plan (src/history/plan.ts) of exactly this review: the target's
// applied history as read, the pending migrations in order, the image pinned by digest, and
// for a seed its files and CLEAN. The build recomputes it inside the image and refuses any
// difference, so the hash shown in Slack is the promise.

export interface PinnedImage {
  /** repo@sha256:… to pass as IMAGE_URI; absent when the tag could not be resolved. */
  uri?: string;
  digest: string | null;
  /** Why the image is not pinned (shown in the review; requires the typed confirmation). */
  problem?: string;
}

export type PinnedPlan = { ok: true; plan: Plan; encoded: string; sha256: string; image: PinnedImage } | { ok: false; reason: string };

export async function pinImage(ctx: BotContext, env: EnvironmentConfig): Promise<PinnedImage> {
  if (!env.imageUri) return { digest: null, problem: 'no imageUri is configured for this environment, so the image is not pinned' };
  const resolved = await withDeadline(resolveImageDigest(env.imageUri, env.region, ctx.images), BUDGET.ecr, 'ECR DescribeImages').catch(
    (error: unknown) => ({ ok: false as const, reason: (error as Error).message }),
  );
  return resolved.ok
    ? { uri: resolved.uri, digest: resolved.digest }
    : { digest: null, problem: `the image ${env.imageUri} could not be resolved to a digest (${resolved.reason})` };
}

export async function pinPlan(
  ctx: BotContext,
  env: EnvironmentConfig,
  kind: RequestKind,
  set: ReviewedSet,
  image: PinnedImage,
  clean = false,
): Promise<PinnedPlan> {
  let plan: Plan;
  if (kind === 'migrate') {
    if (!set.appliedRows) {
      return {
        ok: false,
        reason: `the target's applied history could not be read (${set.unknownReason ?? 'unknown reason'}), so no plan can be pinned and the build would refuse to run`,
      };
    }
    // Each statement's timeouts from its locks and the sizes this review read (src/history/pinned-timeouts.ts).
    const timeouts = pinTimeouts(set.review, set.migrations, timeoutPolicy(env));
    plan = buildMigratePlan({ appliedRows: set.appliedRows, pending: set.migrations, image: image.digest, timeouts });
  } else {
    const seed = await seedFilesSha256(ctx.seedRoot);
    if (!seed.ok) return { ok: false, reason: `the seed's files could not be hashed (${seed.reason})` };
    plan = buildSeedPlan({ seedSha256: seed.sha256, clean, image: image.digest });
  }
  const encoded = encodePlan(plan);
  return { ok: true, plan, encoded, sha256: planSha256(plan), image };
}
