import type { BuildSummary, CodeBuildGateway } from '../aws/codebuild.ts';
import { describeAwsError } from '../aws/lazy-sdk.ts';
import type { EnvironmentConfig } from '../config.ts';
import type { ApprovalRequest } from './approval-request.ts';

export type StartOutcome =
  | { kind: 'started'; build: BuildSummary }
  /** This request's build already exists (a concurrent approval, or a retried click). */
  | { kind: 'already-started'; build: BuildSummary }
  /** Another build of the project is running: migrations must not overlap. */
  | { kind: 'busy'; build: BuildSummary }
  | { kind: 'failed'; reason: string };

export interface BuildThread {
  channel: string;
  threadTs: string;
}

/** The overrides that pin a build to the reviewed request and let status updates find the thread. */
export function buildEnvironment(request: ApprovalRequest, env: EnvironmentConfig, thread: BuildThread): Record<string, string> {
  const vars: Record<string, string> =
    request.kind === 'migrate' ? { RUN_MIGRATIONS: 'true' } : { RUN_SEED: 'true', CLEAN: request.clean ? 'true' : 'false' };
  Object.assign(vars, {
    DEPLOYBOT_REQUEST_ID: request.id,
    EXPECTED_MIGRATIONS_SHA256: request.setHash,
    SLACK_CHANNEL_ID: thread.channel,
    SLACK_THREAD_TS: thread.threadTs,
    REQUESTED_BY: request.requestedBy,
    APPROVED_BY: request.approvals.join(','),
  });
  if (env.imageUri) vars.IMAGE_URI = env.imageUri;
  return vars;
}

export async function startApprovedBuild(
  request: ApprovalRequest,
  env: EnvironmentConfig,
  gateway: CodeBuildGateway,
  thread: BuildThread,
): Promise<StartOutcome> {
  let recent: BuildSummary[];
  try {
    recent = await gateway.recentBuilds(env.codebuildProject, env.region, 10);
  } catch (error) {
    return { kind: 'failed', reason: describeAwsError(error) };
  }
  const ours = recent.find((b) => b.env.DEPLOYBOT_REQUEST_ID === request.id);
  if (ours) return { kind: 'already-started', build: ours };
  const running = recent.find((b) => b.status === 'IN_PROGRESS');
  if (running) return { kind: 'busy', build: running };

  const started = await gateway.startBuild({
    project: env.codebuildProject,
    region: env.region,
    // CodeBuild returns the same build for a repeated token, or refuses it when parameters
    // differ, for five minutes: two approvals clicked together cannot start two builds.
    idempotencyToken: request.id,
    environment: buildEnvironment(request, env, thread),
    sourceVersion: env.sourceVersion,
  });
  if (started.ok) {
    return started.build.env.DEPLOYBOT_REQUEST_ID === request.id || started.build.env.DEPLOYBOT_REQUEST_ID === undefined
      ? { kind: 'started', build: started.build }
      : { kind: 'failed', reason: `CodeBuild answered with build ${started.build.id}, which belongs to another request` };
  }
  // A refused token most often means the concurrent approval won: find its build.
  const again = await gateway.recentBuilds(env.codebuildProject, env.region, 10).catch(() => []);
  const winner = again.find((b) => b.env.DEPLOYBOT_REQUEST_ID === request.id);
  if (winner) return { kind: 'already-started', build: winner };
  return { kind: 'failed', reason: `${started.code}: ${started.message}` };
}
