import { loadSlackCredentials, type SlackCredentials } from './aws/slack-credentials.ts';
import { type DeploybotConfig, loadConfig } from './config.ts';

/**
 * What every cold start of either Lambda needs first: the validated config and the Slack
 * credentials. A problem is thrown with its reason, for the caller to log and retry.
 */
export async function loadStartUp(env: NodeJS.ProcessEnv): Promise<{ config: DeploybotConfig; credentials: SlackCredentials }> {
  const config = loadConfig(env.DEPLOYBOT_CONFIG ?? 'deploybot.config.json');
  if (!config.ok) throw new Error(config.reason);
  const credentials = await loadSlackCredentials(env);
  if (!credentials.ok) throw new Error(credentials.reason);
  return { config: config.config, credentials: credentials.credentials };
}

/** Runs `start` once and shares the result; a failure is forgotten so the next call retries. */
export function once<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
}
