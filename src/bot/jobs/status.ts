import type { KnownBlock } from '@slack/types';
import type { BuildSummary } from '../../aws/codebuild.ts';
import { describeAwsError } from '../../aws/lazy-sdk.ts';
import { tailOfBuild } from '../../aws/log-tail.ts';
import { decodeBuildEnvironment } from '../../build-env.ts';
import { buildConsoleUrl } from '../../codebuild-console.ts';
import type { EnvironmentConfig } from '../../config.ts';
import { BUDGET, withDeadline } from '../../deadline.ts';
import { STATUS_EMOJI, tailText } from '../../request-message/build-thread.ts';
import { currentState, type RequestRecord } from '../../requests/record.ts';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';
import { escapeMrkdwn, mention, messageLink, slackDate, subteam } from '../../slack/mrkdwn.ts';
import { reportBuild } from '../../status/build-reporter.ts';
import type { BotContext } from '../bot-context.ts';
import { tell } from '../notify.ts';
import type { DeferredJob } from './deferred.ts';

type StatusJob = Extract<DeferredJob, { type: 'status' | 'history' }>;

const STATUS_TAIL_LINES = 10;
/** The tail shares its section (3,000 characters) with the five build lines above it. */
const STATUS_TAIL_CHARS = 1200;

/**
 * Build status, who asked, who approved and the log tail are for each environment's own
 * channels only: decided from the config and the channel Slack reported, never from the job's env alone.
 */
function environmentsShownIn(ctx: BotContext, job: StatusJob): [string, EnvironmentConfig][] {
  return Object.entries(ctx.config.environments).filter(
    ([name, env]) => (!job.env || name === job.env) && env.channels.includes(job.to.channel),
  );
}

function shownElsewhere(ctx: BotContext, job: StatusJob, what: string): Promise<void> {
  const where = Object.entries(ctx.config.environments)
    .filter(([name]) => !job.env || name === job.env)
    .map(([name, env]) => `${escapeMrkdwn(name)} in ${env.channels.map((c) => `<#${c}>`).join(' or ')}`)
    .join('; ');
  return tell(ctx, job.to, `${what} is shown only in each environment's channels: ${where}.`);
}

/** `/daadaar status [env]`: latest builds per environment, and each environment's open request. */
export async function statusReply(ctx: BotContext, job: StatusJob): Promise<void> {
  const envs = environmentsShownIn(ctx, job);
  if (envs.length === 0) return shownElsewhere(ctx, job, 'Status');
  const blocks: KnownBlock[] = [];
  for (const [name, env] of envs) {
    let lines: string;
    try {
      const builds = await ctx.codeBuild.recentBuilds(env.codebuildProject, env.region, 5);
      lines = builds.length ? builds.map((b) => buildLine(b, env.region)).join('\n') : 'No builds yet.';
      const latest = builds[0];
      if (latest) {
        const tail = await tailOfBuild(ctx.logs, latest, env.region);
        lines += `\n${tailText(tail, latest, `Last report lines of ${latest.id}`, STATUS_TAIL_CHARS, STATUS_TAIL_LINES)}`;
        await repairThread(ctx, latest, env.region);
      }
    } catch (error) {
      lines = `:warning: CodeBuild could not be asked: ${escapeMrkdwn(describeAwsError(error))}`;
    }
    lines += `\n${await openRequestLine(ctx, name)}`;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: fitText(`*${escapeMrkdwn(name)}* · \`${escapeMrkdwn(env.codebuildProject)}\`\n${lines}`, LIMITS.sectionText),
      },
    });
  }
  await tell(ctx, job.to, `Status${job.env ? ` of ${job.env}` : ''}`, blocks);
}

async function openRequestLine(ctx: BotContext, env: string): Promise<string> {
  try {
    const lock = await withDeadline(ctx.store.readLock(env), BUDGET.dynamo, 'The request store');
    if (!lock || lock.expiresAt <= ctx.now()) return 'No open request.';
    const record = await withDeadline(ctx.store.get(lock.requestId), BUDGET.dynamo, 'The request store');
    const state = record ? currentState(record, ctx.now()) : 'open';
    const glass = record?.breakGlass ? ', :rotating_light: break-glass' : '';
    return `Open request: ${escapeMrkdwn(lock.kind)} by ${mention(lock.holder)} (${state}${glass}), holds the environment until ${slackDate(lock.expiresAt)}.`;
  } catch (error) {
    return `:warning: Open requests could not be read: ${escapeMrkdwn((error as Error).message)}`;
  }
}

/** If an EventBridge event was lost or its Slack call failed, the newest build's thread is brought up to date. */
async function repairThread(ctx: BotContext, build: BuildSummary, region: string): Promise<void> {
  if (!decodeBuildEnvironment(build.env).requestId) return;
  await reportBuild(build, region, {
    codeBuild: ctx.codeBuild,
    logs: ctx.logs,
    slack: ctx.slack,
    store: ctx.store,
    config: ctx.config,
    actionKey: ctx.actionKey,
    log: ctx.log,
    now: ctx.now,
  }).catch((error: unknown) => ctx.log.warn('thread repair failed', { buildId: build.id, error }));
}

function buildLine(b: BuildSummary, region: string): string {
  const vars = decodeBuildEnvironment(b.env);
  const what =
    vars.run?.kind === 'migrate' ? 'migrate' : vars.run?.kind === 'seed' ? `seed${vars.run.clean ? ' (CLEAN)' : ''}` : 'other job';
  const who = vars.requestedBy
    ? ` · requested by ${mention(vars.requestedBy)}${vars.approvedBy.length ? `, approved by ${vars.approvedBy.map(mention).join(', ')}` : ''}`
    : '';
  const when = b.startTime ? ` · ${slackDate(b.startTime.getTime())}` : '';
  return `${STATUS_EMOJI[b.status] ?? ':grey_question:'} <${buildConsoleUrl(b.id, region)}|${escapeMrkdwn(b.id)}> ${b.status}${b.currentPhase && b.status === 'IN_PROGRESS' ? ` (${b.currentPhase})` : ''} · ${what}${who}${when}`;
}

const HISTORY_LIMIT = 10;

/** `/daadaar history [env]`: the audit trail, newest first, from the request store. */
export async function historyReply(ctx: BotContext, job: StatusJob): Promise<void> {
  const envs = environmentsShownIn(ctx, job).map(([name]) => name);
  if (envs.length === 0) return shownElsewhere(ctx, job, 'History');
  let records: RequestRecord[];
  try {
    const lists = await Promise.all(
      envs.map((env) => withDeadline(ctx.store.recent(env, HISTORY_LIMIT), BUDGET.dynamo, 'The request store')),
    );
    records = lists
      .flat()
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, HISTORY_LIMIT);
  } catch (error) {
    return tell(ctx, job.to, `:x: The request history could not be read: ${escapeMrkdwn((error as Error).message)}`);
  }
  if (records.length === 0) return tell(ctx, job.to, `No requests yet${job.env ? ` for ${escapeMrkdwn(job.env)}` : ''}.`);
  const now = ctx.now();
  const lines = records.map((r) => historyLine(r, now));
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `Last ${records.length} request${records.length === 1 ? '' : 's'}${job.env ? ` · ${job.env}` : ''}`.slice(0, 150),
      },
    },
    ...lines.map((text) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: fitText(text, LIMITS.sectionText) } })),
  ];
  await tell(ctx, job.to, `Request history${job.env ? ` of ${job.env}` : ''}`, blocks);
}

function historyLine(r: RequestRecord, now: number): string {
  const state = currentState(r, now);
  const approvers = r.approvals.length ? r.approvals.map((a) => mention(a.user)).join(', ') : 'nobody';
  const build = r.build
    ? ` · build <${buildConsoleUrl(r.build.id, r.build.region)}|${escapeMrkdwn(r.build.id)}> ${escapeMrkdwn(r.build.status)}`
    : '';
  const link = r.messageTs ? ` · ${messageLink(r.channel, r.messageTs, 'review')}` : '';
  const after = r.promotedFrom ? ` · after ${escapeMrkdwn(r.promotedFrom.env)} request \`${escapeMrkdwn(r.promotedFrom.requestId)}\`` : '';
  const head = `*${escapeMrkdwn(state)}* · ${r.kind}${r.clean ? ' (CLEAN)' : ''} \`${escapeMrkdwn(r.env)}\` · ${slackDate(r.createdAt)}`;
  if (r.breakGlass)
    return `:rotating_light: ${head} · *break-glass*\nRequested by ${mention(r.requestedBy)}, ${breakGlassState(r)} · plan sha256 \`${r.planSha256}\`${after}${build}${link}`;
  return `${head}\nRequested by ${mention(r.requestedBy)}, approved by ${approvers} · ${decidingRule(r)} · plan sha256 \`${r.planSha256}\`${after}${build}${link}`;
}

/** Which rule set the bar, so the history says why two approvals were needed, and when none did. */
function decidingRule(r: RequestRecord): string {
  const n = `${r.approvalsRequired} approval${r.approvalsRequired === 1 ? '' : 's'}`;
  if (!r.approvalRule) return `${n} (the environment's default${r.kind === 'seed' ? ' for a seed' : ''})`;
  return `${n} by rule "${escapeMrkdwn(r.approvalRule.name)}" (${escapeMrkdwn(r.approvalRule.because)}${r.approvalRule.oneOf ? `, one from ${subteam(r.approvalRule.oneOf)}` : ''})`;
}

function breakGlassState(r: RequestRecord): string {
  const glass = r.breakGlass;
  if (glass?.confirmedAt === undefined) return 'never confirmed, so nothing ran';
  const confirmed = `confirmed by the requester alone ${slackDate(glass.confirmedAt)}`;
  if (glass.acknowledgedBy)
    return `${confirmed}, acknowledged by ${mention(glass.acknowledgedBy)} ${slackDate(glass.acknowledgedAt ?? glass.confirmedAt)}`;
  const reminders = glass.reminders ? ` (${glass.reminders} reminder${glass.reminders === 1 ? '' : 's'} posted)` : '';
  return `${confirmed}, *not acknowledged*${reminders}`;
}
