import { DynamoRequestStore } from '../src/aws/request-store.ts';
import { type BuildRun, decodeBuildEnvironment, PROJECT_VARS } from '../src/build-env.ts';
import { claimApprovedRun } from '../src/requests/build-approval.ts';

// The migrate and seed entries' last step before they change anything, in CodeBuild: the
// request record must approve this very build, and the build claims the run (one conditional
// write). The table and the project's environment are the project's own variables; the
// DynamoDB endpoint and credentials are the SDK's standard ones (the build's role, through
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, which the buildspec hands to the container).

type Env = Readonly<Record<string, string | undefined>>;

export type ApprovedRun = { ok: true; line: string } | { ok: false; reason: string; exitCode: number };

/** Exit 3: refused (not approved, or already run); exit 2: cannot check (missing variables, the table unreachable). */
/** `planSha256`: what approvedPlanFromEnvironment found DEPLOYBOT_PLAN to hash to. */
export async function claimApprovedRunFromEnvironment(env: Env, run: BuildRun, planSha256: string): Promise<ApprovedRun> {
  const vars = decodeBuildEnvironment(env);
  const table = env[PROJECT_VARS.table];
  const projectEnv = env[PROJECT_VARS.projectEnv];
  const buildId = env[PROJECT_VARS.buildId];
  const missing = [
    ['DEPLOYBOT_REQUEST_ID', vars.requestId],
    ['DEPLOYBOT_ENV', vars.env],
    ['DEPLOYBOT_PLAN', vars.plan],
    [PROJECT_VARS.table, table],
    [PROJECT_VARS.projectEnv, projectEnv],
    [PROJECT_VARS.buildId, buildId],
  ].filter(([, value]) => !value);
  if (missing.length > 0 || !vars.requestId || !vars.env || !vars.plan || !table || !projectEnv || !buildId)
    return {
      ok: false,
      reason: `Not approved: the build lacks ${missing.map(([name]) => name).join(', ')}, so it cannot show its approval. Nothing was run.`,
      exitCode: 3,
    };
  const store = new DynamoRequestStore(table);
  try {
    const claimed = await claimApprovedRun(
      store,
      { requestId: vars.requestId, buildId, projectEnv, env: vars.env, run, plan: vars.plan, planSha256, snapshot: vars.snapshot },
      Date.now(),
    );
    if (!claimed.ok) return { ok: false, reason: claimed.reason, exitCode: 3 };
    const approvers = claimed.record.approvals.map((a) => a.user).join(', ');
    const how = claimed.record.breakGlass ? `break-glass, confirmed by ${claimed.record.requestedBy} alone` : `approved by ${approvers}`;
    return { ok: true, line: `Approved: request ${claimed.record.id} (${how}), claimed by build ${buildId}.` };
  } catch (error) {
    // An SDK error names the operation and the cause, never a credential.
    const name = (error as { name?: string }).name ?? 'Error';
    return { ok: false, reason: `Cannot check the approval in ${table}: ${name}. Nothing was run.`, exitCode: 2 };
  }
}
