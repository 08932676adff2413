import type { BuildSummary } from '../aws/codebuild.ts';
import { describeAwsError } from '../aws/lazy-sdk.ts';
import { decodeBuildEnvironment, encodeBuildEnvironment } from '../build-env.ts';
import { buildConsoleUrl } from '../codebuild-console.ts';
import type { EnvironmentConfig } from '../config.ts';
import { updateRequestMessage } from '../request-message/update.ts';
import { buildStarted, startFailed } from '../requests/decisions.ts';
import type { RequestRecord } from '../requests/record.ts';
import { transition } from '../requests/transition.ts';
import { escapeMrkdwn, mention } from '../slack/mrkdwn.ts';
import type { BotContext } from './bot-context.ts';
import { threadReply } from './notify.ts';

/** What starting a build needs: the reconciler starts builds too, without the bot's catalog. */
export type StartDeps = Pick<BotContext, 'codeBuild' | 'store' | 'slack' | 'config' | 'actionKey' | 'log' | 'now'>;

/** How long a started build holds its environment's lock if its end is never reported. */
const BUILD_LOCK_MS = 3 * 60 * 60_000;

type Attempt = { kind: 'started'; build: BuildSummary } | { kind: 'not-started'; reason: string };

/**
 * Called only by whoever moved the request to `starting` (the one conditional write that
 * allows it), so a request starts at most one build however many clicks raced for it. The
 * idempotency token covers a retried call within CodeBuild's five minutes; after that the
 * project's recent builds are searched for this request's id before anything is concluded.
 */
export async function startRequestBuild(ctx: StartDeps, record: RequestRecord, env: EnvironmentConfig): Promise<RequestRecord> {
  const attempt = await attemptStart(ctx, record, env);
  const now = ctx.now();
  if (attempt.kind === 'started') {
    const done = await transition(ctx.store, record.id, (r) =>
      buildStarted(r, { id: attempt.build.id, region: env.region, status: attempt.build.status }, now),
    );
    const current = done.ok ? done.record : (done.record ?? record);
    await ctx.store
      .extendLock(record.env, record.id, now + BUILD_LOCK_MS)
      .catch((error: unknown) => ctx.log.warn('lock not extended', { error }));
    ctx.log.info('build started', { requestId: record.id, buildId: attempt.build.id });
    await updateRequestMessage(ctx, current);
    const approvedBy = current.breakGlass
      ? `Confirmed by ${mention(current.requestedBy)} alone (break-glass)`
      : `Approved by ${current.approvals.map((a) => mention(a.user)).join(', ')}`;
    await threadReply(
      ctx,
      current,
      `:rocket: ${approvedBy}. Build <${buildConsoleUrl(attempt.build.id, env.region)}|${escapeMrkdwn(attempt.build.id)}> started, pinned to the approved plan sha256 \`${record.planSha256}\`. Status follows in this thread.`,
    );
    return current;
  }
  const back = await transition(ctx.store, record.id, (r) => startFailed(r, attempt.reason, now));
  const current = back.ok ? back.record : (back.record ?? record);
  ctx.log.warn('build not started', { requestId: record.id, reason: attempt.reason });
  await updateRequestMessage(ctx, current);
  await threadReply(
    ctx,
    current,
    `:x: The build did not start: ${escapeMrkdwn(attempt.reason)}. Nothing ran. The request is still open: ${current.breakGlass ? `${mention(current.requestedBy)} can click Run now` : 'an approver can click Approve'} to try again.`,
  );
  return current;
}

async function attemptStart(ctx: StartDeps, record: RequestRecord, env: EnvironmentConfig): Promise<Attempt> {
  let recent: BuildSummary[];
  let ours: BuildSummary | undefined;
  try {
    ours = await findRequestBuild(ctx, record, env);
    recent = ours ? [] : await ctx.codeBuild.recentBuilds(env.codebuildProject, env.region, 10);
  } catch (error) {
    return { kind: 'not-started', reason: `CodeBuild could not be asked which builds are running (${describeAwsError(error)})` };
  }
  if (ours) return { kind: 'started', build: ours };
  const running = recent.find((b) => b.status === 'IN_PROGRESS');
  if (running) {
    const other = decodeBuildEnvironment(running.env).requestId;
    return {
      kind: 'not-started',
      reason: `build ${running.id} of ${env.codebuildProject} is still running${other ? ` (request ${other})` : ''}, and migrations never overlap`,
    };
  }
  const input = {
    project: env.codebuildProject,
    region: env.region,
    idempotencyToken: record.id,
    environment: encodeBuildEnvironment({
      run: record.kind === 'migrate' ? { kind: 'migrate' } : { kind: 'seed', clean: record.clean === true },
      requestId: record.id,
      env: record.env,
      channel: record.channel,
      threadTs: record.messageTs ?? '',
      requestedBy: record.requestedBy,
      approvedBy: record.approvals.map((a) => a.user),
      plan: record.plan,
      planSha256: record.planSha256,
      imageUri: record.imageUri,
      snapshot: record.snapshot,
    }),
    sourceVersion: env.sourceVersion,
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const started = await ctx.codeBuild.startBuild(input);
    if (started.ok) return { kind: 'started', build: started.build };
    if (!started.ambiguous) return { kind: 'not-started', reason: `${started.code}: ${started.message}` };
    ctx.log.warn('StartBuild outcome unknown; retrying with the same token', { requestId: record.id, error: started.message });
  }
  // Both calls may have reached CodeBuild: look for this request's build before concluding.
  const found = await findRequestBuild(ctx, record, env).catch(() => undefined);
  return found
    ? { kind: 'started', build: found }
    : { kind: 'not-started', reason: 'CodeBuild did not answer StartBuild, and no build of this request exists' };
}

/** A build may only exist from the approval that completed the count; a minute covers clock skew. */
function approvedAt(record: RequestRecord): number {
  return Math.max(record.createdAt, ...record.approvals.map((a) => a.at)) - 60_000;
}

/** This request's build, however many builds of the project ran since it was approved. */
export function findRequestBuild(ctx: Pick<StartDeps, 'codeBuild'>, record: RequestRecord, env: EnvironmentConfig) {
  return ctx.codeBuild.findBuild(
    env.codebuildProject,
    env.region,
    approvedAt(record),
    (b) => decodeBuildEnvironment(b.env).requestId === record.id,
  );
}

/**
 * A start that stalled in `starting` (its invocation died, or its answer was lost): the
 * reconciler's to finish. A build of this request found anywhere since the approval is
 * adopted; otherwise the start is finished with the same idempotency token, but only while the
 * approval is valid and the environment's lock still names this request; else the request goes
 * back to open with the reason, and nothing runs.
 */
export async function resumeRequestBuild(ctx: StartDeps, record: RequestRecord, env: EnvironmentConfig): Promise<RequestRecord> {
  const now = ctx.now();
  const lock = await ctx.store.readLock(record.env);
  const why =
    now >= record.expiresAt
      ? 'the start was interrupted and the approval has expired since'
      : lock?.requestId !== record.id
        ? "the start was interrupted and the environment's lock no longer names this request"
        : undefined;
  if (why) {
    const found = await findRequestBuild(ctx, record, env);
    if (found) return startRequestBuild(ctx, record, env);
    const back = await transition(ctx.store, record.id, (r) => startFailed(r, why, now));
    const current = back.ok ? back.record : (back.record ?? record);
    if (!back.ok) return current;
    ctx.log.warn('stalled start abandoned', { requestId: record.id, reason: why });
    await updateRequestMessage(ctx, current);
    await threadReply(ctx, current, `:x: The build did not start: ${escapeMrkdwn(why)}. Nothing ran.`);
    return current;
  }
  ctx.log.warn('finishing a stalled start', { requestId: record.id });
  return startRequestBuild(ctx, record, env);
}
