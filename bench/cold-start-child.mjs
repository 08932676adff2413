// One Lambda cold start, in a fresh process: load the bundled handler, then answer one signed
// slash command delivered as an API Gateway HTTP API (payload 2.0) event.
import { createHmac } from 'node:crypto';

const started = performance.now();
const { handler } = await import(process.env.BUNDLE);
const loaded = performance.now();

const ts = Math.floor(Date.now() / 1000);
const body = new URLSearchParams({
  command: '/daadaar',
  text: process.env.COMMAND_TEXT ?? 'migrate prod',
  user_id: 'U0REQUESTER',
  user_name: 'requester',
  channel_id: 'C0DEPLOYS01',
  team_id: 'T0DAADAAR',
  // Slack's trigger ids expire in 3 s; the fake Slack reads the issue time from this form.
  trigger_id: `trigger.${Date.now()}.bench`,
  response_url: 'https://hooks.slack.invalid/x',
  api_app_id: 'A0DEPLOYBOT',
}).toString();
const signature = `v0=${createHmac('sha256', process.env.SLACK_SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
const event = {
  version: '2.0',
  routeKey: 'POST /slack/events',
  rawPath: '/slack/events',
  rawQueryString: '',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature,
    host: 'bench.execute-api.us-east-1.amazonaws.com',
  },
  requestContext: {
    accountId: '123456789012',
    apiId: 'bench',
    domainName: 'bench.execute-api.us-east-1.amazonaws.com',
    http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot 1.0' },
    requestId: 'r1',
    routeKey: 'POST /slack/events',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  body,
  isBase64Encoded: false,
};
const response = await handler(event, { functionName: 'deploybot-slack', awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 });
const answered = performance.now();
process.stdout.write(
  `${JSON.stringify({ status: response.statusCode, processStartToImportMs: started, importMs: loaded - started, firstRequestMs: answered - loaded, sinceProcessStartMs: answered, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`,
);
// A warm Lambda would keep its sockets; this process's job is done, so do not wait on them.
process.exit(0);
