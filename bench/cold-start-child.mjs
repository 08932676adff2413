// Lambda invocations in a fresh process: load the bundled handler, then answer REPEAT signed
// Slack requests (a slash command, or an Approve click when CLICK_VALUE is set) delivered as
// API Gateway HTTP API (payload 2.0) events. The first is the cold start; the rest are warm.
import { createHmac } from 'node:crypto';

const started = performance.now();
const { handler } = await import(process.env.BUNDLE);
const loaded = performance.now();
const repeat = Number(process.env.REPEAT ?? 1);

function body() {
  if (process.env.CLICK_VALUE) {
    const payload = {
      type: 'block_actions',
      user: { id: 'U0APPROVER1', username: 'approver', team_id: 'T0DAADAAR' },
      api_app_id: 'A0DEPLOYBOT',
      team: { id: 'T0DAADAAR', domain: 'daadaar' },
      container: {
        type: 'message',
        message_ts: '1764000000.000100',
        channel_id: process.env.CHANNEL_ID ?? 'C0DAADAAR01',
        is_ephemeral: false,
      },
      channel: { id: process.env.CHANNEL_ID ?? 'C0DAADAAR01', name: 'deploys' },
      trigger_id: `trigger.${Date.now()}.bench`,
      message: { type: 'message', ts: '1764000000.000100', text: '', blocks: [] },
      actions: [
        { type: 'button', action_id: 'deploybot_approve', block_id: 'deploybot_actions', value: process.env.CLICK_VALUE, action_ts: '1' },
      ],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }
  return new URLSearchParams({
    command: '/daadaar',
    text: process.env.COMMAND_TEXT ?? 'migrate prod',
    user_id: 'U0REQUESTER',
    user_name: 'requester',
    channel_id: process.env.CHANNEL_ID ?? 'C0DAADAAR01',
    team_id: 'T0DAADAAR',
    // Slack's trigger ids expire in 3 s; the fake Slack reads the issue time from this form.
    trigger_id: `trigger.${Date.now()}.bench`,
    response_url: process.env.RESPONSE_URL ?? 'https://hooks.slack.invalid/x',
    api_app_id: 'A0DEPLOYBOT',
  }).toString();
}

function event(text) {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', process.env.SLACK_SIGNING_SECRET).update(`v0:${ts}:${text}`).digest('hex')}`;
  return {
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
    body: text,
    isBase64Encoded: false,
  };
}

const acks = [];
let status = 0;
for (let i = 0; i < repeat; i++) {
  const before = performance.now();
  const response = await handler(event(body()), {
    functionName: 'deploybot-slack',
    awsRequestId: `r${i}`,
    getRemainingTimeInMillis: () => 10_000,
  });
  acks.push(performance.now() - before);
  status = response.statusCode;
}
const answered = performance.now();
process.stdout.write(
  `${JSON.stringify({ status, processStartToImportMs: started, importMs: loaded - started, firstRequestMs: acks[0], acks, sinceProcessStartMs: answered, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`,
);
// A warm Lambda would keep its sockets; this process's job is done, so do not wait on them.
process.exit(0);
