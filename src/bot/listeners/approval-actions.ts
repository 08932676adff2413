import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION } from '../../request-message/frame.ts';
import { slackError } from '../../request-message/update.ts';
import { verifyRef } from '../../slack/action-value.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import type { Audience } from '../jobs/deferred.ts';
import { tell } from '../notify.ts';
import { REJECT_MODAL, type RejectForm, rejectLoadingModal, rejectRefusedModal } from '../views/reject-modal.ts';
import { handOver } from './hand-over.ts';
import { openModal } from './open-modal.ts';

type Verified = { ok: true; requestId: string; to: Audience; messageTs?: string } | { ok: false };

/**
 * What can be decided without I/O is decided here: the value's signature (it proves the button
 * is ours, not that it is current) and that the click comes from a channel configured for the
 * request's environment. Everything else is decided from the request record, in the job.
 */
async function readClick(ctx: BotContext, body: BlockAction, action: ButtonAction, acknowledging = false): Promise<Verified> {
  const channel = body.channel?.id ?? body.container?.channel_id ?? '';
  const to: Audience = { user: body.user.id, channel };
  const verified = verifyRef(action.value, ctx.actionKey);
  if (!verified.ok) {
    ctx.log.warn('action value refused', { user: body.user.id, channel, reason: verified.reason });
    await tell(ctx, to, `:no_entry: Refused: ${verified.reason}. Nothing changed.`);
    return { ok: false };
  }
  const env = ctx.config.environments[verified.ref.env];
  // A break-glass request is also acknowledged from its announcement in the security channel
  // its record names (the config may have changed since): the job decides that from the record.
  if (!env?.channels.includes(channel) && !acknowledging) {
    ctx.log.warn('click from a channel not configured for the environment', { user: body.user.id, channel, env: verified.ref.env });
    await tell(ctx, to, `:no_entry: Refused: ${verified.ref.env} requests are decided only in their configured channels. Nothing changed.`);
    return { ok: false };
  }
  // The message the button was on: a record that never got its review's ts adopts it (clicks.ts).
  return { ok: true, requestId: verified.ref.id, to, messageTs: body.container?.message_ts ?? body.message?.ts };
}

export function registerApprovalActions(app: App, ctx: BotContext): void {
  for (const type of ['approve', 'cancel', 'stop'] as const) {
    app.action<BlockAction<ButtonAction>>(ACTION[type], async ({ ack, body, action }) => {
      await ack();
      const click = await readClick(ctx, body, action);
      if (click.ok) await handOver(ctx, { type, requestId: click.requestId, to: click.to, messageTs: click.messageTs });
    });
  }

  app.action<BlockAction<ButtonAction>>(ACTION.acknowledge, async ({ ack, body, action }) => {
    await ack();
    const click = await readClick(ctx, body, action, true);
    if (click.ok) await handOver(ctx, { type: 'acknowledge', requestId: click.requestId, to: click.to });
  });

  app.action<BlockAction<ButtonAction>>(ACTION.reject, async ({ ack, body, action }) => {
    await ack();
    const click = await readClick(ctx, body, action);
    if (!click.ok) return;
    const opened = await openModal(ctx, body.trigger_id, rejectLoadingModal());
    if (!opened.ok)
      return tell(ctx, click.to, `:x: The reject form could not be opened (${escapeMrkdwn(opened.reason)}). Click Reject again.`);
    const handed = await handOver(ctx, { type: 'open-reject-form', requestId: click.requestId, viewId: opened.viewId, to: click.to });
    if (!handed)
      await ctx.slack.views
        .update({ view_id: opened.viewId, view: rejectRefusedModal('The bot could not start working on that; click Reject again.') })
        .catch((error: unknown) => ctx.log.warn('reject form could not be updated', { error: slackError(error) }));
  });

  app.view(REJECT_MODAL, async ({ ack, body, view }) => {
    const reason = (view.state.values.reason?.value?.value ?? '').trim();
    if (!reason) return ack({ response_action: 'errors', errors: { reason: 'Say why, so the requester can fix it.' } });
    let form: RejectForm;
    try {
      form = JSON.parse(view.private_metadata) as RejectForm;
    } catch {
      return ack({ response_action: 'errors', errors: { reason: 'This form is damaged; click Reject again.' } });
    }
    await ack();
    await handOver(ctx, { type: 'reject', requestId: form.requestId, reason, to: { user: body.user.id, channel: form.channel } });
  });
}
