import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { RequestStore } from '../aws/request-store.ts';
import type { DeploybotConfig } from '../config.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import type { Log } from '../log.ts';
import { shown } from '../requests/decisions.ts';
import { type RequestRecord, viewVersionOf } from '../requests/record.ts';
import { transition } from '../requests/transition.ts';
import { requestMessage, statusText } from './request-message.ts';

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
 * Re-renders the review message from the record: the bot after a click, the status reporter
 * after a build event. A failed chat.update is retried; if Slack still refuses, the thread says
 * what the record says, so a started build is never left unreported behind live buttons (the
 * next build event, or `/daadaar status`, renders it again).
 */
export async function updateRequestMessage(deps: RequestViewDeps, record: RequestRecord): Promise<boolean> {
  // Renderings race (a click, a build event, the reconciler): whoever finishes last reads the
  // record again and renders once more if it moved on, so the message ends on the newest version.
  let current = record;
  for (let round = 0; round < 3; round++) {
    if (!(await renderOnce(deps, current))) return false;
    const view = viewVersionOf(current);
    const recorded = await transition(deps.store, current.id, (r) => shown(r, view)).catch((error: unknown) => {
      deps.log.warn('rendered version not recorded', { requestId: current.id, error });
      return undefined;
    });
    const latest = recorded?.ok ? recorded.record : recorded?.record;
    if (!latest || viewVersionOf(latest) <= view) return true;
    current = latest;
  }
  return true;
}

async function renderOnce(deps: RequestViewDeps, record: RequestRecord): Promise<boolean> {
  if (!record.messageTs) return false;
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
      await withDeadline(
        deps.slack.chat.update({ channel: record.channel, ts: record.messageTs, ...message }),
        BUDGET.slack,
        'Slack chat.update',
      );
      return true;
    } catch (error) {
      lastError = error;
    }
  }
  deps.log.error('review message could not be updated', { requestId: record.id, error: slackError(lastError) });
  try {
    await withDeadline(
      deps.slack.chat.postMessage({
        channel: record.channel,
        thread_ts: record.messageTs,
        text: `:warning: The message above could not be updated (${slackError(lastError)}); its buttons may be out of date. This request now stands as: ${statusText(record, env, now)}`,
        unfurl_links: false,
      }),
      BUDGET.slack,
      'Slack chat.postMessage',
    );
  } catch (error) {
    deps.log.error('thread fallback failed too', { requestId: record.id, error: slackError(error) });
  }
  return false;
}
