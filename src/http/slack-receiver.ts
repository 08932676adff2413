import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { isValidSlackRequest } from '@slack/bolt';
import type { Log } from '../log.ts';

export interface HttpReply {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * A Bolt receiver with no server of its own: the HTTP layer hands it the raw body and headers.
 * Listeners run before the reply is returned, as Bolt's AwsLambdaReceiver does, because a
 * Lambda is frozen the moment it answers: listeners must ack and finish inside Slack's 3 s.
 */
export class SlackRequestReceiver implements Receiver {
  #app?: App;

  constructor(
    private readonly signingSecret: string,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  init(app: App): void {
    this.#app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  async handle(rawBody: string, headers: Headers): Promise<HttpReply> {
    const signature = headers.get('x-slack-signature') ?? '';
    const timestamp = Number(headers.get('x-slack-request-timestamp'));
    // Bolt's verifier checks the v0 HMAC and refuses timestamps more than 5 minutes off.
    const valid = isValidSlackRequest({
      signingSecret: this.signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: this.now(),
    });
    // Bolt's check refuses timestamps older than 5 minutes only; one from the future would let
    // a captured request be replayed until that time comes, so it is refused as well.
    const fromFuture = !Number.isFinite(timestamp) || timestamp * 1000 > this.now() + 5 * 60_000;
    if (!valid || fromFuture) {
      this.log.warn('slack request refused: bad signature or timestamp out of window', { timestamp });
      return { status: 401, body: 'invalid signature' };
    }
    const body = parseBody(rawBody, headers.get('content-type') ?? '');
    if (!body) return { status: 400, body: 'unreadable body' };
    if (body.ssl_check) return { status: 200, body: '' };
    if (body.type === 'url_verification')
      return { status: 200, body: JSON.stringify({ challenge: body.challenge }), contentType: 'application/json' };

    let acked: unknown;
    let ackedAt: number | undefined;
    const event: ReceiverEvent = {
      body,
      ack: async (response) => {
        if (ackedAt !== undefined) throw new Error('ack() called twice');
        ackedAt = Date.now();
        acked = response ?? '';
      },
      retryNum: Number(headers.get('x-slack-retry-num')) || undefined,
      retryReason: headers.get('x-slack-retry-reason') ?? undefined,
    };
    const started = Date.now();
    try {
      await this.#app?.processEvent(event);
    } catch (error) {
      this.log.error('listener failed', { error });
      if (acked === undefined) return { status: 500, body: '' };
    }
    this.log.debug('slack request handled', { ackMs: ackedAt === undefined ? null : ackedAt - started, totalMs: Date.now() - started });
    if (acked === undefined) return { status: 404, body: '' };
    if (typeof acked === 'string') return { status: 200, body: acked };
    return { status: 200, body: JSON.stringify(acked), contentType: 'application/json' };
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> | undefined {
  try {
    if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
    const form = Object.fromEntries(new URLSearchParams(raw));
    // Interactivity (block_actions, view_submission) arrives as a form with one JSON `payload`.
    return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
  } catch {
    return undefined;
  }
}
