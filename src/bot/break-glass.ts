import { randomUUID } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { EnvironmentConfig } from '../config.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import { ACTIONS_BLOCK, acknowledgeButton } from '../request-message/frame.ts';
import { type RequestViewDeps, slackError, unwritable } from '../request-message/update.ts';
import { acknowledgementDue, acknowledgers, nextReminderAt } from '../requests/break-glass.ts';
import { claimReminder, type Decision, reminderDone, withThread } from '../requests/decisions.ts';
import { currentState, type RequestRecord, viewVersionOf } from '../requests/record.ts';
import { transition } from '../requests/transition.ts';
import { signRef } from '../slack/action-value.ts';
import { fitText } from '../slack/fit.ts';
import { LIMITS } from '../slack/limits.ts';
import { escapeMrkdwn, mention, messageLink, slackDate } from '../slack/mrkdwn.ts';
import { type PostOnceDeps, postOnce } from '../status/post-once.ts';

// The two posts that make a break-glass request loud outside its review: the announcement in the
// environment's security channel (once, claimed through the record like the thread's posts) and
// the daily reminder in the request's channel while no approver has acknowledged it. Both are
// rendered from the record and both may be posted by the submit job or by the reconciler.

type BreakGlassDeps = RequestViewDeps & PostOnceDeps;

function reviewLink(record: RequestRecord): string {
  return record.messageTs ? messageLink(record.channel, record.messageTs, `the review in <#${record.channel}>`) : `<#${record.channel}>`;
}

function approversBesides(record: RequestRecord, env: EnvironmentConfig | undefined): string {
  return (
    acknowledgers(record, env?.approvers ?? [])
      .map(mention)
      .join(', ') || 'an approver'
  );
}

/**
 * The security channel's post, a view of the record like the review: what was asked, by whom and
 * why, where it stands now, and whether an approver has acknowledged it (the button only while
 * an acknowledgement is owed).
 */
function announcement(record: RequestRecord, env: EnvironmentConfig | undefined, key: Buffer, now: number) {
  const glass = record.breakGlass;
  const n = record.pending.length;
  const due = acknowledgementDue(record);
  const after = glass?.acknowledgedBy
    ? `:white_check_mark: Acknowledged by ${mention(glass.acknowledgedBy)} ${slackDate(glass.acknowledgedAt ?? record.createdAt)}.`
    : due !== undefined
      ? `One of ${approversBesides(record, env)} must acknowledge it by ${slackDate(due)}.`
      : `Once it has run, one of ${approversBesides(record, env)} must acknowledge it within ${glass?.acknowledgeWithinHours ?? 24} h of its confirmation.`;
  // The reason (up to 500 characters, longer once escaped) goes last: what is cut to fit is never where it stands.
  const text = `:rotating_light: *Break-glass on \`${escapeMrkdwn(record.env)}\`:* ${mention(record.requestedBy)} requested ${n} reviewed migration${n === 1 ? '' : 's'} that run${n === 1 ? 's' : ''} on their own confirmation, without a second approval.\n*Now:* ${standing(record, now)} (${reviewLink(record)})\n${after}\n*Plan* sha256 \`${record.planSha256}\`\n*Reason:* ${escapeMrkdwn(record.reason)}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: fitText(text, LIMITS.sectionText) } }];
  if (due !== undefined) blocks.push({ type: 'actions', block_id: ACTIONS_BLOCK, elements: [acknowledgeButton(signRef(record, key))] });
  return { text: `Break-glass on ${record.env} by ${mention(record.requestedBy)}`, blocks };
}

function standing(record: RequestRecord, now: number): string {
  const state = currentState(record, now);
  const build = record.build ? `build \`${escapeMrkdwn(record.build.id)}\`` : 'its build';
  switch (state) {
    case 'open':
      return record.breakGlass?.confirmedAt === undefined
        ? `waiting for ${mention(record.requestedBy)}'s Run now until ${slackDate(record.expiresAt)}`
        : 'confirmed; its build did not start yet';
    case 'starting':
      return 'confirmed; starting its build';
    case 'started':
      return `confirmed; ${build} is running`;
    case 'succeeded':
    case 'failed':
    case 'stopped':
    case 'lost':
      return `${build} ended *${escapeMrkdwn(record.build?.status ?? state)}*`;
    default:
      return `*${state}*, nothing ran`;
  }
}

/** Posts the announcement once; the reconciler calls it again for a request whose post is not recorded. */
export async function announceBreakGlass(deps: BreakGlassDeps, record: RequestRecord): Promise<void> {
  const channel = record.breakGlass?.securityChannel;
  if (!channel) return;
  const env = deps.config.environments[record.env];
  await postOnce(
    record,
    'security',
    deps,
    async () => {
      const posted = await withDeadline(
        deps.slack.chat.postMessage({ channel, ...announcement(record, env, deps.actionKey, deps.now()), unfurl_links: false }),
        BUDGET.slack,
        'Slack chat.postMessage',
      );
      return posted.ts;
    },
    { securityShownVersion: viewVersionOf(record) },
  );
}

/**
 * Renders the announcement again from the record, as the review is (src/request-message/update.ts),
 * and records which version it shows. Renderings race (the acknowledge job, the reconciler after a
 * build event): whoever finishes last reads the record again and renders once more if it moved
 * on, so Slack ends on the newest version. A security channel Slack refuses for good (archived,
 * the bot removed, the post deleted) is given up on, and the version recorded, so the reconciler
 * does not retry it forever. False: not updated, to be retried.
 */
export async function refreshAnnouncement(deps: BreakGlassDeps, record: RequestRecord): Promise<boolean> {
  let current = record;
  for (let round = 0; round < 3; round++) {
    const channel = current.breakGlass?.securityChannel;
    const ts = current.thread.securityTs;
    if (!channel || !ts) return false;
    const view = viewVersionOf(current);
    try {
      await withDeadline(
        deps.slack.chat.update({
          channel,
          ts,
          ...announcement(current, deps.config.environments[current.env], deps.actionKey, deps.now()),
        }),
        BUDGET.slack,
        'Slack chat.update',
      );
    } catch (error) {
      deps.log.warn('break-glass announcement not updated', { requestId: current.id, error: slackError(error) });
      if (!unwritable(error)) return false;
    }
    const recorded = await transition(
      deps.store,
      current.id,
      (r): Decision =>
        (r.thread.securityShownVersion ?? 0) >= view
          ? { ok: false, reason: 'a newer rendering is recorded' }
          : { ok: true, next: withThread(r, { securityShownVersion: view }, deps.now()) },
    ).catch((error: unknown) => {
      deps.log.warn('announcement version not recorded', { requestId: current.id, error });
      return undefined;
    });
    const latest = recorded?.record;
    if (!latest || viewVersionOf(latest) <= view) return true;
    current = latest;
  }
  return true;
}

function reminder(record: RequestRecord, env: EnvironmentConfig | undefined, key: Buffer, now: number) {
  const glass = record.breakGlass;
  const due = acknowledgementDue(record) ?? now;
  const text = `:rotating_light: *Break-glass not acknowledged:* ${mention(record.requestedBy)}'s ${record.kind} of \`${escapeMrkdwn(record.env)}\`, confirmed ${slackDate(glass?.confirmedAt ?? record.createdAt)}, ended *${currentState(record, now)}*; its acknowledgement was due ${slackDate(due)}. ${approversBesides(record, env)}: read ${reviewLink(record)} and click Acknowledge. This reminder comes back every day until one of you does.`;
  return {
    text: `Break-glass on ${record.env} not acknowledged`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: fitText(text, LIMITS.sectionText) } },
      { type: 'actions', block_id: ACTIONS_BLOCK, elements: [acknowledgeButton(signRef(record, key))] },
    ] satisfies KnownBlock[],
  };
}

/**
 * Reminds the request's channel, once per due time however many reconcilers run: claimed with a
 * conditional write, posted, then recorded (which moves the next reminder a day on). A failed
 * post frees the claim and throws, so the next run tries again. At least once, as the thread's
 * posts are: a poster that dies between its post and the record leaves a stale claim, and the
 * next run posts that day's reminder again. An acknowledgement that lands while the reminder is
 * being posted turns the reminder into a note that it was acknowledged.
 */
export async function remindBreakGlass(deps: BreakGlassDeps & { staleMs: number }, record: RequestRecord): Promise<void> {
  const token = randomUUID();
  const claimed = await transition(deps.store, record.id, (r) => claimReminder(r, token, nextReminderAt(r), deps.now(), deps.staleMs));
  if (!claimed.ok) return;
  const current = claimed.record;
  let posted: { ts?: string };
  try {
    posted = await withDeadline(
      deps.slack.chat.postMessage({
        channel: current.channel,
        ...reminder(current, deps.config.environments[current.env], deps.actionKey, deps.now()),
        unfurl_links: false,
      }),
      BUDGET.slack,
      'Slack chat.postMessage',
    );
  } catch (error) {
    await transition(deps.store, record.id, (r) => reminderDone(r, token, false, deps.now())).catch(() => undefined);
    throw error;
  }
  const done = await transition(deps.store, record.id, (r) => reminderDone(r, token, true, deps.now()));
  deps.log.info('break-glass reminder posted', { requestId: record.id, reminders: (current.breakGlass?.reminders ?? 0) + 1 });
  const acknowledgedBy = done.record?.breakGlass?.acknowledgedBy;
  if (acknowledgedBy && posted.ts)
    await withDeadline(
      deps.slack.chat.update({
        channel: current.channel,
        ts: posted.ts,
        text: `Break-glass on ${current.env} acknowledged`,
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `:white_check_mark: ${mention(acknowledgedBy)} acknowledged ${mention(current.requestedBy)}'s break-glass run of \`${escapeMrkdwn(current.env)}\` (${reviewLink(current)}).`,
            },
          },
        ],
      }),
      BUDGET.slack,
      'Slack chat.update',
    ).catch((error: unknown) => deps.log.warn('reminder not updated', { requestId: record.id, error: slackError(error) }));
}
