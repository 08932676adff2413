import { decodeBuildEnvironment } from '../build-env.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import { isFinished, progressRank, statusMessage } from '../request-message/build-thread.ts';
import { type Decision, withThread } from '../requests/decisions.ts';
import { transition } from '../requests/transition.ts';
import type { RunProgress } from '../run-progress.ts';
import { parseRunnerLine } from '../runner-report.ts';
import { bindBuild } from './build-binding.ts';
import type { ReportDeps } from './build-reporter.ts';
import type { LogBatch } from './log-subscription.ts';

// The build's progress, as its log delivers it through the log group's subscription filter
// (infrastructure/aws/deploybot.yml), shown in the request's one status message. A batch names
// its log group and stream, not its request: CodeBuild writes a build to the stream named after
// the uuid of its id (project:uuid) in the project's group, so the build is read back from
// CodeBuild and bound to its request the way a build event is (./build-binding.ts).
//
// Slack allows chat.update at Tier 3, about 50 calls a minute per workspace
// (https://api.slack.com/methods/chat.update), and a heartbeat comes every few seconds for each
// running build, so the record decides, with the same conditional write that stores the event,
// whether this batch may call Slack: at most once per PROGRESS_WINDOW_MS per request
// (`thread.progressShownAt`). An event that arrives inside the window is kept in the record;
// the next batch after the window, or the next build event, shows the newest one. Each project
// runs one build at a time (ConcurrentBuildLimit: 1), so two environments make at most 24
// progress updates a minute, within the tier with room for build events and clicks. A call
// ends at BUDGET.slack (4 s), inside the window, so two progress updates of one request never
// overlap and an older rendering cannot land after a newer one.

/** At most one progress update of a request's status message in this time: 12 a minute per build. */
export const PROGRESS_WINDOW_MS = 5000;
/** Where CodeBuild writes a project's builds in our stacks: LogsConfig.CloudWatchLogs.GroupName. */
export const BUILD_LOG_GROUP_PREFIX = '/aws/codebuild/';

export type ProgressOutcome =
  | { kind: 'ignored'; reason: string }
  | {
      kind: 'progress';
      requestId: string;
      /** `kept-newer`: the record already holds an event at least as new (a replayed or late batch). */
      statusMessage: 'updated' | 'throttled' | 'kept-newer' | 'not-shown' | 'failed';
    };

export interface TimedProgress {
  event: RunProgress;
  /** The log event's timestamp (ms), which orders events across batches and replays. */
  at: number;
}

/** The newest valid progress event of a batch; on equal timestamps the later line wins, as the log orders them. */
export function newestProgress(batch: LogBatch): TimedProgress | undefined {
  let newest: TimedProgress | undefined;
  for (const logEvent of batch.logEvents) {
    for (const line of logEvent.message.replace(/\n$/, '').split('\n')) {
      const event = parseRunnerLine(line.replace(/\r$/, ''))?.progress;
      if (event && (!newest || logEvent.timestamp >= newest.at)) newest = { event, at: logEvent.timestamp };
    }
  }
  return newest;
}

export async function reportProgress(batch: LogBatch, lambdaRegion: string | undefined, deps: ReportDeps): Promise<ProgressOutcome> {
  const progress = newestProgress(batch);
  if (!progress) return ignored('the batch holds no progress event', deps);
  if (!batch.logGroup.startsWith(BUILD_LOG_GROUP_PREFIX)) return ignored(`log group ${batch.logGroup} is not a build log group`, deps);
  const project = batch.logGroup.slice(BUILD_LOG_GROUP_PREFIX.length);
  // Each environment stack subscribes the function of its own region (infrastructure/aws/deploybot.yml), and
  // the renderer refuses an environment outside the bot's region: the function's region narrows the project.
  const envs = Object.values(deps.config.environments).filter(
    (e) => e.codebuildProject === project && (!lambdaRegion || e.region === lambdaRegion),
  );
  const [env] = envs;
  if (!env || envs.length > 1) return ignored(`log group ${batch.logGroup} is not one configured project's`, deps);
  const buildId = `${project}:${batch.logStream}`;
  const build = await withDeadline(deps.codeBuild.getBuild(buildId, env.region), BUDGET.codeBuild, 'CodeBuild BatchGetBuilds');
  if (!build) return ignored(`build ${buildId} is not known to CodeBuild`, deps);
  if (build.logs?.groupName !== batch.logGroup || build.logs?.streamName !== batch.logStream)
    return ignored(`build ${buildId} does not write to ${batch.logGroup} ${batch.logStream}`, deps);
  const requestId = decodeBuildEnvironment(build.env).requestId;
  if (!requestId) return ignored(`build ${buildId} carries no request id`, deps);
  const record = await withDeadline(deps.store.get(requestId), BUDGET.dynamo, 'The request store');
  if (!record) return ignored(`request ${requestId} has no record`, deps);
  const bound = bindBuild(record, build, env.region, deps.config);
  if (!bound.ok) return ignored(bound.reason, deps);

  const now = deps.now();
  const rank = progressRank(build);
  const stored = await transition<{ show: boolean }>(deps.store, record.id, (r): Decision<{ show: boolean }> => {
    if (r.thread.progress && r.thread.progress.at >= progress.at) return { ok: false, reason: 'kept-newer' };
    // Shown only into a posted status message, never over a timeline newer than the build read here.
    const show =
      r.thread.statusTs !== undefined &&
      !isFinished(build) &&
      (r.thread.statusRank ?? -1) <= rank &&
      now - (r.thread.progressShownAt ?? Number.NEGATIVE_INFINITY) >= PROGRESS_WINDOW_MS;
    const thread = show ? { progress, progressShownAt: now, statusRank: rank } : { progress };
    return { ok: true, show, next: withThread(r, thread, now) };
  });
  if (!stored.ok) {
    if (stored.reason !== 'kept-newer') return ignored(stored.reason, deps);
    return { kind: 'progress', requestId, statusMessage: 'kept-newer' };
  }
  if (!stored.show) {
    const why = stored.record.thread.statusTs && !isFinished(build) ? 'throttled' : 'not-shown';
    return { kind: 'progress', requestId, statusMessage: why };
  }
  const rendered = statusMessage(build, env.region, now, progress);
  try {
    await withDeadline(
      deps.slack.chat.update({ channel: record.channel, ts: stored.record.thread.statusTs as string, ...rendered }),
      BUDGET.slack,
      'Slack chat.update',
    );
  } catch (error) {
    // Not retried: the next heartbeat, seconds away, says more than this one would.
    deps.log.warn('progress not shown', { buildId, requestId, error });
    return { kind: 'progress', requestId, statusMessage: 'failed' };
  }
  deps.log.info('progress shown', { buildId, requestId, progress: progress.event.kind });
  return { kind: 'progress', requestId, statusMessage: 'updated' };
}

function ignored(reason: string, deps: ReportDeps): ProgressOutcome {
  deps.log.info('log batch ignored', { reason });
  return { kind: 'ignored', reason };
}
