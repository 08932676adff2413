import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { buildConsoleUrl } from '../../aws/codebuild.ts';
import { type ApprovalRequest, signRequest, verifyRequest } from '../approval-request.ts';
import { decideApproval, decideCancellation, decideRejection } from '../approval-rules.ts';
import type { BotContext } from '../bot-context.ts';
import { escapeMrkdwn, mention } from '../../slack/mrkdwn.ts';
import { startApprovedBuild } from '../start-build.ts';
import { REJECT_MODAL, rejectModal } from '../views/reject-modal.ts';
import { ACTION, type RequestState, replaceStatus, requestMetadata, statusAndActions } from '../views/review-message.ts';

interface Clicked {
  channel: string;
  ts: string;
  user: string;
  blocks: KnownBlock[];
  request: ApprovalRequest;
}

export function registerApprovalActions(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(ACTION.approve, async ({ ack, body, action, client }) => {
    await ack();
    const clicked = await readClick(ctx, client, body, action);
    if (!clicked) return;
    const env = ctx.config.environments[clicked.request.env];
    if (!env) return refuse(client, clicked, `Environment ${clicked.request.env} is no longer configured; nothing can run.`);
    const decision = decideApproval(clicked.request, clicked.user, env, ctx.now());
    if (!decision.ok) return refuse(client, clicked, decision.reason);
    const request = decision.request;
    const log = { requestId: request.id, env: request.env, approver: clicked.user };

    if (!decision.complete) {
      ctx.log.info('approval recorded', log);
      await update(
        client,
        clicked,
        request,
        { state: 'open' },
        statusAndActions(request, { state: 'open' }, env, signRequest(request, ctx.actionKey)),
      );
      return;
    }
    const outcome = await startApprovedBuild(request, env, ctx.codeBuild, { channel: clicked.channel, threadTs: clicked.ts });
    ctx.log.info('build start', { ...log, outcome: outcome.kind, buildId: 'build' in outcome ? outcome.build.id : undefined });
    const thread = (text: string) =>
      client.chat.postMessage({ channel: clicked.channel, thread_ts: clicked.ts, text, unfurl_links: false });
    switch (outcome.kind) {
      case 'started':
      case 'already-started': {
        const state: RequestState = { state: 'started', buildId: outcome.build.id, region: env.region };
        await update(client, clicked, request, state, statusAndActions(request, state, env, ''));
        if (outcome.kind === 'started') {
          await thread(
            `:rocket: Approved by ${mention(clicked.user)}. Build <${buildConsoleUrl(outcome.build.id, env.region)}|${escapeMrkdwn(outcome.build.id)}> started, pinned to migration set \`${request.setHash.slice(0, 12)}\`. Status follows in this thread.`,
          );
        } else {
          await refuse(
            client,
            clicked,
            `This request's build <${buildConsoleUrl(outcome.build.id, env.region)}|${escapeMrkdwn(outcome.build.id)}> has already started.`,
          );
        }
        return;
      }
      case 'busy':
        await thread(
          `:construction: Not started: build <${buildConsoleUrl(outcome.build.id, env.region)}|${escapeMrkdwn(outcome.build.id)}> of \`${escapeMrkdwn(env.codebuildProject)}\` is still ${outcome.build.status.toLowerCase().replace('_', ' ')}${outcome.build.env.DEPLOYBOT_REQUEST_ID ? ` (request \`${escapeMrkdwn(outcome.build.env.DEPLOYBOT_REQUEST_ID)}\`)` : ''}. Migrations never overlap. The request is still open: approve again when it has finished.`,
        );
        return;
      case 'failed':
        await thread(
          `:x: Could not start the build: ${escapeMrkdwn(outcome.reason)}. Nothing ran. The request is still open: approve again to retry.`,
        );
        return;
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION.reject, async ({ ack, body, action, client }) => {
    await ack();
    const clicked = await readClick(ctx, client, body, action);
    if (!clicked) return;
    const env = ctx.config.environments[clicked.request.env];
    const decision = env
      ? decideRejection(clicked.request, clicked.user, env, ctx.now())
      : { ok: false as const, reason: 'Unknown environment.' };
    if (!decision.ok) return refuse(client, clicked, decision.reason);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: rejectModal({ value: action.value ?? '', channel: clicked.channel, ts: clicked.ts }),
    });
  });

  app.view(REJECT_MODAL, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata) as { value: string; channel: string; ts: string };
    const reason = (view.state.values.reason?.value?.value ?? '').trim();
    if (!reason) return ack({ response_action: 'errors', errors: { reason: 'Say why, so the requester can fix it.' } });
    const verified = verifyRequest(meta.value, ctx.actionKey);
    const env = verified.ok ? ctx.config.environments[verified.request.env] : undefined;
    if (!verified.ok || !env)
      return ack({ response_action: 'errors', errors: { reason: verified.ok ? 'Unknown environment.' : `Refused: ${verified.reason}.` } });
    const decision = decideRejection(verified.request, body.user.id, env, ctx.now());
    if (!decision.ok) return ack({ response_action: 'errors', errors: { reason: decision.reason } });
    await ack();
    const history = await client.conversations.history({ channel: meta.channel, latest: meta.ts, inclusive: true, limit: 1 });
    const blocks = (history.messages?.[0]?.blocks ?? []) as KnownBlock[];
    const state: RequestState = { state: 'rejected', by: body.user.id, reason };
    const clicked: Clicked = { channel: meta.channel, ts: meta.ts, user: body.user.id, blocks, request: verified.request };
    await update(client, clicked, verified.request, state, statusAndActions(verified.request, state, env, ''));
    await client.chat.postMessage({
      channel: meta.channel,
      thread_ts: meta.ts,
      text: `:no_entry: ${mention(body.user.id)} rejected this: ${escapeMrkdwn(reason)}\n${mention(verified.request.requestedBy)}, nothing ran.`,
    });
    ctx.log.info('request rejected', { requestId: verified.request.id, by: body.user.id });
  });

  app.action<BlockAction<ButtonAction>>(ACTION.cancel, async ({ ack, body, action, client }) => {
    await ack();
    const clicked = await readClick(ctx, client, body, action);
    if (!clicked) return;
    const decision = decideCancellation(clicked.request, clicked.user);
    if (!decision.ok) return refuse(client, clicked, decision.reason);
    const env = ctx.config.environments[clicked.request.env];
    if (!env) return;
    const state: RequestState = { state: 'cancelled' };
    await update(client, clicked, clicked.request, state, statusAndActions(clicked.request, state, env, ''));
    ctx.log.info('request cancelled', { requestId: clicked.request.id });
  });
}

async function readClick(ctx: BotContext, client: WebClient, body: BlockAction, action: ButtonAction): Promise<Clicked | undefined> {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const ts = body.message?.ts ?? body.container?.message_ts;
  if (!channel || !ts) return undefined;
  const verified = verifyRequest(action.value, ctx.actionKey);
  if (!verified.ok) {
    ctx.log.warn('action value refused', { user: body.user.id, channel, reason: verified.reason });
    await client.chat.postEphemeral({ channel, user: body.user.id, text: `:no_entry: Refused: ${verified.reason}. Nothing changed.` });
    return undefined;
  }
  return { channel, ts, user: body.user.id, blocks: (body.message?.blocks ?? []) as KnownBlock[], request: verified.request };
}

async function refuse(client: WebClient, clicked: Clicked, reason: string): Promise<void> {
  await client.chat.postEphemeral({ channel: clicked.channel, user: clicked.user, text: `:no_entry: ${reason} Nothing changed.` });
}

async function update(
  client: WebClient,
  clicked: Clicked,
  request: ApprovalRequest,
  state: RequestState,
  replacement: KnownBlock[],
): Promise<void> {
  const env = request.env;
  await client.chat.update({
    channel: clicked.channel,
    ts: clicked.ts,
    text: `${request.kind === 'migrate' ? 'Migration' : 'Seed'} request for ${env}: ${state.state}`,
    blocks: replaceStatus(clicked.blocks, replacement),
    metadata: requestMetadata(request, state),
  });
}
