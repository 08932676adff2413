import { readSecretString } from './secrets.ts';

export interface SlackCredentials {
  signingSecret: string;
  botToken: string;
}

export type CredentialsResult = { ok: true; credentials: SlackCredentials } | { ok: false; reason: string };

/**
 * SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN from the environment, or from the JSON secret that
 * SLACK_SECRET_ID names (keys of the same names), fetched once per cold start.
 */
export async function loadSlackCredentials(env: NodeJS.ProcessEnv = process.env): Promise<CredentialsResult> {
  if (env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN) {
    return { ok: true, credentials: { signingSecret: env.SLACK_SIGNING_SECRET, botToken: env.SLACK_BOT_TOKEN } };
  }
  const secretId = env.SLACK_SECRET_ID;
  if (!secretId)
    return {
      ok: false,
      reason: 'Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or SLACK_SECRET_ID naming a Secrets Manager secret that holds them.',
    };
  const secret = await readSecretString(secretId, env.AWS_REGION ?? 'us-east-1');
  if (!secret.ok) return secret;
  const text = secret.value;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    return { ok: false, reason: `Secret ${secretId} is not a JSON object with SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.` };
  }
  const signingSecret = parsed.SLACK_SIGNING_SECRET;
  const botToken = parsed.SLACK_BOT_TOKEN;
  if (typeof signingSecret !== 'string' || typeof botToken !== 'string') {
    return { ok: false, reason: `Secret ${secretId} lacks SLACK_SIGNING_SECRET or SLACK_BOT_TOKEN.` };
  }
  return { ok: true, credentials: { signingSecret, botToken } };
}
