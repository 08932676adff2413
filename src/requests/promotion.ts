import { buildConsoleUrl } from '../codebuild-console.ts';
import { decodePlan, type Plan } from '../history/plan.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import type { PromotedFrom, RequestRecord } from './record.ts';

// Staging first (config `requires.succeededIn`): a request may ask for what already succeeded
// in the named environment, judged by the plan, not by a person's word. The same pending
// migrations means the plan's `pending.sha256`, taken over each migration's tag, journal `when`
// and file sha256 in order (src/history/plan.ts); a seed means the same `seedSha256` of its files.
// CLEAN and the image are not part of the comparison: they are reviewed and approved again.

export type Promotion = { ok: true; from?: PromotedFrom } | { ok: false; reason: string };

/** What two plans must share to be "the same change": kind and the hash of what runs. */
function changeOf(plan: Plan): { kind: Plan['kind']; sha256: string; count: number } {
  return plan.kind === 'seed'
    ? { kind: 'seed', sha256: plan.seedSha256, count: 1 }
    : { kind: 'migrate', sha256: plan.pending.sha256, count: plan.pending.count };
}

/**
 * Decides from `earlier`, the required environment's records newest first, whether `plan` may be
 * requested: the newest succeeded request with the same change is the one relied on.
 */
export function judgePromotion(plan: Plan, requiredEnv: string, earlier: readonly RequestRecord[]): Promotion {
  const wanted = changeOf(plan);
  // Nothing pending runs nothing: there is nothing staging could have tried first.
  if (wanted.kind === 'migrate' && wanted.count === 0) return { ok: true };
  const same = earlier.filter((r) => {
    if (r.env !== requiredEnv || r.kind !== wanted.kind) return false;
    const decoded = decodePlan(r.plan);
    return decoded.ok && changeOf(decoded.plan).sha256 === wanted.sha256;
  });
  const succeeded = same.find((r) => r.state === 'succeeded');
  if (succeeded) {
    const build = succeeded.build;
    const noticed = [...succeeded.events].reverse().find((e) => e.by === 'codebuild' && e.what === 'build succeeded');
    return {
      ok: true,
      from: {
        env: requiredEnv,
        requestId: succeeded.id,
        at: build?.endedAt ?? noticed?.at ?? succeeded.updatedAt,
        ...(build
          ? {
              buildId: build.id,
              region: build.region,
              ...(build.endedAt !== undefined ? { durationMs: Math.max(0, build.endedAt - build.startedAt) } : {}),
            }
          : {}),
      },
    };
  }
  const what =
    wanted.kind === 'seed'
      ? `the same seed files have not succeeded in ${requiredEnv} yet`
      : `the same migrations have not succeeded in ${requiredEnv} yet`;
  const newest = same[0];
  const detail = newest
    ? `the newest ${requiredEnv} request with them is ${newest.state} (request \`${newest.id}\`)`
    : wanted.kind === 'seed'
      ? `no recent ${requiredEnv} request ran seed files with sha256 \`${wanted.sha256.slice(0, 12)}\``
      : `no recent ${requiredEnv} request ran these ${wanted.count} migration${wanted.count === 1 ? '' : 's'} (pending set sha256 \`${wanted.sha256.slice(0, 12)}\`)`;
  return { ok: false, reason: `${what}: ${detail}. Request them in ${requiredEnv} first.` };
}

/** "ran in staging 2 h ago: ok in 4.2 s, build <link>", as of `now`. */
export function promotionLine(from: PromotedFrom, now: number): string {
  const took = from.durationMs === undefined ? '' : ` in ${seconds(from.durationMs)}`;
  const build = from.buildId && from.region ? `, build <${buildConsoleUrl(from.buildId, from.region)}|${escapeMrkdwn(from.buildId)}>` : '';
  return `ran in ${escapeMrkdwn(from.env)} ${ago(now - from.at)}: ok${took}${build}`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}
