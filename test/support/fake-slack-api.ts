import { refusal } from '../../src/slack/limits.ts';
import { listen } from './http-server.ts';

// The Slack Web API methods the bot calls, served on loopback. Requests arrive exactly as
// @slack/web-api sends them (form-encoded, JSON for object fields, bearer token), and answers
// follow Slack's documented shapes. Posted messages are kept, so updates and history work.

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: Record<string, unknown>[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  reply_broadcast?: boolean;
}

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

const JSON_FIELDS = new Set(['blocks', 'metadata', 'view', 'attachments']);

export class FakeSlackApi {
  readonly calls: ApiCall[] = [];
  readonly refused: (ApiCall & { answer: unknown })[] = [];
  readonly messages: StoredMessage[] = [];
  readonly #scripted = new Map<string, Scripted[]>();
  #seq = 100;
  #server?: { url: string; close(): Promise<void> };

  get url(): string {
    return `${this.#server?.url}/api/`;
  }

  async start(): Promise<this> {
    this.#server = await listen((req, body, res) => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args: Record<string, unknown> = {};
      const type = req.headers['content-type'] ?? '';
      if (type.includes('application/json')) Object.assign(args, JSON.parse(body || '{}'));
      else {
        for (const [k, v] of new URLSearchParams(body)) args[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
      }
      // Real Slack refuses a payload over its documented limits (src/slack/limits.ts), and nothing
      // is shown: so the call is not recorded as made, only as refused.
      const refused = refusal(method, args);
      if (refused) {
        this.refused.push({ method, args, answer: refused });
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(refused));
      }
      this.calls.push({ method, args, token: req.headers.authorization?.replace(/^Bearer /, '') });
      const scripted = this.#scripted.get(method)?.shift();
      const reply = scripted ?? { status: 200, body: this.#answer(method, args) };
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
    return this;
  }

  stop(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }

  /** The next call(s) to `method` get these answers instead (e.g. a 429 with Retry-After). */
  script(method: string, ...replies: Scripted[]): void {
    this.#scripted.set(method, [...(this.#scripted.get(method) ?? []), ...replies]);
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
  }

  #answer(method: string, args: Record<string, unknown>): unknown {
    switch (method) {
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return { ok: true, view: { ...(args.view as object), id: (args.view_id as string) ?? `V${this.#seq++}`, hash: `h${this.#seq++}` } };
      case 'chat.postMessage': {
        const ts = `1764000000.${String(this.#seq++).padStart(6, '0')}`;
        const message: StoredMessage = {
          channel: String(args.channel),
          ts,
          text: args.text as string,
          blocks: args.blocks as StoredMessage['blocks'],
          metadata: args.metadata as StoredMessage['metadata'],
          thread_ts: args.thread_ts as string | undefined,
          reply_broadcast: args.reply_broadcast === true || args.reply_broadcast === 'true' ? true : undefined,
        };
        this.messages.push(message);
        return { ok: true, channel: message.channel, ts, message: { type: 'message', ts, text: message.text, blocks: message.blocks } };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        Object.assign(message, { text: args.text, blocks: args.blocks, metadata: args.metadata ?? message.metadata });
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `1764000000.${String(this.#seq++).padStart(6, '0')}` };
      case 'conversations.history': {
        const latest = args.latest ? Number(args.latest) : Number.POSITIVE_INFINITY;
        const inclusive = args.inclusive === 'true' || args.inclusive === true;
        const limit = Number(args.limit ?? 100);
        const messages = this.messages
          .filter((m) => m.channel === args.channel && !m.thread_ts && (inclusive ? Number(m.ts) <= latest : Number(m.ts) < latest))
          .reverse()
          .slice(0, limit)
          .map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            blocks: m.blocks,
            ...(args.include_all_metadata ? { metadata: m.metadata } : {}),
          }));
        return { ok: true, messages, has_more: false };
      }
      case 'conversations.replies': {
        // The parent first, then its replies, oldest first (as Slack returns a thread).
        const thread = this.messages.filter((m) => m.channel === args.channel && (m.ts === args.ts || m.thread_ts === args.ts));
        if (!thread.some((m) => m.ts === args.ts)) return { ok: false, error: 'thread_not_found' };
        const messages = thread.map((m) => ({
          type: 'message',
          ts: m.ts,
          thread_ts: m.thread_ts ?? m.ts,
          text: m.text,
          blocks: m.blocks,
          ...(args.include_all_metadata ? { metadata: m.metadata } : {}),
        }));
        return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'auth.test':
        return { ok: true, user_id: 'U0DEPLOYBOT', bot_id: 'B0DEPLOYBOT', team_id: 'T0DAADAAR' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
