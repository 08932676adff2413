import { createHmac } from 'node:crypto';
import { triggerId } from './fake-slack-api.ts';

// Requests as Slack sends them to the Request URL: form-encoded, signed with the app's
// signing secret (https://api.slack.com/authentication/verifying-requests-from-slack).

export const TEAM = { id: 'T0DAADAAR', domain: 'daadaar' };

export function signedInit(
  secret: string,
  body: string,
  contentType: string,
  timestampSeconds: number,
  signatureOverride?: string,
): RequestInit {
  const signature = signatureOverride ?? `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
  return {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': signature },
    body,
  };
}

export function slashCommandBody(opts: {
  text: string;
  userId: string;
  channelId: string;
  triggerId?: string;
  responseUrl?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: opts.channelId,
    channel_name: 'deploys',
    user_id: opts.userId,
    user_name: opts.userId.toLowerCase(),
    command: '/daadaar',
    text: opts.text,
    api_app_id: 'A0DEPLOYBOT',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl ?? 'https://hooks.slack.invalid/commands/T0DAADAAR/1/abc',
    trigger_id: opts.triggerId ?? triggerId(),
  }).toString();
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM.id });

export function viewSubmissionPayload(opts: {
  userId: string;
  view: Record<string, unknown>;
  values: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: TEAM,
    user: user(opts.userId),
    api_app_id: 'A0DEPLOYBOT',
    token: 'deprecated-verification-token',
    trigger_id: triggerId(),
    view: { id: 'V0MODAL', team_id: TEAM.id, type: 'modal', hash: 'h1', ...opts.view, state: { values: opts.values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function blockActionsPayload(opts: {
  userId: string;
  channelId: string;
  message: { ts: string; text?: string; blocks?: unknown[] };
  action: { action_id: string; block_id: string; value: string; text?: string };
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: user(opts.userId),
    api_app_id: 'A0DEPLOYBOT',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: opts.message.ts, channel_id: opts.channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: opts.channelId, name: 'deploys' },
    message: {
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0DEPLOYBOT',
      ts: opts.message.ts,
      text: opts.message.text ?? '',
      blocks: opts.message.blocks ?? [],
    },
    state: { values: {} },
    response_url: 'https://hooks.slack.invalid/actions/T0DAADAAR/1/abc',
    actions: [
      {
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
        style: 'primary',
        text: { type: 'plain_text', text: opts.action.text ?? 'Button' },
        ...opts.action,
      },
    ],
  };
}
