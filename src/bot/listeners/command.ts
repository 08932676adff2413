import type { App } from '@slack/bolt';
import { seedRefusal } from '../../config.ts';
import type { BotContext } from '../bot-context.ts';
import { helpText, parseCommand } from '../command.ts';
import { confirmationReasons, errorModal, loadingModal, pendingKey, requestModal } from '../views/request-modal.ts';
import { statusReply } from './status.ts';

export function registerCommand(app: App, ctx: BotContext): void {
  app.command('/daadaar', async ({ command, ack, client }) => {
    const parsed = parseCommand(command.text ?? '', ctx.config);
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', text: helpText(ctx.config) });
    if (parsed.kind === 'invalid') return ack({ response_type: 'ephemeral', text: parsed.message });
    if (parsed.kind === 'status')
      return ack({ response_type: 'ephemeral', ...(await statusReply(ctx, client, command.channel_id, parsed.env)) });

    const env = ctx.config.environments[parsed.env];
    if (!env) return ack({ response_type: 'ephemeral', text: `Unknown environment \`${parsed.env}\`.` });
    if (!env.channels.includes(command.channel_id)) {
      return ack({
        response_type: 'ephemeral',
        text: `${parsed.env} requests are made in ${env.channels.map((c) => `<#${c}>`).join(' or ')}, where the approvers are. Type \`/daadaar ${parsed.kind} ${parsed.env}\` there.`,
      });
    }
    if (parsed.kind === 'seed') {
      const refusal = seedRefusal(parsed.env, env);
      if (refusal) return ack({ response_type: 'ephemeral', text: `:no_entry: Not seeding ${parsed.env}. ${refusal}` });
    }

    // Ack, then open the modal while the trigger id is fresh (3 s); the target's history is
    // read and reviewed meanwhile, so the two round trips overlap.
    await ack();
    const reviewing = ctx.catalog.reviewedFor(env, parsed.kind);
    const opened = await client.views.open({ trigger_id: command.trigger_id, view: loadingModal(parsed.kind, parsed.env) });
    const viewId = opened.view?.id;
    const reviewed = await reviewing;
    if (!viewId) return;
    if (!reviewed.ok) {
      ctx.log.error('migrations could not be loaded', { reason: reviewed.reason });
      await client.views.update({
        view_id: viewId,
        view: errorModal(parsed.kind, parsed.env, `The shipped migrations could not be read: ${reviewed.reason}`),
      });
      return;
    }
    const state = {
      kind: parsed.kind,
      env: parsed.env,
      channel: command.channel_id,
      setHash: reviewed.set.setHash,
      pendingKey: pendingKey(reviewed.set),
      confirmBecause: confirmationReasons(parsed.kind, reviewed.set),
    };
    await client.views.update({ view_id: viewId, hash: opened.view?.hash, view: requestModal(state, env, reviewed.set) });
  });
}
