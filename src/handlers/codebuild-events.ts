import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { SdkLogTailGateway } from '../aws/log-tail.ts';
import { DynamoRequestStore } from '../aws/request-store.ts';
import { createLog, type Log, routeProcessWarnings } from '../log.ts';
import { reconcileIntervalMs, reconcileRequest } from '../reconciler/reconcile-requests.ts';
import { signingKey } from '../signed-token.ts';
import { slackClient } from '../slack/web-client.ts';
import { loadStartUp, once } from '../start-up.ts';
import { type BuildEventDeps, type BuildEventResult, createBuildEventHandler } from '../status/build-event-handler.ts';

/** The EventBridge function's composition root: config, credentials, the store, the gateways. */
export function composeBuildEvents(
  env: NodeJS.ProcessEnv,
  log: Log,
  now: () => number = Date.now,
): (event: unknown) => Promise<BuildEventResult> {
  const boot = once(async (): Promise<BuildEventDeps> => {
    const { config, credentials } = await loadStartUp(env);
    const table = env.DEPLOYBOT_TABLE;
    if (!table) throw new Error('DEPLOYBOT_TABLE is not set: build status is reported from the request records in that table.');
    const slack = slackClient(credentials.botToken, env.SLACK_API_URL, log);
    return {
      config,
      region: env.AWS_REGION,
      report: {
        codeBuild: new SdkCodeBuildGateway(),
        logs: new SdkLogTailGateway(),
        slack,
        store: new DynamoRequestStore(table),
        config,
        actionKey: signingKey(credentials.signingSecret),
        log,
        now,
      },
    };
  });
  const handle = createBuildEventHandler(boot, log);
  // Every event ends by reconciling its request: a lock or a render the report left undone is finished now.
  return async (event) => {
    const result = await handle(event);
    if (result.kind !== 'reported') return result;
    const intervalMs = reconcileIntervalMs(env.DEPLOYBOT_RECONCILE_SECONDS);
    const { report } = await boot();
    await reconcileRequest({ ...report, intervalMs, claimStaleMs: 2 * intervalMs }, result.requestId).catch((error: unknown) =>
      log.warn('reconcile after event failed', { requestId: result.requestId, error }),
    );
    return result;
  };
}

// Lambda entry for EventBridge: CodeBuild Build State Change and Build Phase Change events
// of the migration projects (the rule in infrastructure/aws filters on them); and for the
// subscription filter on each project's log group, which delivers the runner's progress lines.
const log = createLog({ service: 'deploybot', handler: 'codebuild-events' });
routeProcessWarnings(log);
export const handler = composeBuildEvents(process.env, log);
