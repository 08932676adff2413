import type { ModalView } from '@slack/types';
import { slackError } from '../../request-message/update.ts';
import type { BotContext } from '../bot-context.ts';

export type Opened = { ok: true; viewId: string } | { ok: false; reason: string };

/**
 * views.open, in the listener itself: Slack's trigger id expires 3 s after the click or command
 * was sent, and the asynchronous invocation that does the slow work may start later than that
 * (a cold Lambda, a slow Event queue). So the listener opens a loading view now, and the job
 * only ever calls views.update on the view id, which does not expire.
 */
export async function openModal(ctx: BotContext, triggerId: string, view: ModalView): Promise<Opened> {
  try {
    const opened = await ctx.slack.views.open({ trigger_id: triggerId, view });
    const viewId = opened.view?.id;
    return viewId ? { ok: true, viewId } : { ok: false, reason: 'Slack returned no view id' };
  } catch (error) {
    ctx.log.warn('modal could not be opened', { error: slackError(error) });
    return { ok: false, reason: slackError(error) };
  }
}
