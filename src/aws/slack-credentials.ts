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
  let text: string | undefined;
  try {
    // Only loaded when the credentials live in Secrets Manager; keeps it out of other cold starts.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: env.AWS_REGION ?? 'us-east-1', maxAttempts: 2 });
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    return { ok: false, reason: `Cannot read secret ${secretId}: ${(error as Error).name}: ${(error as Error).message}` };
  }
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
