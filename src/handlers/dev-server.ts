import { serve } from '@hono/node-server';
import { ensureRequestTable } from '../aws/request-store.ts';
import { loadEnvFile } from '../env-file.ts';
import { createHttpApp } from '../http/app.ts';
import { createLog, routeProcessWarnings } from '../log.ts';
import { reconcileIntervalMs, reconcileRequests } from '../reconciler/reconcile-requests.ts';
import { composeSlackBot } from './compose-slack.ts';
import { composeReconciler } from './reconcile.ts';

// `npm run dev`: the same HTTP app as the Lambda, on a local port (expose it with a tunnel and
// point the Slack app's request URLs at it). The slow halves of the listeners run in this
// process. Without DEPLOYBOT_TABLE, requests live in an in-memory dynalite that ends with the
// process; with it, that table is used (and created when missing: the Lambdas never create it).
// Settings come from the environment, then from `.env` (`.env.example` lists them; a variable
// already set wins); DEPLOYBOT_ENV_FILE names another file.
const env = process.env;
loadEnvFile(env.DEPLOYBOT_ENV_FILE ?? '.env');
const log = createLog({ service: 'deploybot', handler: 'dev' });
routeProcessWarnings(log);
// Why it could not start goes to stderr as a JSON line: the process exits 2 before it has
// served anything, and whoever started it (a person, a script) reads stderr for the reason.
const refusal = createLog({ service: 'deploybot', handler: 'dev' }, 'error', (line) => process.stderr.write(`${line}\n`));

if (!(env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN) && !env.SLACK_SECRET_ID) {
  refusal.error(
    'npm run dev needs Slack credentials. Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_SECRET_ID for a Secrets Manager secret holding both), in the environment or in .env (see .env.example).',
  );
  process.exit(2);
}

const closers: (() => Promise<void> | void)[] = [];
if (!env.DEPLOYBOT_TABLE) {
  const { default: dynalite } = await import('dynalite');
  const store = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', () => resolve()));
  const address = store.address();
  env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  env.DEPLOYBOT_TABLE = 'deploybot-dev';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  closers.push(() => new Promise<void>((resolve) => store.close(() => resolve())));
  log.info('request store: in-memory dynalite (set DEPLOYBOT_TABLE to keep requests)', { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
}
try {
  await ensureRequestTable(env.DEPLOYBOT_TABLE as string);
  const { receiver } = await composeSlackBot({ env, log, work: 'in-process' });
  const port = Number(env.PORT ?? 3000);
  const server = serve({ fetch: createHttpApp(async () => receiver).fetch, port }, () =>
    log.info('listening', { url: `http://localhost:${port}/slack/events` }),
  );
  closers.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // The scheduled reconciler, as EventBridge runs it on Lambda: every DEPLOYBOT_RECONCILE_SECONDS,
  // one run at a time, and once at start so a request a killed process left half done converges.
  const intervalMs = reconcileIntervalMs(env.DEPLOYBOT_RECONCILE_SECONDS);
  const reconciler = composeReconciler(env, log);
  let running = false;
  const reconcile = async () => {
    if (running) return;
    running = true;
    try {
      await reconcileRequests(await reconciler());
    } catch (error) {
      log.warn('reconcile run failed; the next one retries', { error });
    } finally {
      running = false;
    }
  };
  void reconcile();
  const timer = setInterval(() => void reconcile(), intervalMs);
  closers.unshift(() => clearInterval(timer));
} catch (error) {
  refusal.error('npm run dev could not start', { error });
  process.exit(2);
}

// npm forwards SIGTERM and SIGINT to this process: close the port and the store, then leave.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info('stopping', { signal });
    void Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
