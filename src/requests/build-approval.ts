import { type BuildRun, describeBuildRun, encodeSnapshotTarget, type SnapshotTarget } from '../build-env.ts';
import type { RequestRecord, RequestState } from './record.ts';
import type { RequestStore } from './store.ts';

// The build checks its approval at the point of effect. Every input of a plan is public, so a
// valid plan proves nothing about approval: anyone allowed to call StartBuild could compute one.
// The record can: before the build changes anything it reads its request and requires the state
// the last approval moved it to, the approvals, the plan and its sha256, the environment and the
// kind; then it claims the run with one conditional write, so a retried build (a console retry,
// CodeBuild's auto-retry, which calls RetryBuild with the same variables) or a second build of
// the same request finds the claim taken and refuses.

/** What the build says about itself: the StartBuild variables, the project's own, CodeBuild's id. */
export interface BuildIdentity {
  requestId: string;
  /** CODEBUILD_BUILD_ID, `project:uuid`. */
  buildId: string;
  /** The environment the project belongs to (its stack sets it, StartBuild cannot). */
  projectEnv: string;
  /** The environment StartBuild named (DEPLOYBOT_ENV). */
  env: string;
  run: BuildRun;
  /** DEPLOYBOT_PLAN, already checked to hash to planSha256. */
  plan: string;
  planSha256: string;
  /** DEPLOYBOT_SNAPSHOT, the snapshot the build took (or, absent, did not) before this check. */
  snapshot?: SnapshotTarget;
}

/** The states a build may run in: the write to `starting` is the one that called StartBuild. */
export const RUNNABLE_STATES: readonly RequestState[] = ['starting', 'started'];

export type ApprovalCheck = { ok: true } | { ok: false; reason: string };

/** Whether `record` approves this build. The reason is one line for the log tail. */
export function checkApproval(record: RequestRecord | undefined, build: BuildIdentity): ApprovalCheck {
  const refuse = (why: string): ApprovalCheck => ({ ok: false, reason: `Not approved: ${why}. Nothing was run.` });
  if (!record) return refuse(`request ${build.requestId} is not in the request table`);
  if (!RUNNABLE_STATES.includes(record.state)) return refuse(`request ${record.id} is ${record.state}, not approved for a build`);
  if (record.breakGlass) {
    // Break-glass: its requester's own confirmation on the posted review stands in for the approvals.
    if (record.breakGlass.confirmedAt === undefined || !record.confirmed)
      return refuse(`break-glass request ${record.id} was not confirmed by its requester`);
    if (record.kind !== 'migrate') return refuse(`break-glass request ${record.id} is a ${record.kind}; break-glass runs migrations only`);
  } else {
    const approvers = new Set(record.approvals.map((a) => a.user).filter((u) => u !== record.requestedBy));
    if (record.approvalsRequired < 1 || approvers.size < record.approvalsRequired)
      return refuse(`request ${record.id} has ${approvers.size} of ${record.approvalsRequired} approvals`);
  }
  if (record.planSha256 !== build.planSha256.toLowerCase() || record.plan !== build.plan)
    return refuse(`this build's plan ${build.planSha256} is not the plan ${record.planSha256} request ${record.id} was approved with`);
  if (record.env !== build.projectEnv || build.env !== build.projectEnv)
    return refuse(`request ${record.id} is for ${record.env}; this project belongs to ${build.projectEnv} (the build says ${build.env})`);
  const approvedRun: BuildRun = record.kind === 'migrate' ? { kind: 'migrate' } : { kind: 'seed', clean: record.clean === true };
  if (describeBuildRun(approvedRun) !== describeBuildRun(build.run))
    return refuse(`request ${record.id} approved ${describeBuildRun(approvedRun)}; this build would run ${describeBuildRun(build.run)}`);
  // A build started with DEPLOYBOT_SNAPSHOT=none (or another database) skipped the restore
  // point the approvers approved the destructive run with.
  if (encodeSnapshotTarget(record.snapshot) !== encodeSnapshotTarget(build.snapshot))
    return refuse(
      `request ${record.id} was approved with snapshot ${encodeSnapshotTarget(record.snapshot)}; this build says ${encodeSnapshotTarget(build.snapshot)}`,
    );
  if (record.buildRun)
    return refuse(`request ${record.id} already ran in build ${record.buildRun.buildId} (a request runs once; request it again)`);
  if (record.build && record.build.id !== build.buildId)
    return refuse(`request ${record.id} started build ${record.build.id}, not this build ${build.buildId}`);
  return { ok: true };
}

export type ClaimResult = { ok: true; record: RequestRecord } | { ok: false; reason: string };

const ATTEMPTS = 8;

/**
 * Reads the request, checks it, and claims the run on the version it checked: at most one build
 * of a request gets past this, and never on a picture of the record that changed meanwhile (a
 * write in between, such as the reporter's `starting → started`, means read and check again).
 */
export async function claimApprovedRun(store: RequestStore, build: BuildIdentity, now: number): Promise<ClaimResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await store.get(build.requestId);
    const check = checkApproval(record, build);
    if (!check.ok) return check;
    if (!record) break;
    const claim = { buildId: build.buildId, at: now };
    if ((await store.claimBuildRun(record.id, claim, record.version)) === 'claimed')
      return { ok: true, record: { ...record, buildRun: claim, version: record.version + 1 } };
  }
  return { ok: false, reason: `Not approved: request ${build.requestId} kept changing while this build claimed it. Nothing was run.` };
}
