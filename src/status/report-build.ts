import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { BuildSummary, CodeBuildGateway } from '../aws/codebuild.ts';
import { type LogTailGateway, tailOfBuild } from '../aws/log-tail.ts';
import { METADATA_EVENT, replaceStatus, STATUS_BLOCK } from '../bot/views/review-message.ts';
import type { Log } from '../log.ts';
import {
  BUILD_RESULT_EVENT,
  BUILD_STATUS_EVENT,
  finishedStatusText,
  isFinished,
  progressRank,
  resultReply,
  statusMessage,
  TAIL_LINES,
} from './build-report.ts';

// Brings a build's thread up to date with the build as CodeBuild reports it now. Idempotent:
// any number of calls, in any order (EventBridge events, duplicates, `/daadaar status`),
// converge on one status message, one result reply and a final review message. Slack errors
// are thrown so the caller can retry; what is already in the thread is never posted twice.

export interface ReportDeps {
  codeBuild: CodeBuildGateway;
  logs: LogTailGateway;
  slack: WebClient;
  log: Log;
  now?: () => number;
}

export type ReportOutcome =
  | { kind: 'not-found' }
  | { kind: 'not-ours' }
  | { kind: 'reported'; status: string; statusMessage: 'posted' | 'updated' | 'unchanged' | 'kept-newer'; resultPosted: boolean };

interface ThreadMessage {
  ts?: string;
  blocks?: unknown[];
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** For an event, which names the build only: its state is read back from CodeBuild now. */
export async function reportBuildById(buildId: string, region: string, deps: ReportDeps): Promise<ReportOutcome> {
  const build = await deps.codeBuild.getBuild(buildId, region);
  if (!build) return { kind: 'not-found' };
  return reportBuild(build, region, deps);
}

/** For a caller that has just read the build itself (`/daadaar status`). */
export async function reportBuild(build: BuildSummary, region: string, deps: ReportDeps): Promise<ReportOutcome> {
  const channel = build.env.SLACK_CHANNEL_ID;
  const threadTs = build.env.SLACK_THREAD_TS;
  if (!channel || !threadTs || !build.env.DEPLOYBOT_REQUEST_ID) return { kind: 'not-ours' };
  const now = deps.now?.() ?? Date.now();
  const log = { buildId: build.id, requestId: build.env.DEPLOYBOT_REQUEST_ID, status: build.status };

  const replies = await threadMessages(deps.slack, channel, threadTs);
  const ofBuild = (type: string) => replies.find((m) => m.metadata?.event_type === type && m.metadata.event_payload?.build_id === build.id);

  const rendered = statusMessage(build, region, now);
  const existing = ofBuild(BUILD_STATUS_EVENT);
  let statusOutcome: 'posted' | 'updated' | 'unchanged' | 'kept-newer';
  if (!existing?.ts) {
    await deps.slack.chat.postMessage({ channel, thread_ts: threadTs, ...rendered, unfurl_links: false });
    statusOutcome = 'posted';
  } else if (Number(existing.metadata?.event_payload?.rank ?? -1) > progressRank(build)) {
    statusOutcome = 'kept-newer';
  } else if (JSON.stringify(existing.blocks) === JSON.stringify(rendered.blocks)) {
    statusOutcome = 'unchanged';
  } else {
    await deps.slack.chat.update({ channel, ts: existing.ts, ...rendered });
    statusOutcome = 'updated';
  }

  let resultPosted = false;
  if (isFinished(build)) {
    if (!ofBuild(BUILD_RESULT_EVENT)) {
      const tail = await tailOfBuild(deps.logs, build, region, TAIL_LINES);
      const reply = resultReply(build, region, tail);
      await deps.slack.chat.postMessage({ channel, thread_ts: threadTs, reply_broadcast: true, ...reply, unfurl_links: false });
      resultPosted = true;
    }
    // conversations.replies returns the thread's parent first: the review message itself.
    const parent = replies.find((m) => m.ts === threadTs);
    if (parent) await finishReviewMessage(deps.slack, channel, { ...parent, ts: threadTs }, build, region);
  }
  deps.log.info('build reported', { ...log, statusMessage: statusOutcome, resultPosted });
  return { kind: 'reported', status: build.status, statusMessage: statusOutcome, resultPosted };
}

async function threadMessages(slack: WebClient, channel: string, ts: string): Promise<ThreadMessage[]> {
  const messages: ThreadMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await slack.conversations.replies({ channel, ts, include_all_metadata: true, limit: 200, cursor });
    messages.push(...((page.messages ?? []) as ThreadMessage[]));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return messages;
}

/** The review message (the thread's parent) shows the outcome too, once. */
async function finishReviewMessage(
  slack: WebClient,
  channel: string,
  parent: ThreadMessage & { ts: string },
  build: BuildSummary,
  region: string,
): Promise<void> {
  if (parent.metadata?.event_type !== METADATA_EVENT) return;
  const payload = parent.metadata.event_payload ?? {};
  if (payload.state === 'finished' && payload.build_status === build.status) return;
  const blocks = replaceStatus((parent.blocks ?? []) as KnownBlock[], [
    { type: 'section', block_id: STATUS_BLOCK, text: { type: 'mrkdwn', text: finishedStatusText(build, region) } },
  ]);
  await slack.chat.update({
    channel,
    ts: parent.ts,
    text: `Request for ${String(payload.env ?? '')}: build ${build.status}`,
    blocks,
    metadata: {
      event_type: METADATA_EVENT,
      event_payload: { ...payload, state: 'finished', build_id: build.id, build_status: build.status },
    },
  });
}
