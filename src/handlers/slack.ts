import { handle } from 'hono/aws-lambda';
import { isSignedJob } from '../bot/jobs/job-envelope.ts';
import { createHttpApp } from '../http/app.ts';
import { createLog, routeProcessWarnings } from '../log.ts';
import { once } from '../start-up.ts';
import { composeSlackBot } from './compose-slack.ts';

// Lambda entry of the Slack function. Two kinds of invocation arrive here: Slack's HTTP
// requests (API Gateway HTTP API, POST /slack/events), answered at once; and this function's
// own asynchronous invocations carrying the slow half of a listener (a signed job).
const log = createLog({ service: 'deploybot', handler: 'slack' });
routeProcessWarnings(log);
const boot = once(() =>
  composeSlackBot({ env: process.env, log }).catch((error: unknown) => {
    log.error('start-up failed', { error });
    throw error;
  }),
);
const http = handle(createHttpApp(async () => (await boot()).receiver));

export const handler = async (event: unknown, context: unknown): Promise<unknown> => {
  if (isSignedJob(event)) {
    const { bot, runJob } = await boot();
    // Refused (unsigned, altered, expired or already run): logged with the reason, nothing done.
    // Run: the job, then the reconciler on the request it acted on.
    const receipt = await bot.receiveJob(event, runJob);
    return { ok: receipt.ok };
  }
  return (http as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
};
