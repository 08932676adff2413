import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { loadSlackCredentials } from '../aws/slack-credentials.ts';
import { loadConfig } from '../config.ts';
import { SecretsManagerTargetHistory } from '../db/target-history.ts';
import { type DryRunSource, PrecomputedDryRuns } from '../dryrun/dry-run-table.ts';
import type { SlackEndpoint } from '../http/app.ts';
import type { Log } from '../log.ts';
import { PrecomputedReviews } from '../review/review-table.ts';
import { createBot } from './app.ts';

/**
 * Everything a cold start does once: validate the config, fetch the Slack credentials, build
 * the Bolt app. A failure is reported with its reason and retried on the next request.
 */
export function bootOnce(log: Log, env: NodeJS.ProcessEnv = process.env, dryRuns?: DryRunSource): () => Promise<SlackEndpoint> {
  let booting: Promise<SlackEndpoint> | undefined;
  return () => {
    booting ??= boot(log, env, dryRuns).catch((error: unknown) => {
      booting = undefined;
      log.error('start-up failed', { error });
      throw error;
    });
    return booting;
  };
}

async function boot(log: Log, env: NodeJS.ProcessEnv, dryRuns?: DryRunSource): Promise<SlackEndpoint> {
  const config = loadConfig(env.DEPLOYBOT_CONFIG ?? 'deploybot.config.json');
  if (!config.ok) throw new Error(config.reason);
  const credentials = await loadSlackCredentials(env);
  if (!credentials.ok) throw new Error(credentials.reason);
  const { receiver, context } = createBot({
    config: config.config,
    credentials: credentials.credentials,
    codeBuild: new SdkCodeBuildGateway(),
    migrationsFolder: env.MIGRATIONS_DIR ?? 'backend/drizzle',
    targetHistory: new SecretsManagerTargetHistory(),
    // The Lambda bundle ships the tables `npm run build` computed (scripts/precompute.ts).
    dryRuns: dryRuns ?? new PrecomputedDryRuns(env.DRY_RUNS_FILE ?? 'dry-runs.json'),
    reviews: new PrecomputedReviews(env.REVIEWS_FILE ?? 'reviews.json'),
    slackApiUrl: env.SLACK_API_URL,
    log,
  });
  // Warm the review while Slack waits for nothing: the first modal then opens filled in sooner.
  void context.catalog.warm();
  return receiver;
}
