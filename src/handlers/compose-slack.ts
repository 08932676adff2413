import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { SdkImageRegistry } from '../aws/ecr.ts';
import { SdkLogTailGateway } from '../aws/log-tail.ts';
import { DynamoRequestStore } from '../aws/request-store.ts';
import { type Bot, createBot } from '../bot/app.ts';
import type { DeferredJob, DeferredWork } from '../bot/jobs/deferred.ts';
import { MigrationCatalog } from '../bot/migration-catalog.ts';
import { SecretsManagerTargetHistory } from '../db/target-history.ts';
import { PgliteDryRunner } from '../dryrun/pglite-dry-run.ts';
import { LiveDryRuns, PrecomputedDryRuns, PrecomputedThenLive } from '../history/dry-run-table.ts';
import { PrecomputedReviews } from '../history/review-table.ts';
import { SlackRequestReceiver } from '../http/slack-receiver.ts';
import type { Log } from '../log.ts';
import { reconcilerDeps, runJobThenReconcile } from '../reconciler/after-work.ts';
import { reconcileIntervalMs } from '../reconciler/reconcile-requests.ts';
import { signingKey } from '../signed-token.ts';
import { slackClient } from '../slack/web-client.ts';
import { loadStartUp } from '../start-up.ts';
import { InProcessWork } from './in-process-work.ts';
import { LambdaSelfInvoke } from './lambda-self-invoke.ts';

export interface ComposedSlackBot {
  bot: Bot;
  receiver: SlackRequestReceiver;
  actionKey: Buffer;
  /** The slow half of a listener, then the reconciler on the request it acted on. */
  runJob(job: DeferredJob): Promise<void>;
}

export interface SlackComposition {
  env: NodeJS.ProcessEnv;
  log: Log;
  now?: () => number;
  newId?: () => string;
  /** Run deferred work in this process even on Lambda (tests of the Lambda path set none). */
  work?: 'in-process' | 'lambda';
}

/**
 * The Slack function's composition root, shared by the Lambda entry and `npm run dev`: the
 * validated config, the Slack credentials, the request store, the transports, the bot.
 */
export async function composeSlackBot({ env, log, now, newId, work }: SlackComposition): Promise<ComposedSlackBot> {
  const { config, credentials } = await loadStartUp(env);
  const table = env.DEPLOYBOT_TABLE;
  if (!table) throw new Error('DEPLOYBOT_TABLE is not set: the bot keeps its requests in that DynamoDB table.');
  const actionKey = signingKey(credentials.signingSecret);
  const receiver = new SlackRequestReceiver(credentials.signingSecret, log, now);
  // Deadlines, Retry-After and per-method rate limits: src/slack/web-client.ts.
  const slack = slackClient(credentials.botToken, env.SLACK_API_URL, log);
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  const runsOnLambda = work === 'lambda' || (work === undefined && functionName !== undefined);
  const inProcess = runsOnLambda ? undefined : new InProcessWork();
  const deferred: DeferredWork = inProcess ?? new LambdaSelfInvoke(functionName ?? 'deploybot-slack', actionKey, { now });
  const catalog = new MigrationCatalog(env.MIGRATIONS_DIR ?? 'backend/drizzle', {
    history: new SecretsManagerTargetHistory(),
    // The precomputed table answers at once; anything it lacks (a drifted history) is run live,
    // in the asynchronous invocation, where PGlite's seconds of start-up do not matter.
    dryRuns: new PrecomputedThenLive(new PrecomputedDryRuns(env.DRY_RUNS_FILE ?? 'dry-runs.json'), new LiveDryRuns(new PgliteDryRunner())),
    reviews: new PrecomputedReviews(env.REVIEWS_FILE ?? 'reviews.json'),
  });
  const bot = createBot({
    config,
    receiver,
    botToken: credentials.botToken,
    slack,
    codeBuild: new SdkCodeBuildGateway(),
    logs: new SdkLogTailGateway(),
    store: new DynamoRequestStore(table),
    work: deferred,
    catalog,
    images: new SdkImageRegistry(),
    // The Lambda package carries database/seed*.ts at its root, for the seed plan's hash.
    seedRoot: env.SEED_ROOT ?? '.',
    actionKey,
    slackApiUrl: env.SLACK_API_URL,
    now,
    newId,
    log,
  });
  // No warm-up here: the invocation that answers Slack only acknowledges and hands over, and
  // the job runs in another invocation (on Lambda) that loads the migrations when it needs them.
  const reconciling = reconcilerDeps(bot.context, reconcileIntervalMs(env.DEPLOYBOT_RECONCILE_SECONDS));
  const runJob = (job: DeferredJob) => runJobThenReconcile(bot.runJob, reconciling, job);
  inProcess?.attach(runJob);
  return { bot, receiver, actionKey, runJob };
}
