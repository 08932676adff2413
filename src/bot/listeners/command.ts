import type { App } from '@slack/bolt';
import { seedRefusal } from '../../config.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import { helpText, parseCommand } from '../command.ts';
import type { Audience, DeferredJob } from '../jobs/deferred.ts';
import { handOver } from './hand-over.ts';

export function registerCommand(app: App, ctx: BotContext): void {
  app.command('/daadaar', async ({ command, ack }) => {
    const parsed = parseCommand(command.text ?? '', ctx.config);
    // Answers that need nothing but the config go back in the acknowledgement itself.
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', text: helpText(ctx.config) });
    if (parsed.kind === 'invalid') return ack({ response_type: 'ephemeral', text: parsed.message });
    const to: Audience = { user: command.user_id, channel: command.channel_id, responseUrl: command.response_url };
    if (parsed.kind !== 'migrate' && parsed.kind !== 'seed') {
      await ack();
      return handOver(ctx, { type: parsed.kind, env: parsed.env, to });
    }
    const env = ctx.config.environments[parsed.env];
    if (!env) return ack({ response_type: 'ephemeral', text: `Unknown environment \`${escapeMrkdwn(parsed.env)}\`.` });
    if (!env.channels.includes(command.channel_id)) {
      return ack({
        response_type: 'ephemeral',
        text: `${parsed.env} requests are made in ${env.channels.map((c) => `<#${c}>`).join(' or ')}, where the approvers are. Type \`/daadaar ${parsed.kind} ${parsed.env}\` there.`,
      });
    }
    if (parsed.kind === 'seed') {
      const refusal = seedRefusal(parsed.env, env);
      if (refusal) return ack({ response_type: 'ephemeral', text: `:no_entry: Not seeding ${parsed.env}. ${escapeMrkdwn(refusal)}` });
    }
    await ack();
    const job: DeferredJob = { type: 'open-form', kind: parsed.kind, env: parsed.env, triggerId: command.trigger_id, to };
    return handOver(ctx, job);
  });
}
