import type { App } from '@slack/bolt';
import { seedRefusal } from '../../config.ts';
import { slackError } from '../../request-message/update.ts';
import { breakGlassRefusal } from '../../requests/break-glass.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import { helpText, parseCommand } from '../command.ts';
import type { Audience, DeferredJob } from '../jobs/deferred.ts';
import { tell } from '../notify.ts';
import { policyText } from '../views/policy-text.ts';
import { errorModal, loadingModal } from '../views/request-modal.ts';
import { handOver } from './hand-over.ts';
import { openModal } from './open-modal.ts';

export function registerCommand(app: App, ctx: BotContext): void {
  app.command('/daadaar', async ({ command, ack }) => {
    const parsed = parseCommand(command.text ?? '', ctx.config);
    // Answers that need nothing but the config go back in the acknowledgement itself.
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', text: helpText(ctx.config) });
    if (parsed.kind === 'invalid') return ack({ response_type: 'ephemeral', text: parsed.message });
    if (parsed.kind === 'policy') return ack({ response_type: 'ephemeral', text: policyText(ctx.config, parsed.env) });
    const to: Audience = { user: command.user_id, channel: command.channel_id, responseUrl: command.response_url };
    if (parsed.kind !== 'migrate' && parsed.kind !== 'seed' && parsed.kind !== 'breakglass') {
      await ack();
      await handOver(ctx, { type: parsed.kind, env: parsed.env, to });
      return;
    }
    const env = ctx.config.environments[parsed.env];
    if (!env) return ack({ response_type: 'ephemeral', text: `Unknown environment \`${escapeMrkdwn(parsed.env)}\`.` });
    if (!env.channels.includes(command.channel_id)) {
      return ack({
        response_type: 'ephemeral',
        text: `${parsed.env} requests are made in ${env.channels.map((c) => `<#${c}>`).join(' or ')}, where the approvers are. Type \`/daadaar ${parsed.kind} ${parsed.env}\` there.`,
      });
    }
    const breakGlass = parsed.kind === 'breakglass';
    if (breakGlass) {
      const refusal = breakGlassRefusal(parsed.env, env, command.user_id);
      if (refusal) return ack({ response_type: 'ephemeral', text: `:no_entry: ${refusal}` });
    }
    if (parsed.kind === 'seed') {
      const refusal = seedRefusal(parsed.env, env);
      if (refusal) return ack({ response_type: 'ephemeral', text: `:no_entry: Not seeding ${parsed.env}. ${escapeMrkdwn(refusal)}` });
    }
    await ack();
    const kind = breakGlass ? 'migrate' : parsed.kind;
    const opened = await openModal(ctx, command.trigger_id, loadingModal(kind, parsed.env, breakGlass));
    if (!opened.ok) {
      return tell(
        ctx,
        to,
        `:x: The ${parsed.kind} form could not be opened (${escapeMrkdwn(opened.reason)}). Nothing was requested; run \`/daadaar ${parsed.kind} ${escapeMrkdwn(parsed.env)}\` again.`,
      );
    }
    const job: DeferredJob = { type: 'open-form', kind, env: parsed.env, viewId: opened.viewId, to, ...(breakGlass ? { breakGlass } : {}) };
    if (await handOver(ctx, job)) return;
    // The person was told; the modal must not keep saying "Reviewing…" forever.
    await ctx.slack.views
      .update({ view_id: opened.viewId, view: errorModal(kind, parsed.env, 'The bot could not start reviewing; run the command again.') })
      .catch((error: unknown) => ctx.log.warn('form could not be updated', { error: slackError(error) }));
  });
}
