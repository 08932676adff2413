import { redact } from '../redact.ts';
import type { Blocker, RunProgress } from '../run-progress.ts';
import { parseRunnerLine } from '../runner-report.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';

// How the build's progress events (src/run-progress.ts) read in its thread: the running state
// under the status message's phase timeline, and the facts the result reply keeps (the
// snapshot, a lock the runner gave up on, the schema check). Everything in an event came out of
// the build's log, so every string is redacted and escaped here, whatever the writer did.

/** A statement or a query head in a thread line: long SQL is cut, the rest is in the log. */
const LONGEST_SQL = 160;
/** Blockers shown of an event's (up to 20, run-progress.ts); the log has the others. */
const MOST_BLOCKERS = 3;

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const ms = (value: number) => formatDuration(value / 1000);

/** Untrusted text as an inline code span: redacted, cut, escaped, and no backtick to end the span early. */
function code(text: string, max = LONGEST_SQL): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return `\`${escapeMrkdwn(cut.replace(/`/g, "'"))}\``;
}

const plain = (text: string) => escapeMrkdwn(redact(text));

function blockerText(b: Blocker): string {
  const age = b.transactionMs === null ? '' : `, transaction open ${ms(b.transactionMs)}`;
  return `pid ${b.pid} (${plain(b.application || 'no application_name')}, ${plain(b.state)}${age}): ${code(b.query)}`;
}

function blockersText(blockers: readonly Blocker[]): string {
  const shown = blockers.slice(0, MOST_BLOCKERS).map((b) => `\n• held by ${blockerText(b)}`);
  const more = blockers.length > MOST_BLOCKERS ? `\n• and ${blockers.length - MOST_BLOCKERS} more (in the log)` : '';
  return shown.join('') + more;
}

/** The running state as the status message shows it under the timeline (mrkdwn). */
export function progressText(event: RunProgress): string {
  switch (event.kind) {
    case 'step':
      return `:gear: ${code(event.migration)} step ${event.step}/${event.steps} (${event.mode === 'own-step' ? 'its own step' : 'in the transaction'}) · ${code(event.statement)}`;
    case 'heartbeat': {
      const blocks =
        event.blocksDone !== undefined && event.blocksTotal
          ? ` · ${Math.floor((100 * event.blocksDone) / event.blocksTotal)}% of ${event.blocksTotal} blocks`
          : '';
      const phase = event.phase ? ` · ${plain(event.phase)}` : '';
      const waiting = event.lockWaitMs > 0 ? ` · waiting for a lock ${ms(event.lockWaitMs)}` : '';
      const left = event.estimateMs !== undefined ? ` · about ${ms(event.estimateMs)} left` : '';
      return `:hourglass_flowing_sand: ${code(event.migration)} step ${event.step}/${event.steps} running ${ms(event.elapsedMs)}${phase}${blocks}${waiting}${left} · ${code(event.statement)}`;
    }
    case 'blocked':
      return `:no_entry: ${code(event.migration)} waits ${ms(event.waitedMs)} for ${plain(event.lockMode)} on ${code(event.statement)}; ${event.queued} session${event.queued === 1 ? '' : 's'} queued behind it${blockersText(event.blockers)}`;
    case 'gave-up':
      return gaveUpText(event);
    case 'snapshot':
      return snapshotText(event);
    case 'schema':
      return schemaText(event);
  }
}

function gaveUpText(event: Extract<RunProgress, { kind: 'gave-up' }>): string {
  return `:warning: ${code(event.migration)} gave up after waiting ${ms(event.waitedMs)} (limit ${ms(event.thresholdMs)}, attempt ${event.attempt}) for a lock on ${code(event.statement)}${blockersText(event.blockers)}`;
}

function snapshotText(event: Extract<RunProgress, { kind: 'snapshot' }>): string {
  const id = code(event.snapshotId, 255);
  if (event.state === 'creating') return `:camera: Snapshot ${id} being created (${ms(event.elapsedMs)})`;
  if (event.state === 'failed') return `:x: Snapshot ${id} failed${event.reason ? `: ${plain(event.reason)}` : ''}`;
  return `:camera: Snapshot ${id} available (${ms(event.elapsedMs)})${event.restoreCommand ? `; restore with ${code(event.restoreCommand, 600)}` : ''}`;
}

function schemaText(event: Extract<RunProgress, { kind: 'schema' }>): string {
  if (event.matches) return ':white_check_mark: The live schema matches database/schema.ts.';
  const diffs = event.differences.slice(0, 5).map((d) => `\n• ${code(d)}`);
  const more = event.differences.length > 5 ? `\n• and ${event.differences.length - 5} more (in the log)` : '';
  return `:warning: The live schema differs from database/schema.ts:${diffs.join('')}${more}`;
}

/**
 * What the result reply keeps of the build's progress, read from the log tail it already reads:
 * the last snapshot state, every lock the runner gave up on, the last schema check. The tail is
 * the end of the log (src/aws/log-tail.ts, 500 events), so a snapshot reported before a long
 * run may have left it; the status message showed it while the build ran.
 */
export function progressFacts(lines: readonly string[]): string[] {
  let snapshot: RunProgress | undefined;
  let schema: RunProgress | undefined;
  const gaveUp: RunProgress[] = [];
  for (const line of lines) {
    const event = parseRunnerLine(line.replace(/\r$/, ''))?.progress;
    if (event?.kind === 'snapshot') snapshot = event;
    else if (event?.kind === 'schema') schema = event;
    else if (event?.kind === 'gave-up') gaveUp.push(event);
  }
  return [snapshot, ...gaveUp, schema].filter((e): e is RunProgress => e !== undefined).map(progressText);
}
