import { handle } from 'hono/aws-lambda';
import { isSignedJob, verifyJob } from '../bot/deferred.ts';
import { createHttpApp } from '../http/app.ts';
import { createLog } from '../log.ts';
import { once } from '../start-up.ts';
import { composeSlackBot } from './compose-slack.ts';

// Lambda entry of the Slack function. Two kinds of invocation arrive here: Slack's HTTP
// requests (API Gateway HTTP API, POST /slack/events), answered at once; and this function's
// own asynchronous invocations carrying the slow half of a listener (a signed job).
const log = createLog({ service: 'deploybot', handler: 'slack' });
const boot = once(() =>
  composeSlackBot({ env: process.env, log }).catch((error: unknown) => {
    log.error('start-up failed', { error });
    throw error;
  }),
);
const http = handle(createHttpApp(async () => (await boot()).receiver));

export const handler = async (event: unknown, context: unknown): Promise<unknown> => {
  if (isSignedJob(event)) {
    const { runJob, actionKey } = await boot();
    const job = verifyJob(event, actionKey);
    if (!job) {
      log.error('deferred job refused: its signature does not match');
      return { ok: false };
    }
    await runJob(job);
    return { ok: true };
  }
  return (http as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
};
