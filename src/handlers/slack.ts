import { handle } from 'hono/aws-lambda';
import { bootOnce } from '../bot/boot.ts';
import { createHttpApp } from '../http/app.ts';
import { createLog } from '../log.ts';

// Lambda entry for Slack's HTTP requests (API Gateway HTTP API, POST /slack/events).
const log = createLog({ service: 'deploybot', handler: 'slack' });
export const handler = handle(createHttpApp(bootOnce(log)));
