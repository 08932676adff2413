import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { DeploybotConfig } from '../config.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import type { Log } from '../log.ts';
import { channelUnwritable, shown } from '../requests/decisions.ts';
import { type RequestRecord, viewVersionOf } from '../requests/record.ts';
import type { RequestStore } from '../requests/store.ts';
import { transition } from '../requests/transition.ts';
import { escapeMrkdwn, mention } from '../slack/mrkdwn.ts';
import { isAbandoned } from '../slack/web-client.ts';
import { requestMessage, statusText } from './frame.ts';

export interface RequestViewDeps {
  slack: WebClient;
  store: RequestStore;
  config: DeploybotConfig;
  actionKey: Buffer;
  log: Log;
  now: () => number;
}

const UPDATE_RETRIES = [0, 300, 1200];

/** Slack's error code or the failure's message, for a person to read. */
export function slackError(error: unknown): string {
  const e = error as { data?: { error?: string }; message?: string };
  return e.data?.error ?? e.message ?? String(error);
}

/**
 * What became of a re-render. `left-to-reconciler`: Slack asked for a wait longer than the call's
 * budget, or did not answer in time; nothing of the call goes out later, and the next render
 * (a click, a build event, the reconciler) shows the record as it then is.
 */
export type MessageUpdate =
  | { ok: true }
  | { ok: false; outcome: 'no-message' | 'left-to-reconciler' | 'channel-unwritable' | 'failed'; reason: string };

/** Slack's answers that no retry changes: someone has to move the request somewhere people see it. */
const UNWRITABLE = new Set(['is_archived', 'not_in_channel', 'channel_not_found', 'message_not_found']);

/** Whether Slack refused a write to a channel or message for good (see UNWRITABLE). */
export function unwritable(error: unknown): boolean {
  return UNWRITABLE.has(slackError(error));
}

/**
 * Re-renders the review message from the record: the bot after a click, the status reporter
 * after a build event. A failed chat.update is retried; if Slack still refuses, the thread says
 * what the record says, so a started build is never left unreported behind live buttons (the
 * next build event, or `/daadaar status`, renders it again). A channel that cannot be written
 * is recorded on the request and its people are told by direct message.
 */
export async function updateRequestMessage(deps: RequestViewDeps, record: RequestRecord): Promise<MessageUpdate> {
  // Renderings race (a click, a build event, the reconciler): whoever finishes last reads the
  // record again and renders once more if it moved on, so the message ends on the newest version.
  let current = record;
  for (let round = 0; round < 3; round++) {
    const rendered = await renderOnce(deps, current);
    if (!rendered.ok) return rendered;
    const view = viewVersionOf(current);
    const recorded = await transition(deps.store, current.id, (r) => shown(r, view)).catch((error: unknown) => {
      deps.log.warn('rendered version not recorded', { requestId: current.id, error });
      return undefined;
    });
    const latest = recorded?.ok ? recorded.record : recorded?.record;
    if (!latest || viewVersionOf(latest) <= view) return rendered;
    current = latest;
  }
  return { ok: true };
}

async function renderOnce(deps: RequestViewDeps, record: RequestRecord): Promise<MessageUpdate> {
  if (!record.messageTs) return { ok: false, outcome: 'no-message', reason: 'the review message was never recorded' };
  const env = deps.config.environments[record.env] ?? { approvers: [], codebuildProject: '?' };
  let body: KnownBlock[] = [];
  try {
    body = JSON.parse((await withDeadline(deps.store.body(record.id), BUDGET.dynamo, 'The request store')) ?? '[]') as KnownBlock[];
  } catch (error) {
    deps.log.warn('review body unavailable; showing the status alone', { requestId: record.id, error });
  }
  const now = deps.now();
  const message = requestMessage(record, body, env, deps.actionKey, now);
  let lastError: unknown;
  for (const wait of UPDATE_RETRIES) {
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      // The transport ends the call at its deadline (src/slack/web-client.ts).
      await deps.slack.chat.update({ channel: record.channel, ts: record.messageTs, ...message });
      return { ok: true };
    } catch (error) {
      lastError = error;
      if (isAbandoned(error)) {
        deps.log.warn('review message update left to the reconciler', { requestId: record.id, error: slackError(error) });
        return { ok: false, outcome: 'left-to-reconciler', reason: slackError(error) };
      }
      const code = slackError(error);
      if (UNWRITABLE.has(code)) {
        await channelLost(deps, record, code);
        return { ok: false, outcome: 'channel-unwritable', reason: code };
      }
    }
  }
  deps.log.error('review message could not be updated', { requestId: record.id, error: slackError(lastError) });
  try {
    await deps.slack.chat.postMessage({
      channel: record.channel,
      thread_ts: record.messageTs,
      text: `:warning: The message above could not be updated (${slackError(lastError)}); its buttons may be out of date. This request now stands as: ${statusText(record, env, now)}`,
      unfurl_links: false,
    });
  } catch (error) {
    deps.log.error('thread fallback failed too', { requestId: record.id, error: slackError(error) });
  }
  return { ok: false, outcome: 'failed', reason: slackError(lastError) };
}

/**
 * The channel no longer shows the request (archived, the bot removed, the message deleted): the
 * record says so, and the requester and the environment's approvers hear the outcome directly.
 * Told once per cause: only the handler whose write recorded it sends the messages.
 */
async function channelLost(deps: RequestViewDeps, record: RequestRecord, cause: string): Promise<void> {
  const noted = await transition(deps.store, record.id, (r) => channelUnwritable(r, cause, deps.now())).catch((error: unknown) => {
    deps.log.error('channel loss not recorded', { requestId: record.id, error });
    return undefined;
  });
  if (!noted?.ok) return;
  const env = deps.config.environments[record.env] ?? { approvers: [], codebuildProject: '?' };
  const current = noted.record;
  const text = `:warning: ${mention(current.requestedBy)}'s ${current.kind} request for \`${escapeMrkdwn(current.env)}\` can no longer be shown in <#${current.channel}> (Slack: \`${escapeMrkdwn(cause)}\`). It now stands as: ${statusText(current, env, deps.now())}`;
  deps.log.warn('request channel unwritable; telling its people directly', { requestId: record.id, cause });
  for (const user of new Set([current.requestedBy, ...env.approvers])) {
    try {
      await deps.slack.chat.postMessage({ channel: user, text, unfurl_links: false });
    } catch (error) {
      deps.log.error('direct message failed', { requestId: record.id, user, error: slackError(error) });
    }
  }
}
