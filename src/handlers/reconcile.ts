import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { SdkLogTailGateway } from '../aws/log-tail.ts';
import { DynamoRequestStore } from '../aws/request-store.ts';
import { createLog, type Log, routeProcessWarnings } from '../log.ts';
import { type ReconcileRun, type ReconcilerDeps, reconcileIntervalMs, reconcileRequests } from '../reconciler/reconcile-requests.ts';
import { signingKey } from '../signed-token.ts';
import { slackClient } from '../slack/web-client.ts';
import { loadStartUp, once } from '../start-up.ts';

/** The reconciler's composition root: the scheduled Lambda (EventBridge, every minute) and `npm run dev`. */
export function composeReconciler(env: NodeJS.ProcessEnv, log: Log, now: () => number = Date.now): () => Promise<ReconcilerDeps> {
  return once(async (): Promise<ReconcilerDeps> => {
    const { config, credentials } = await loadStartUp(env);
    const table = env.DEPLOYBOT_TABLE;
    if (!table) throw new Error('DEPLOYBOT_TABLE is not set: the reconciler reads the request records in that table.');
    const intervalMs = reconcileIntervalMs(env.DEPLOYBOT_RECONCILE_SECONDS);
    return {
      config,
      codeBuild: new SdkCodeBuildGateway(),
      logs: new SdkLogTailGateway(),
      slack: slackClient(credentials.botToken, env.SLACK_API_URL, log),
      store: new DynamoRequestStore(table),
      actionKey: signingKey(credentials.signingSecret),
      log,
      now,
      intervalMs,
      claimStaleMs: 2 * intervalMs,
    };
  });
}

// Lambda entry for the EventBridge schedule (serverless/serverless.yml, rate(1 minute)).
const log = createLog({ service: 'deploybot', handler: 'reconcile' });
routeProcessWarnings(log);
const boot = composeReconciler(process.env, log);
export const handler = async (): Promise<ReconcileRun> => reconcileRequests(await boot());
