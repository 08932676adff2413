import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { type BuildSummary, buildConsoleUrl } from '../../aws/codebuild.ts';
import { describeAwsError } from '../../aws/lazy-sdk.ts';
import { tailOfBuild } from '../../aws/log-tail.ts';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';
import { STATUS_EMOJI, tailText } from '../../status/build-report.ts';
import { reportBuild } from '../../status/report-build.ts';
import type { BotContext } from '../bot-context.ts';
import { escapeMrkdwn, mention, slackDate } from '../mrkdwn.ts';
import { METADATA_EVENT } from '../views/review-message.ts';

/** `/daadaar status [env]`: latest builds per environment and the channel's open requests. */
export async function statusReply(
  ctx: BotContext,
  client: WebClient,
  channel: string,
  only?: string,
): Promise<{ text: string; blocks: KnownBlock[] }> {
  const envs = Object.entries(ctx.config.environments).filter(([name]) => !only || name === only);
  const blocks: KnownBlock[] = [];
  for (const [name, env] of envs) {
    let lines: string;
    try {
      const builds = await ctx.codeBuild.recentBuilds(env.codebuildProject, env.region, 5);
      lines = builds.length ? builds.map((b) => buildLine(b, env.region)).join('\n') : 'No builds yet.';
      const latest = builds[0];
      if (latest) {
        lines += `\n${await latestTail(ctx, latest, env.region)}`;
        await repairThread(ctx, client, latest, env.region);
      }
    } catch (error) {
      lines = `:warning: CodeBuild could not be asked: ${escapeMrkdwn(describeAwsError(error))}`;
    }
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: fitText(`*${escapeMrkdwn(name)}* · \`${escapeMrkdwn(env.codebuildProject)}\`\n${lines}`, LIMITS.sectionText),
      },
    });
  }
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: fitText(await openRequests(ctx, client, channel, only), LIMITS.sectionText) },
  });
  return { text: `Status${only ? ` of ${only}` : ''}`, blocks };
}

const STATUS_TAIL_LINES = 10;
/** The tail shares its section (3,000 characters) with the five build lines above it. */
const STATUS_TAIL_CHARS = 1200;

/** Works without EventBridge: the newest build's log tail, read straight from CloudWatch Logs. */
async function latestTail(ctx: BotContext, build: BuildSummary, region: string): Promise<string> {
  const tail = await tailOfBuild(ctx.logs, build, region, STATUS_TAIL_LINES);
  return tailText(tail, build, `Last log lines of ${build.id}`, STATUS_TAIL_CHARS);
}

/**
 * If an EventBridge event was lost or its Slack call failed, the newest build's thread is
 * brought up to date now. Idempotent; a failure here is logged, never shown as the answer.
 */
async function repairThread(ctx: BotContext, client: WebClient, build: BuildSummary, region: string): Promise<void> {
  if (!build.env.SLACK_THREAD_TS) return;
  await reportBuild(build, region, { codeBuild: ctx.codeBuild, logs: ctx.logs, slack: client, log: ctx.log }).catch((error: unknown) =>
    ctx.log.warn('thread repair failed', { buildId: build.id, error }),
  );
}

function buildLine(b: BuildSummary, region: string): string {
  const what =
    b.env.RUN_MIGRATIONS === 'true'
      ? 'migrate'
      : b.env.RUN_SEED === 'true'
        ? `seed${b.env.CLEAN === 'true' ? ' (CLEAN)' : ''}`
        : 'other job';
  const who = b.env.REQUESTED_BY
    ? ` · requested by ${mention(b.env.REQUESTED_BY)}${b.env.APPROVED_BY ? `, approved by ${b.env.APPROVED_BY.split(',').map(mention).join(', ')}` : ''}`
    : '';
  const when = b.startTime ? ` · ${slackDate(b.startTime.getTime())}` : '';
  return `${STATUS_EMOJI[b.status] ?? ':grey_question:'} <${buildConsoleUrl(b.id, region)}|${escapeMrkdwn(b.id)}> ${b.status}${b.currentPhase && b.status === 'IN_PROGRESS' ? ` (${b.currentPhase})` : ''} · ${what}${who}${when}`;
}

async function openRequests(ctx: BotContext, client: WebClient, channel: string, only?: string): Promise<string> {
  try {
    const history = await client.conversations.history({ channel, limit: 100, include_all_metadata: true });
    const now = ctx.now();
    const open = (history.messages ?? []).filter((m) => {
      const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
      const p = meta?.event_payload;
      return meta?.event_type === METADATA_EVENT && p?.state === 'open' && Number(p.expires_at) > now && (!only || p.env === only);
    });
    if (open.length === 0) return 'No open requests in this channel.';
    return `*Open requests*\n${open
      .map((m) => {
        const p = (m.metadata as { event_payload: Record<string, string | number> }).event_payload;
        return `• ${escapeMrkdwn(String(p.kind))} \`${escapeMrkdwn(String(p.env))}\` by ${mention(String(p.requested_by))}, expires ${slackDate(Number(p.expires_at))}`;
      })
      .join('\n')}`;
  } catch (error) {
    return `Open requests could not be listed: ${escapeMrkdwn((error as { data?: { error?: string } }).data?.error ?? (error as Error).message)}.`;
  }
}
