import type { App } from '@slack/bolt';
import { type ApprovalRequest, signRequest } from '../approval-request.ts';
import type { BotContext } from '../bot-context.ts';
import { mention } from '../../slack/mrkdwn.ts';
import { pendingKey, REQUEST_MODAL, type RequestModalState, readSubmission, validateSubmission } from '../views/request-modal.ts';
import { fullSqlReplies, reviewMessage } from '../views/review-message.ts';

export function registerRequestSubmission(app: App, ctx: BotContext): void {
  app.view(REQUEST_MODAL, async ({ ack, body, view, client }) => {
    const state = JSON.parse(view.private_metadata) as RequestModalState;
    const submission = readSubmission(view.state.values as Parameters<typeof readSubmission>[0]);
    const errors = validateSubmission(submission, state);
    if (Object.keys(errors).length > 0) return ack({ response_action: 'errors', errors });
    const env = ctx.config.environments[state.env];
    const reviewed = env ? await ctx.catalog.reviewedFor(env, state.kind) : undefined;
    if (!env || !reviewed?.ok || reviewed.set.setHash !== state.setHash || pendingKey(reviewed.set) !== state.pendingKey) {
      // What the form showed is no longer what would run: make them look again.
      return ack({
        response_action: 'errors',
        errors: {
          reason: 'The migrations, or what the target has applied, changed since this form opened. Close it and run the command again.',
        },
      });
    }
    await ack();

    const now = ctx.now();
    const request: ApprovalRequest = {
      id: ctx.newId(),
      kind: state.kind,
      env: state.env,
      requestedBy: body.user.id,
      setHash: state.setHash,
      createdAt: now,
      expiresAt: now + env.requestTtlMinutes * 60_000,
      approvals: [],
      ...(state.kind === 'seed' ? { clean: submission.clean } : {}),
      confirmed: submission.confirmation === state.env,
    };
    const message = reviewMessage({
      request,
      reason: submission.reason,
      envConfig: env,
      set: reviewed.set,
      signedValue: signRequest(request, ctx.actionKey),
    });
    const log = { requestId: request.id, env: request.env, channel: state.channel };
    try {
      const posted = await client.chat.postMessage({
        channel: state.channel,
        text: message.text,
        blocks: message.blocks,
        metadata: message.metadata,
        unfurl_links: false,
      });
      ctx.log.info('review posted', { ...log, ts: posted.ts });
      if (request.kind === 'migrate' && posted.ts) {
        for (const text of fullSqlReplies(reviewed.set))
          await client.chat.postMessage({ channel: state.channel, thread_ts: posted.ts, text });
      }
    } catch (error) {
      ctx.log.error('review could not be posted', { ...log, error });
      const reason = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
      // The modal is gone; tell the requester directly so the request is not silently lost.
      await client.chat
        .postMessage({
          channel: request.requestedBy,
          text: `:x: ${mention(request.requestedBy)}, your ${request.kind} request for ${request.env} could not be posted in <#${state.channel}> (${reason}). Invite the bot there (\`/invite @deploybot\`) and run the command again. Nothing will run.`,
        })
        .catch((dmError: unknown) => ctx.log.error('requester could not be told', { ...log, error: dmError }));
    }
  });
}
