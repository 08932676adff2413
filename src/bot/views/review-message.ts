import type { KnownBlock, MessageMetadata } from '@slack/types';
import { buildConsoleUrl } from '../../aws/codebuild.ts';
import type { EnvironmentConfig } from '../../config.ts';
import { safeRewriteTexts } from '../../review/digest.ts';
import { describeCounts } from '../../review/format-text.ts';
import type { ApprovalRequest } from '../approval-request.ts';
import type { ReviewedSet } from '../migration-catalog.ts';
import { codeBlock, escapeMrkdwn, mention, slackDate } from '../mrkdwn.ts';
import { targetSummary } from './target-summary.ts';

export const STATUS_BLOCK = 'deploybot_status';
export const ACTIONS_BLOCK = 'deploybot_actions';
export const METADATA_EVENT = 'deploybot_request';
export const ACTION = { approve: 'deploybot_approve', reject: 'deploybot_reject', cancel: 'deploybot_cancel' } as const;

export type RequestState =
  | { state: 'open' }
  | { state: 'started'; buildId: string; region: string }
  | { state: 'rejected'; by: string; reason: string }
  | { state: 'cancelled' };

export interface ReviewMessageInput {
  request: ApprovalRequest;
  reason: string;
  envConfig: EnvironmentConfig;
  set: ReviewedSet;
  signedValue: string;
}

export function reviewMessage({ request, reason, envConfig, set, signedValue }: ReviewMessageInput) {
  const env = escapeMrkdwn(request.env);
  const what = request.kind === 'migrate' ? 'Migration' : 'Seed';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${what} request · ${request.env}`.slice(0, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Requested by*\n${mention(request.requestedBy)}` },
        { type: 'mrkdwn', text: `*Environment*\n\`${env}\` · \`${escapeMrkdwn(envConfig.codebuildProject)}\` (${envConfig.region})` },
        { type: 'mrkdwn', text: `*Reason*\n${escapeMrkdwn(reason).slice(0, 1900)}` },
        { type: 'mrkdwn', text: `*Approval*\n${envConfig.approvalsRequired} of ${envConfig.approvers.map(mention).join(', ')}` },
      ],
    },
  ];
  if (request.kind === 'seed') {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: request.clean
          ? `:rotating_light: *destructive*: runs the organizations seed with \`CLEAN=true\`, which *deletes every organization first* (cascading to hierarchy, roles, role occupancy and report links), then re-seeds.`
          : 'Runs the organizations seed with `CLEAN=false`: inserts missing seed organizations and roles, deletes nothing.',
      },
    });
  } else {
    blocks.push(...findingBlocks(set, request.env));
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Migration set sha256 \`${set.setHash}\` · request \`${request.id}\` · expires ${slackDate(request.expiresAt)}${request.confirmed ? ` · requester typed \`${env}\` to confirm` : ''}`,
      },
    ],
  });
  blocks.push(...statusAndActions(request, { state: 'open' }, envConfig, signedValue, set));
  const text = `${what} request for ${request.env} from ${mention(request.requestedBy)}: ${request.kind === 'migrate' ? describeCounts(set.digest.counts) : request.clean ? 'CLEAN=true (destructive)' : 'CLEAN=false'}`;
  return { text, blocks, metadata: requestMetadata(request, { state: 'open' }) };
}

function findingBlocks(set: ReviewedSet, env: string): KnownBlock[] {
  const { digest } = set;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: targetSummary(set, env),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Review:* ${digest.migrations.length} migrations, ${digest.statements} statements: *${describeCounts(digest.counts)}*`,
      },
    },
  ];
  if (digest.timeline.length > 0 && set.pendingKnown)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Locks held until the run commits:*\n${digest.timeline.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`.slice(0, 3000),
      },
    });
  if (digest.clean) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: Every statement parsed and no rule fired.' } });
    return blocks;
  }
  blocks.push({ type: 'divider' });
  for (const item of digest.items) {
    const findings = item.findings
      .map(
        (f) => `• *${f.category}* ${escapeMrkdwn(f.message)} \`${f.rule}\`${f.details.map((d) => `\n      _${escapeMrkdwn(d)}_`).join('')}`,
      )
      .join('\n');
    const text = `*${item.category}* · \`${escapeMrkdwn(item.file)}:${item.line}\`\n${codeBlock(item.sqlExcerpt)}\n${findings}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: text.length > 3000 ? `${text.slice(0, 2990)}…` : text } });
  }
  const cut = digest.items.filter((i) => i.sqlTruncated).length;
  if (digest.omittedItems > 0 || cut > 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${digest.omittedItems > 0 ? `${digest.omittedItems} more flagged statement${digest.omittedItems === 1 ? '' : 's'} and ` : ''}the full SQL of every cut statement are in the thread.`,
        },
      ],
    });
  }
  return blocks;
}

export function statusAndActions(
  request: ApprovalRequest,
  state: RequestState,
  env: EnvironmentConfig,
  signedValue: string,
  set?: ReviewedSet,
): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: STATUS_BLOCK, text: { type: 'mrkdwn', text: statusText(request, state, env) } },
  ];
  if (state.state !== 'open') return blocks;
  const scope =
    request.kind === 'migrate'
      ? `${set?.migrations.length ?? 'the'} reviewed migrations`
      : `the organizations seed${request.clean ? ' with CLEAN=true' : ''}`;
  blocks.push({
    type: 'actions',
    block_id: ACTIONS_BLOCK,
    elements: [
      {
        type: 'button',
        action_id: ACTION.approve,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: signedValue,
        confirm: {
          title: { type: 'plain_text', text: `Run on ${request.env}?`.slice(0, 100) },
          text: {
            type: 'mrkdwn',
            text: `Approving may start CodeBuild \`${escapeMrkdwn(env.codebuildProject)}\` with ${scope} on *${escapeMrkdwn(request.env)}*.`,
          },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
      { type: 'button', action_id: ACTION.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: signedValue },
      { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: signedValue },
    ],
  });
  return blocks;
}

export function statusText(request: ApprovalRequest, state: RequestState, env: EnvironmentConfig): string {
  const approved = request.approvals.length ? `Approved by ${request.approvals.map(mention).join(', ')}. ` : '';
  switch (state.state) {
    case 'open': {
      const missing = env.approvalsRequired - request.approvals.length;
      return `:hourglass_flowing_sand: ${approved}Waiting for ${missing} approval${missing === 1 ? '' : 's'} from ${env.approvers
        .filter((a) => a !== request.requestedBy && !request.approvals.includes(a))
        .map(mention)
        .join(', ')}.`;
    }
    case 'started':
      return `:rocket: ${approved}Build <${buildConsoleUrl(state.buildId, state.region)}|${escapeMrkdwn(state.buildId)}> started.`;
    case 'rejected':
      return `:no_entry: Rejected by ${mention(state.by)}: ${escapeMrkdwn(state.reason)}`;
    case 'cancelled':
      return `:wastebasket: Cancelled by ${mention(request.requestedBy)}. Nothing ran.`;
  }
}

/** Replaces the status and actions blocks of a posted review message, keeping the rest as posted. */
export function replaceStatus(blocks: readonly KnownBlock[], replacement: KnownBlock[]): KnownBlock[] {
  const kept = blocks.filter((b) => b.block_id !== STATUS_BLOCK && b.block_id !== ACTIONS_BLOCK);
  return [...kept, ...replacement];
}

export function requestMetadata(request: ApprovalRequest, state: RequestState): MessageMetadata {
  return {
    event_type: METADATA_EVENT,
    event_payload: {
      request_id: request.id,
      kind: request.kind,
      env: request.env,
      requested_by: request.requestedBy,
      set_hash: request.setHash,
      expires_at: request.expiresAt,
      state: state.state,
      build_id: state.state === 'started' ? state.buildId : '',
    },
  };
}

const REPLY_CHARS = 3500;

/** Thread replies carrying the SQL that the review message had to cut or leave out. */
export function fullSqlReplies(set: ReviewedSet): string[] {
  const shown = new Set(set.digest.items.filter((i) => !i.sqlTruncated).map((i) => `${i.file}:${i.line}`));
  const missing = set.review.statements.filter((s) => s.findings.length > 0 && !shown.has(`${s.file}:${s.line}`));
  const replies: string[] = [];
  let current = '';
  for (const s of missing) {
    const header = `*\`${escapeMrkdwn(s.file)}:${s.line}\`* (${s.findings.map((f) => f.rule).join(', ')})`;
    // A statement too long for one reply is cut at line ends into parts, each its own code
    // block, so no reply ever opens a fence it does not close.
    const parts = sqlParts(s.sql, REPLY_CHARS - header.length - 20);
    parts.forEach((part, i) => {
      const piece = `${header}${parts.length > 1 ? ` part ${i + 1}/${parts.length}` : ''}\n${codeBlock(part)}\n`;
      if (current.length + piece.length > REPLY_CHARS && current) {
        replies.push(current);
        current = '';
      }
      current += piece;
    });
  }
  if (current) replies.push(current);
  for (let text of safeRewriteTexts(set.review)) {
    while (codeBlock(text).length > REPLY_CHARS - 40) text = `${text.slice(0, Math.floor(text.length * 0.8))}…`;
    replies.push(`*Safe rewrite*\n${codeBlock(text)}`);
  }
  return replies;
}

function sqlParts(sql: string, budget: number): string[] {
  const parts: string[] = [];
  let current = '';
  // Escaping can grow text fivefold (& → &amp;), so single lines are cut to a fifth of the budget.
  const lineMax = Math.floor(budget / 5);
  for (const line of sql.split('\n')) {
    for (let at = 0; at === 0 || at < line.length; at += lineMax) {
      const piece = line.slice(at, at + lineMax);
      const next = current ? `${current}\n${piece}` : piece;
      if (current && codeBlock(next).length > budget) {
        parts.push(current);
        current = piece;
      } else {
        current = next;
      }
    }
  }
  parts.push(current);
  return parts;
}
