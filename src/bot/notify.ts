import type { KnownBlock } from '@slack/types';
import { BUDGET, withDeadline } from '../deadline.ts';
import { slackError } from '../request-message/update.ts';
import type { RequestRecord } from '../requests/record.ts';
import type { BotContext } from './bot-context.ts';
import type { Audience } from './jobs/deferred.ts';

export { slackError };

export function slackCall<T>(work: Promise<T>, method: string): Promise<T> {
  return withDeadline(work, BUDGET.slack, `Slack ${method}`);
}

/**
 * Tells one person something only they need to see: through the slash command's response_url
 * when there is one (it works where the bot is not a member), else an ephemeral message, else
 * a direct message. Never throws: a failure to tell is logged, and the request record keeps
 * the truth either way.
 */
export async function tell(ctx: BotContext, to: Audience, text: string, blocks?: KnownBlock[]): Promise<void> {
  if (to.responseUrl) {
    try {
      const res = await fetch(to.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }),
        signal: AbortSignal.timeout(BUDGET.slack),
      });
      if (res.ok) return;
      ctx.log.warn('response_url refused', { status: res.status });
    } catch (error) {
      ctx.log.warn('response_url failed', { error });
    }
  }
  try {
    await slackCall(
      ctx.slack.chat.postEphemeral({ channel: to.channel, user: to.user, text, ...(blocks ? { blocks } : {}) }),
      'chat.postEphemeral',
    );
    return;
  } catch (error) {
    ctx.log.warn('ephemeral failed; trying a direct message', { user: to.user, error: slackError(error) });
  }
  try {
    await slackCall(ctx.slack.chat.postMessage({ channel: to.user, text, ...(blocks ? { blocks } : {}) }), 'chat.postMessage');
  } catch (error) {
    ctx.log.error('could not tell the person', { user: to.user, error: slackError(error), text });
  }
}

/** A direct message: for what must reach a person even where the bot cannot post. */
export async function directMessage(ctx: BotContext, user: string, text: string): Promise<void> {
  try {
    await slackCall(ctx.slack.chat.postMessage({ channel: user, text }), 'chat.postMessage');
  } catch (error) {
    ctx.log.error('direct message failed', { user, error: slackError(error) });
  }
}

/** A reply in the request's thread; failures are logged, never thrown. */
export async function threadReply(ctx: Pick<BotContext, 'slack' | 'log'>, record: RequestRecord, text: string): Promise<void> {
  if (!record.messageTs) return;
  try {
    await slackCall(
      ctx.slack.chat.postMessage({ channel: record.channel, thread_ts: record.messageTs, text, unfurl_links: false }),
      'chat.postMessage',
    );
  } catch (error) {
    ctx.log.error('thread reply failed', { requestId: record.id, error: slackError(error) });
  }
}
