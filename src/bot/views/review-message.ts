import type { KnownBlock } from '@slack/types';
import type { EnvironmentConfig } from '../../config.ts';
import { describePinnedTimeouts } from '../../history/pinned-timeouts.ts';
import { decodePlan } from '../../history/plan.ts';
import { safeRewriteTexts } from '../../render/review-digest.ts';
import { describeCounts } from '../../render/review-text.ts';
import { acknowledgers } from '../../requests/break-glass.ts';
import { promotionLine } from '../../requests/promotion.ts';
import type { RequestRecord } from '../../requests/record.ts';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';
import { codeBlock, escapeMrkdwn, mention, slackDate, subteam } from '../../slack/mrkdwn.ts';
import type { ReviewedSet } from '../migration-catalog.ts';
import { planLine } from './request-modal.ts';
import { targetSummary } from './target-summary.ts';

// The review message's body: rendered once, when the request is posted, and kept in the
// request store beside the record. The status line and buttons under it are rendered from the
// record every time (src/request-message/frame.ts).

export interface ReviewBodyInput {
  record: RequestRecord;
  envConfig: EnvironmentConfig;
  set: ReviewedSet;
  image: { digest?: string | null; problem?: string };
}

export function reviewBody({ record: request, envConfig, set, image }: ReviewBodyInput): KnownBlock[] {
  const env = escapeMrkdwn(request.env);
  const what = request.breakGlass ? '🚨 Break-glass migration' : request.kind === 'migrate' ? 'Migration' : 'Seed';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: fitText(`${what} request · ${request.env}`, LIMITS.headerText) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Requested by*\n${mention(request.requestedBy)}` },
        {
          type: 'mrkdwn',
          text: fitText(
            `*Environment*\n\`${env}\` · \`${escapeMrkdwn(envConfig.codebuildProject)}\` (${envConfig.region})`,
            LIMITS.sectionFieldText,
          ),
        },
        { type: 'mrkdwn', text: fitText(`*Reason*\n${escapeMrkdwn(request.reason)}`, LIMITS.sectionFieldText) },
        {
          type: 'mrkdwn',
          text: fitText(`*Approval*\n${approvalText(request, envConfig)}`, LIMITS.sectionFieldText),
        },
      ],
    },
  ];
  if (request.promotedFrom) {
    // Rendered once, at posting: "ago" is as of the request, which the record's createdAt fixes.
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: fitText(
            `:white_check_mark: *${request.promotedFrom.env} first:* ${promotionLine(request.promotedFrom, request.createdAt)} (request \`${request.promotedFrom.requestId}\`)`,
            LIMITS.text,
          ),
        },
      ],
    });
  }
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
    // The record's decision, which the build is told (DEPLOYBOT_SNAPSHOT) and checks against it.
    if (request.snapshot)
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `:camera: The build snapshots the database first (${request.snapshot.kind} \`${escapeMrkdwn(request.snapshot.id)}\`) and runs nothing unless the snapshot is available; the restore command goes into the thread.`,
          },
        ],
      });
    // From the plan the record holds: the numbers the build applies, not a second computation.
    const plan = decodePlan(request.plan);
    if (plan.ok && plan.plan.kind === 'migrate' && plan.plan.timeouts)
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: fitText(
              `*Timeouts*, pinned in the plan: ${describePinnedTimeouts(plan.plan.timeouts, set.digest.statements)}`,
              LIMITS.text,
            ),
          },
        ],
      });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: fitText(
          `${planLine(request.planSha256, image)} · request \`${request.id}\` · expires ${slackDate(request.expiresAt)}${request.confirmed ? ` · requester typed \`${env}\` to confirm` : ''}`,
          LIMITS.text,
        ),
      },
    ],
  });
  return blocks;
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
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fitText(text, LIMITS.sectionText) } });
  }
  const cut = digest.items.filter((i) => i.sqlTruncated).length;
  if (digest.omittedItems > 0 || cut > 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${digest.omittedItems > 0 ? `${digest.omittedItems} more flagged statement${digest.omittedItems === 1 ? '' : 's'} and ` : ''}the full SQL of every pending migration are in the thread, as a .sql file.`,
        },
      ],
    });
  }
  return blocks;
}

/**
 * The full SQL of what will run, as one file for the thread: drizzle's pending set in the order
 * it applies it. One upload instead of a reply per cut statement: a 200 KB statement used to
 * take 132 replies.
 */
export function fullSqlFile(
  set: ReviewedSet,
  record: Pick<RequestRecord, 'id' | 'env' | 'planSha256'>,
): { filename: string; content: string } {
  const parts = set.migrations.map((m) => `-- ${m.tag}.sql · sha256 ${m.hash}\n${m.sql.trimEnd()}\n`);
  const head = `-- Pending on ${record.env} for request ${record.id}: ${set.migrations.length} migration${set.migrations.length === 1 ? '' : 's'}, applied by drizzle in one transaction.\n-- Plan sha256 ${record.planSha256} (what the approvers approve and the build is pinned to)\n\n`;
  return { filename: `${record.env}-pending-${record.planSha256.slice(0, 12)}.sql`, content: head + parts.join('\n') };
}

const REPLY_CHARS = 3500;

/** Thread replies with the concrete safe rewrite of each flagged statement that has one. */
export function safeRewriteReplies(set: ReviewedSet): string[] {
  return safeRewriteTexts(set.review).map((text) => {
    let fitted = text;
    while (codeBlock(fitted).length > REPLY_CHARS - 40) fitted = `${fitted.slice(0, Math.floor(fitted.length * 0.8))}…`;
    return `*Safe rewrite*\n${codeBlock(fitted)}`;
  });
}

/** `2 of @a, @b, including one of @dbas (rule "destructive": 2 destructive findings)`; the record's bar, not today's config. */
function approvalText(request: RequestRecord, envConfig: EnvironmentConfig): string {
  const glass = request.breakGlass;
  if (glass)
    return `None: break-glass, ${mention(request.requestedBy)} confirms alone. Announced in <#${glass.securityChannel}>; one of ${acknowledgers(request, envConfig.approvers).map(mention).join(', ')} acknowledges within ${glass.acknowledgeWithinHours} h after`;
  const rule = request.approvalRule;
  const group = rule?.oneOf ? `, including one of ${subteam(rule.oneOf)}` : '';
  const why = rule ? ` (rule "${escapeMrkdwn(rule.name)}": ${escapeMrkdwn(rule.because)})` : '';
  return `${request.approvalsRequired} of ${envConfig.approvers.map(mention).join(', ')}${group}${why}`;
}
