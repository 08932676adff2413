import { decodeBuildEnvironment } from '../build-env.ts';
import { comparePlans, decodePlan, type ImageDigest, type Plan, sha256 } from './plan.ts';

// The approved plan as the build receives it (DEPLOYBOT_PLAN and DEPLOYBOT_PLAN_SHA256 from
// src/build-env.ts), and the digest of the image the build actually pulled, which only the
// buildspec knows (`docker image inspect` RepoDigests) and hands to the container.

/** Set by the buildspec, not by the bot: the digest of the image `docker pull` fetched. */
export const IMAGE_DIGEST_VAR = 'DEPLOYBOT_IMAGE_DIGEST';

export type ApprovedPlanRead = { ok: true; plan: Plan; sha256: string } | { ok: false; reason: string };

export function approvedPlanFromEnvironment(env: Readonly<Record<string, string | undefined>>): ApprovedPlanRead {
  const build = decodeBuildEnvironment(env);
  if (!build.plan || !build.planSha256) {
    return {
      ok: false,
      reason: 'No approved plan in the environment (DEPLOYBOT_PLAN, DEPLOYBOT_PLAN_SHA256): refusing to run what nobody approved.',
    };
  }
  const actual = sha256(build.plan);
  if (actual !== build.planSha256.toLowerCase()) {
    return {
      ok: false,
      reason: `DEPLOYBOT_PLAN hashes to ${actual}, not to the approved DEPLOYBOT_PLAN_SHA256 ${build.planSha256}: refusing to run.`,
    };
  }
  const decoded = decodePlan(build.plan);
  if (!decoded.ok) return { ok: false, reason: `DEPLOYBOT_PLAN cannot be read: ${decoded.reason}.` };
  return { ok: true, plan: decoded.plan, sha256: actual };
}

/** `sha256:…` from DEPLOYBOT_IMAGE_DIGEST (a bare digest or `repo@sha256:…`); null when absent or malformed. */
export function imageDigestFromEnvironment(env: Readonly<Record<string, string | undefined>>): ImageDigest {
  const raw = env[IMAGE_DIGEST_VAR]?.trim() ?? '';
  const digest = raw.slice(raw.lastIndexOf('@') + 1);
  return /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : null;
}

export type PlanCheck = { ok: true } | { ok: false; reason: string };

/** One line for the log tail: which part differs, and that nothing ran. */
export function checkAgainstApproved(approved: Plan, actual: Plan): PlanCheck {
  const diff = comparePlans(approved, actual);
  if (diff.same) return { ok: true };
  return { ok: false, reason: `Plan mismatch (${diff.part}): ${diff.reason}. Nothing was run; request a new review.` };
}
