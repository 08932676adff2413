import type { KnownBlock } from '@slack/types';
import { buildConsoleUrl } from '../codebuild-console.ts';
import { acknowledgementDue, acknowledgers } from '../requests/break-glass.ts';
import { currentState, type RequestRecord, viewVersionOf } from '../requests/record.ts';
import { signRef } from '../slack/action-value.ts';
import { fitText } from '../slack/fit.ts';
import { LIMITS } from '../slack/limits.ts';
import { escapeMrkdwn, mention, slackDate, subteam } from '../slack/mrkdwn.ts';

// The request's Slack message, always a view of the request record: its frame (this file), its
// re-rendering (./update.ts) and the build thread under it (./build-thread.ts).
//
// The review message's frame: the body rendered once at submission (the review), then a
// status line and the buttons, always rendered from the request record. The bot (clicks)
// and the status reporter (build events) both re-render through here, so the channel shows
// the record and nothing else.

export const STATUS_BLOCK = 'deploybot_status';
export const ACTIONS_BLOCK = 'deploybot_actions';
export const ACTION = {
  approve: 'deploybot_approve',
  reject: 'deploybot_reject',
  cancel: 'deploybot_cancel',
  stop: 'deploybot_stop',
  acknowledge: 'deploybot_acknowledge',
} as const;
/** Message metadata names the request for people reading the API; nothing decides from it. */
export const METADATA_EVENT = 'deploybot_request';

export interface Approvers {
  approvers: readonly string[];
  codebuildProject: string;
}

const STATE_EMOJI: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  stopped: ':black_square_for_stop:',
};

export function statusText(record: RequestRecord, env: Approvers, now: number): string {
  return `${stateText(record, env, now)}${acknowledgementText(record, env)}`;
}

/** A break-glass run that ended says whether an approver has acknowledged it. */
function acknowledgementText(record: RequestRecord, env: Approvers): string {
  const glass = record.breakGlass;
  if (glass?.acknowledgedBy)
    return `\n:white_check_mark: Break-glass acknowledged by ${mention(glass.acknowledgedBy)} ${slackDate(glass.acknowledgedAt ?? record.createdAt)}.`;
  const due = acknowledgementDue(record);
  if (due === undefined) return '';
  const who = acknowledgers(record, env.approvers).map(mention).join(', ');
  return `\n:rotating_light: Break-glass, not yet acknowledged: one of ${who} must acknowledge it by ${slackDate(due)}.`;
}

function stateText(record: RequestRecord, env: Approvers, now: number): string {
  const glass = record.breakGlass;
  const approved =
    glass?.confirmedAt !== undefined
      ? `Confirmed by ${mention(record.requestedBy)} alone (break-glass). `
      : record.approvals.length
        ? `Approved by ${record.approvals.map((a) => mention(a.user)).join(', ')}. `
        : '';
  const build = record.build ? `<${buildConsoleUrl(record.build.id, record.build.region)}|${escapeMrkdwn(record.build.id)}>` : '';
  switch (currentState(record, now)) {
    case 'open': {
      if (glass) {
        if (glass.confirmedAt !== undefined)
          return `:hourglass_flowing_sand: ${approved}${record.startError ? `\n:x: The build did not start: ${escapeMrkdwn(record.startError)}. Nothing ran. ${mention(record.requestedBy)} can click Run now to try again.` : 'Waiting to start.'}`;
        return `:rotating_light: *Break-glass:* runs when ${mention(record.requestedBy)} clicks *Run now*, without a second approval, until ${slackDate(record.expiresAt)}. An approver may Reject it before then.`;
      }
      const missing = Math.max(0, record.approvalsRequired - record.approvals.length);
      const failed = record.startError
        ? `\n:x: The build did not start: ${escapeMrkdwn(record.startError)}. Nothing ran. An approver can click Approve to try again.`
        : '';
      if (missing === 0) return `:hourglass_flowing_sand: ${approved}Waiting to start.${failed}`;
      const who = env.approvers
        .filter((a) => a !== record.requestedBy && !record.approvals.some((x) => x.user === a))
        .map(mention)
        .join(', ');
      const group = record.approvalRule?.oneOf;
      const fromGroup = group && !record.approvals.some((a) => a.inGroup) ? `, one of them from ${subteam(group)}` : '';
      return `:hourglass_flowing_sand: ${approved}Waiting for ${missing} approval${missing === 1 ? '' : 's'} from ${who}${fromGroup} until ${slackDate(record.expiresAt)}.${failed}`;
    }
    case 'starting':
      return `:hourglass_flowing_sand: ${approved}Starting the build…`;
    case 'started':
      return `:rocket: ${approved}Build ${build} running.${record.stopRequestedBy ? ` ${mention(record.stopRequestedBy)} asked CodeBuild to stop it.` : ''}`;
    case 'succeeded':
    case 'failed':
    case 'stopped':
      return `${STATE_EMOJI[record.state]} ${approved}Build ${build} *${escapeMrkdwn(record.build?.status ?? record.state.toUpperCase())}*.${record.stopRequestedBy ? ` Stopped by ${mention(record.stopRequestedBy)}.` : ''}`;
    case 'lost':
      return `:grey_question: ${approved}Build ${build} is no longer known to CodeBuild: its outcome could not be read. Check the database before requesting again.`;
    case 'rejected': {
      const by = [...record.events].reverse().find((e) => e.what === 'rejected')?.by;
      return `:no_entry: Rejected${by ? ` by ${mention(by)}` : ''}: ${escapeMrkdwn(record.rejectedBecause ?? '')} Nothing ran.`;
    }
    case 'cancelled': {
      const withdrawn = record.events.find((e) => e.what === 'withdrew');
      return withdrawn
        ? `:wastebasket: Withdrawn by deploybot: ${escapeMrkdwn(withdrawn.detail ?? '')}. Nothing ran.`
        : `:wastebasket: Cancelled by ${mention(record.requestedBy)}. Nothing ran.`;
    }
    case 'expired':
      if (glass)
        return `:hourglass: Expired ${slackDate(record.expiresAt)} ${glass.confirmedAt === undefined ? "without its requester's confirmation" : 'after its build did not start'}. Nothing ran.`;
      return `:hourglass: Expired ${slackDate(record.expiresAt)} without ${record.approvalsRequired} approval${record.approvalsRequired === 1 ? '' : 's'}. Nothing ran.`;
  }
}

export function statusBlocks(record: RequestRecord, env: Approvers, key: Buffer, now: number): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: STATUS_BLOCK, text: { type: 'mrkdwn', text: fitText(statusText(record, env, now), LIMITS.sectionText) } },
  ];
  const value = signRef(record, key);
  const state = currentState(record, now);
  if (state === 'open' && record.breakGlass) {
    blocks.push({ type: 'actions', block_id: ACTIONS_BLOCK, elements: breakGlassButtons(record, env, value) });
  } else if (state === 'open') {
    const scope =
      record.kind === 'migrate'
        ? `${record.pending.length} reviewed migration${record.pending.length === 1 ? '' : 's'}`
        : `the organizations seed${record.clean ? ' with CLEAN=true' : ''}`;
    blocks.push({
      type: 'actions',
      block_id: ACTIONS_BLOCK,
      elements: [
        {
          type: 'button',
          action_id: ACTION.approve,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value,
          confirm: {
            title: { type: 'plain_text', text: `Run on ${record.env}?`.slice(0, 100) },
            text: {
              type: 'mrkdwn',
              text: `Approving may start CodeBuild \`${escapeMrkdwn(env.codebuildProject)}\` with ${scope} on *${escapeMrkdwn(record.env)}*.`,
            },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        },
        { type: 'button', action_id: ACTION.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value },
        { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value },
      ],
    });
  } else if (state === 'started' && !record.stopRequestedBy) {
    blocks.push({
      type: 'actions',
      block_id: ACTIONS_BLOCK,
      elements: [
        {
          type: 'button',
          action_id: ACTION.stop,
          style: 'danger',
          text: { type: 'plain_text', text: 'Stop build' },
          value,
          confirm: {
            title: { type: 'plain_text', text: 'Stop the build?' },
            text: {
              type: 'mrkdwn',
              text: 'CodeBuild stops the container. drizzle applies the pending set in one transaction, so a stopped migration rolls back unless it already committed.',
            },
            confirm: { type: 'plain_text', text: 'Stop' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        },
      ],
    });
  } else if (acknowledgementDue(record) !== undefined) {
    blocks.push({ type: 'actions', block_id: ACTIONS_BLOCK, elements: [acknowledgeButton(value)] });
  }
  return blocks;
}

function breakGlassButtons(record: RequestRecord, env: Approvers, value: string) {
  const scope = `${record.pending.length} reviewed migration${record.pending.length === 1 ? '' : 's'}`;
  return [
    {
      type: 'button' as const,
      action_id: ACTION.approve,
      style: 'danger' as const,
      text: { type: 'plain_text' as const, text: 'Run now' },
      value,
      confirm: {
        title: { type: 'plain_text' as const, text: `Run on ${record.env} alone?`.slice(0, 100) },
        text: {
          type: 'mrkdwn' as const,
          text: fitText(
            `Starts CodeBuild \`${escapeMrkdwn(env.codebuildProject)}\` with ${scope} on *${escapeMrkdwn(record.env)}* without a second approval. It is announced to security, and an approver must acknowledge it afterwards.`,
            LIMITS.confirmText,
          ),
        },
        confirm: { type: 'plain_text' as const, text: 'Run now' },
        deny: { type: 'plain_text' as const, text: 'Back' },
      },
    },
    { type: 'button' as const, action_id: ACTION.reject, text: { type: 'plain_text' as const, text: 'Reject' }, value },
    { type: 'button' as const, action_id: ACTION.cancel, text: { type: 'plain_text' as const, text: 'Cancel' }, value },
  ];
}

/** On the review, the announcement and each reminder: any of them records the one acknowledgement. */
export function acknowledgeButton(value: string) {
  return {
    type: 'button' as const,
    action_id: ACTION.acknowledge,
    style: 'primary' as const,
    text: { type: 'plain_text' as const, text: 'Acknowledge' },
    value,
  };
}

/** The whole message as chat.postMessage / chat.update take it. */
export function requestMessage(record: RequestRecord, body: readonly KnownBlock[], env: Approvers, key: Buffer, now: number) {
  const what = record.kind === 'migrate' ? 'Migration' : 'Seed';
  return {
    text: `${what} request for ${record.env} from ${mention(record.requestedBy)}: ${currentState(record, now)}`,
    blocks: [...body, ...statusBlocks(record, env, key, now)],
    metadata: {
      event_type: METADATA_EVENT,
      event_payload: {
        request_id: record.id,
        env: record.env,
        kind: record.kind,
        requested_by: record.requestedBy,
        state: currentState(record, now),
        // The version this rendering shows: the reconciler re-renders a message older than its record.
        version: viewVersionOf(record),
      },
    },
  };
}
