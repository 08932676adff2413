import type { BuildSummary, CodeBuildGateway } from '../aws/codebuild.ts';
import { type LogTailGateway, tailOfBuild } from '../aws/log-tail.ts';
import { decodeBuildEnvironment } from '../build-env.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import { isFinished, progressRank, resultReply, statusMessage, tailReply } from '../request-message/build-thread.ts';
import { type RequestViewDeps, updateRequestMessage } from '../request-message/update.ts';
import { buildEnded, type Decision, withThread } from '../requests/decisions.ts';
import type { RequestRecord } from '../requests/record.ts';
import { transition } from '../requests/transition.ts';
import { bindBuild } from './build-binding.ts';
import { type PostOnceDeps, postOnce } from './post-once.ts';

// Brings a request's thread up to date with its build as CodeBuild reports it now. Any number
// of calls, in any order and at the same moment (EventBridge delivers at least once and out of
// order; `/daadaar status` repairs), converge on one status message, one result reply and a
// review message that shows the record. Who posts is decided by conditional writes on the
// request record, never by reading the thread: two readers of a thread both see "no reply yet".

/** What re-rendering the review message needs, and CodeBuild and its logs besides. */
export interface ReportDeps extends RequestViewDeps, PostOnceDeps {
  codeBuild: CodeBuildGateway;
  logs: LogTailGateway;
}

export type ReportOutcome =
  | { kind: 'not-found' }
  | { kind: 'not-ours'; reason: string }
  | {
      kind: 'reported';
      requestId: string;
      status: string;
      statusMessage: 'posted' | 'updated' | 'unchanged' | 'kept-newer' | 'claimed-elsewhere';
      resultPosted: boolean;
    };

/** For an event, which names the build only: its state is read back from CodeBuild now. */
export async function reportBuildById(buildId: string, region: string, deps: ReportDeps): Promise<ReportOutcome> {
  const build = await withDeadline(deps.codeBuild.getBuild(buildId, region), BUDGET.codeBuild, 'CodeBuild BatchGetBuilds');
  if (!build) return { kind: 'not-found' };
  return reportBuild(build, region, deps);
}

/** For a caller that has just read the build itself (`/daadaar status`). */
export async function reportBuild(build: BuildSummary, region: string, deps: ReportDeps): Promise<ReportOutcome> {
  const requestId = decodeBuildEnvironment(build.env).requestId;
  if (!requestId) return ignored(build, 'it carries no request id', deps);
  let record = await withDeadline(deps.store.get(requestId), BUDGET.dynamo, 'The request store');
  if (!record) return ignored(build, `request ${requestId} has no record`, deps);
  const bound = bindBuild(record, build, region, deps.config);
  if (!bound.ok) return ignored(build, bound.reason, deps);
  // A build whose review ts never reached the record still ends in the record and frees the
  // lock; the thread is written once the reconciler has found the message (src/reconciler/).
  const statusOutcome = record.messageTs ? await reportTimeline(record, build, region, deps) : 'unchanged';

  let resultPosted = false;
  if (isFinished(build)) {
    const ended = await transition(deps.store, record.id, (r) => buildEnded(r, build, deps.now()));
    if (ended.ok) {
      record = ended.record;
      await deps.store.releaseLock(record.env, record.id).catch((error: unknown) => deps.log.warn('lock not released', { error }));
    } else if (ended.record) {
      record = ended.record;
    }
    resultPosted = record.messageTs ? await postResultOnce(record, build, region, deps) : false;
    record = (await deps.store.get(record.id)) ?? record;
    await updateRequestMessage(deps, record);
  }
  deps.log.info('build reported', { buildId: build.id, requestId, status: build.status, statusMessage: statusOutcome, resultPosted });
  return { kind: 'reported', requestId, status: build.status, statusMessage: statusOutcome, resultPosted };
}

function ignored(build: BuildSummary, reason: string, deps: ReportDeps): ReportOutcome {
  deps.log.info('build ignored', { buildId: build.id, project: build.project, reason });
  return { kind: 'not-ours', reason };
}

async function reportTimeline(
  record: RequestRecord,
  build: BuildSummary,
  region: string,
  deps: ReportDeps,
): Promise<'posted' | 'updated' | 'unchanged' | 'kept-newer' | 'claimed-elsewhere'> {
  const channel = record.channel;
  const threadTs = record.messageTs as string;
  const rank = progressRank(build);
  const rendered = statusMessage(build, region, deps.now(), record.thread.progress);
  if (!record.thread.statusTs) {
    // Whoever writes the claim posts the one status message; a concurrent handler stands back.
    const post = async () => {
      const posted = await withDeadline(
        deps.slack.chat.postMessage({ channel, thread_ts: threadTs, ...rendered, unfurl_links: false }),
        BUDGET.slack,
        'Slack chat.postMessage',
      );
      return posted.ts;
    };
    const posted = await postOnce(record, 'status', deps, post, { statusRank: rank });
    return posted === 'already-posted' ? reportTimeline((await deps.store.get(record.id)) ?? record, build, region, deps) : posted;
  }
  const stored = record.thread.statusRank ?? -1;
  if (stored > rank) return 'kept-newer';
  if (stored === rank) return 'unchanged';
  const raised = await transition(
    deps.store,
    record.id,
    (r): Decision =>
      (r.thread.statusRank ?? -1) > rank
        ? { ok: false, reason: 'newer' }
        : { ok: true, next: withThread(r, { statusRank: rank }, deps.now()) },
  );
  if (!raised.ok) return 'kept-newer';
  await withDeadline(deps.slack.chat.update({ channel, ts: record.thread.statusTs, ...rendered }), BUDGET.slack, 'Slack chat.update');
  return 'updated';
}

/** The result reply, once per build, then the log tail under it. */
async function postResultOnce(record: RequestRecord, build: BuildSummary, region: string, deps: ReportDeps): Promise<boolean> {
  const channel = record.channel;
  const threadTs = record.messageTs as string;
  const posted = await postOnce(record, 'result', deps, async () => {
    const tail = await tailOfBuild(deps.logs, build, region);
    // The outcome goes to the channel; the log tail stays in the thread, where the request's
    // people are, and never in the broadcast.
    const result = await withDeadline(
      deps.slack.chat.postMessage({
        channel,
        thread_ts: threadTs,
        reply_broadcast: true,
        ...resultReply(build, region, tail, record.breakGlass !== undefined),
        unfurl_links: false,
      }),
      BUDGET.slack,
      'Slack chat.postMessage',
    );
    await withDeadline(
      deps.slack.chat.postMessage({ channel, thread_ts: threadTs, ...tailReply(build, tail), unfurl_links: false }),
      BUDGET.slack,
      'Slack chat.postMessage',
    );
    return result.ts;
  });
  return posted === 'posted';
}
