import type { KnownBlock, MessageMetadata } from '@slack/types';
import type { BuildPhase, BuildSummary } from '../aws/codebuild.ts';
import type { LogTail } from '../aws/log-tail.ts';
import { decodeBuildEnvironment } from '../build-env.ts';
import { buildConsoleUrl } from '../codebuild-console.ts';
import { redact } from '../redact.ts';
import type { RunProgress } from '../run-progress.ts';
import { fitText, tailCodeBlock } from '../slack/fit.ts';
import { LIMITS } from '../slack/limits.ts';
import { escapeMrkdwn, mention } from '../slack/mrkdwn.ts';
import { formatDuration, progressFacts, progressText } from './progress-text.ts';
import { threadTail } from './thread-tail.ts';

// What the thread shows about a build: one status message kept up to date (a phase timeline)
// and, once the build ends, one result reply broadcast to the channel, with the log tail in the
// thread: only the runner's reports and CodeBuild's phase lines (./thread-tail.ts). While the
// build runs, the status message also shows its newest progress event (./progress-text.ts).

export const BUILD_STATUS_EVENT = 'deploybot_build_status';
export const BUILD_RESULT_EVENT = 'deploybot_build_result';
/** How many runner reports and phase lines the thread shows. */
export const TAIL_LINES = 40;

export const FINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'] as const;

export function isFinished(build: Pick<BuildSummary, 'status'>): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(build.status);
}

/** How a build status reads at a glance, in the thread and in `/daadaar status`. */
export const STATUS_EMOJI: Record<string, string> = {
  SUCCEEDED: ':white_check_mark:',
  FAILED: ':x:',
  FAULT: ':x:',
  STOPPED: ':black_square_for_stop:',
  TIMED_OUT: ':alarm_clock:',
  IN_PROGRESS: ':arrows_counterclockwise:',
};

const PHASE_MARK: Record<string, string> = {
  SUCCEEDED: ':white_check_mark:',
  FAILED: ':x:',
  FAULT: ':x:',
  CLIENT_ERROR: ':x:',
  STOPPED: ':black_square_for_stop:',
  TIMED_OUT: ':alarm_clock:',
};

/**
 * How far along a rendering is. A status message is only replaced by one at least as far
 * along, so a late or duplicate event (read back while the build was younger) never regresses it.
 */
export function progressRank(build: Pick<BuildSummary, 'status' | 'phases'>): number {
  const finishedPhases = build.phases.filter(phaseEnded).length;
  return (isFinished(build) ? 1000 : 0) + build.phases.length * 10 + finishedPhases;
}

/** CodeBuild gives a phase its end time and status together, when it ends. */
function phaseEnded(phase: BuildPhase): boolean {
  return phase.endTime !== undefined || phase.status !== undefined;
}

export { formatDuration };

function buildSeconds(build: BuildSummary, now: number): number | undefined {
  if (!build.startTime) return undefined;
  return ((build.endTime?.getTime() ?? now) - build.startTime.getTime()) / 1000;
}

function buildLink(build: BuildSummary, region: string): string {
  return `<${buildConsoleUrl(build.id, region)}|${escapeMrkdwn(build.id)}>`;
}

export function statusMessage(
  build: BuildSummary,
  region: string,
  now: number,
  progress?: { event: RunProgress; at: number },
): { text: string; blocks: KnownBlock[]; metadata: MessageMetadata } {
  const timeline = build.phases.map((p) => {
    const running = !phaseEnded(p);
    const mark = running ? ':arrows_counterclockwise:' : (PHASE_MARK[p.status ?? ''] ?? ':white_small_square:');
    const seconds = p.durationSeconds ?? (p.startTime ? ((p.endTime?.getTime() ?? now) - p.startTime.getTime()) / 1000 : undefined);
    const took = seconds === undefined ? '' : ` ${formatDuration(seconds)}`;
    return `${mark} \`${escapeMrkdwn(p.type)}\`${took}${running ? ' (running)' : p.status && p.status !== 'SUCCEEDED' ? ` ${escapeMrkdwn(p.status)}` : ''}`;
  });
  const total = buildSeconds(build, now);
  const head = `${STATUS_EMOJI[build.status] ?? ':grey_question:'} Build ${buildLink(build, region)} *${escapeMrkdwn(build.status)}*${
    !isFinished(build) && build.currentPhase ? ` · phase \`${escapeMrkdwn(build.currentPhase)}\`` : ''
  }${total === undefined ? '' : ` · ${formatDuration(total)}`}`;
  return {
    text: `Build ${build.id}: ${build.status}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: fitText(head, LIMITS.sectionText) } },
      ...(timeline.length
        ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: fitText(timeline.join('\n'), LIMITS.text) }] }]
        : []),
      // A finished build's last event is history: the result reply keeps what matters of it.
      ...(progress && !isFinished(build)
        ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: fitText(progressText(progress.event), LIMITS.sectionText) } }]
        : []),
    ],
    metadata: {
      event_type: BUILD_STATUS_EVENT,
      event_payload: {
        build_id: build.id,
        status: build.status,
        rank: progressRank(build),
        ...(progress ? { progress_at: progress.at } : {}),
      },
    },
  };
}

/** The outcome, broadcast to the channel: who asked, who approved, how it ended. No log lines. */
export function resultReply(
  build: BuildSummary,
  region: string,
  tail?: LogTail,
  breakGlass = false,
): { text: string; blocks: KnownBlock[]; metadata: MessageMetadata } {
  const vars = decodeBuildEnvironment(build.env);
  const requester = vars.requestedBy ? mention(vars.requestedBy) : 'unknown';
  // The request record says break-glass; the build's variables carry approvers only.
  const approvers = breakGlass
    ? 'nobody: break-glass, confirmed by the requester alone'
    : vars.approvedBy.length
      ? vars.approvedBy.map(mention).join(', ')
      : 'unknown';
  const what = vars.run?.kind === 'seed' ? `Seed${vars.run.clean ? ' (CLEAN=true)' : ''}` : 'Migration';
  const seconds = buildSeconds(build, build.endTime?.getTime() ?? Date.now());
  const head = `${STATUS_EMOJI[build.status] ?? ':grey_question:'} *${what} on ${escapeMrkdwn(vars.env ?? '?')} ${escapeMrkdwn(build.status)}*${
    seconds === undefined ? '' : ` in ${formatDuration(seconds)}`
  } · build ${buildLink(build, region)}\nRequested by ${requester}, approved by ${approvers}. The log tail is in the thread.${
    tail?.ok
      ? progressFacts(tail.lines)
          .map((f) => `\n${f}`)
          .join('')
      : ''
  }`;
  return {
    text: `${what} ${build.status}: build ${build.id}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fitText(head, LIMITS.sectionText) } }],
    metadata: { event_type: BUILD_RESULT_EVENT, event_payload: { build_id: build.id, status: build.status } },
  };
}

/** The end of the build's log, as the thread may show it, in the thread only. */
export function tailReply(build: BuildSummary, tail: LogTail): { text: string; blocks: KnownBlock[] } {
  return { text: `Log tail of ${build.id}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: tailText(tail, build) } }] };
}

/**
 * A section's mrkdwn (3,000 characters at most, \`budget\` if smaller): the last `lines` runner
 * reports and CodeBuild phase lines of the log in a closed code block, and how many other
 * lines were left out.
 */
export function tailText(
  tail: LogTail,
  build: Pick<BuildSummary, 'logs'>,
  title = 'Last {n} report lines',
  budget: number = LIMITS.sectionText,
  lines: number = TAIL_LINES,
): string {
  const link = build.logs?.deepLink ? ` (<${build.logs.deepLink}|full log>)` : '';
  if (!tail.ok) return fitText(`:warning: The log could not be read: ${escapeMrkdwn(redact(tail.reason))}`, budget - link.length) + link;
  if (tail.lines.length === 0) return `_No log lines yet._${link}`;
  const { shown, omitted } = threadTail(tail.lines, lines);
  const others = omitted
    ? `_${omitted} other line${omitted === 1 ? '' : 's'} of tool output not shown: the thread shows only the runner's reports and CodeBuild's phase lines._`
    : '';
  if (shown.length === 0) return `${others || '_No report lines yet._'}${link}`;
  const heading = fitText(`*${escapeMrkdwn(title.replace('{n}', String(shown.length)))}*`, 200);
  const note = others ? `\n${others}` : '';
  // Escaping can grow the log fivefold, so it is cut after escaping, keeping the end, where the error is.
  return `${heading}${link}\n${tailCodeBlock(shown.join('\n'), budget - heading.length - link.length - note.length - 1)}${note}`;
}
