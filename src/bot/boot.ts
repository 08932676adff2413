import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { SecretsManagerTargetHistory } from '../db/target-history.ts';
import { PrecomputedDryRuns } from '../dryrun/dry-run-table.ts';
import type { SlackEndpoint } from '../http/app.ts';
import type { Log } from '../log.ts';
import { PrecomputedReviews } from '../review/review-table.ts';
import { loadStartUp, once } from '../start-up.ts';
import { createBot } from './app.ts';

/**
 * Everything a cold start does once: validate the config, fetch the Slack credentials, build
 * the Bolt app. A failure is reported with its reason and retried on the next request.
 */
export function bootOnce(log: Log, env: NodeJS.ProcessEnv = process.env): () => Promise<SlackEndpoint> {
  return once(() =>
    boot(log, env).catch((error: unknown) => {
      log.error('start-up failed', { error });
      throw error;
    }),
  );
}

async function boot(log: Log, env: NodeJS.ProcessEnv): Promise<SlackEndpoint> {
  const { config, credentials } = await loadStartUp(env);
  const { receiver, context } = createBot({
    config,
    credentials,
    codeBuild: new SdkCodeBuildGateway(),
    migrationsFolder: env.MIGRATIONS_DIR ?? 'backend/drizzle',
    targetHistory: new SecretsManagerTargetHistory(),
    // The Lambda bundle ships the tables `npm run build` computed (scripts/precompute.ts).
    dryRuns: new PrecomputedDryRuns(env.DRY_RUNS_FILE ?? 'dry-runs.json'),
    reviews: new PrecomputedReviews(env.REVIEWS_FILE ?? 'reviews.json'),
    slackApiUrl: env.SLACK_API_URL,
    log,
  });
  // Warm the review while Slack waits for nothing: the first modal then opens filled in sooner.
  void context.catalog.warm();
  return receiver;
}
