import { refusal } from '../../src/slack/limits.ts';
import { listen } from './http-server.ts';

// The Slack Web API methods the bot calls, served on loopback. Requests arrive exactly as
// @slack/web-api sends them (form-encoded, JSON for object fields, bearer token), and answers
// follow Slack's documented shapes. Posted messages are kept, so updates and history work.
// It refuses what Slack refuses: a trigger id used more than 3 seconds after Slack sent the
// interaction that carried it (expired_trigger_id) or used twice (exchanged_trigger_id), writes
// to an archived channel (is_archived) or one the bot was removed from (not_in_channel), an
// update of a deleted message (message_not_found). Faults are injected per method on demand:
// 429 with Retry-After, 503. Every call keeps when it arrived and what it was answered, so a
// test can tell a call that landed after its caller gave up on it. It also serves a slash command's response_url and the file upload flow behind files.uploadV2
// (files.getUploadURLExternal, the upload URL, files.completeUploadExternal).

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** Date.now() when the request arrived: when Slack would have applied it. */
  at: number;
  /** What it was answered (status and body), once answered. */
  answer?: { status: number; body: unknown };
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

export interface UploadedFile {
  id: string;
  title?: string;
  content: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
}

/**
 * Trigger ids the tests make carry the time Slack sent the interaction: `trigger.<epoch ms>.<random>`.
 * Slack: "trigger_id ... expires three seconds after it's sent to your app" (docs.slack.dev, modals).
 */
export function triggerId(issuedAt = Date.now()): string {
  return `trigger.${issuedAt}.${Math.random().toString(36).slice(2)}`;
}

const TRIGGER_LIFETIME_MS = 3000;

const JSON_FIELDS = new Set(['blocks', 'metadata', 'view', 'attachments']);

export class FakeSlackApi {
  readonly calls: ApiCall[] = [];
  readonly refused: { method: string; args: Record<string, unknown>; answer: unknown }[] = [];
  readonly messages: StoredMessage[] = [];
  /** What the bot posted to slash commands' response_urls, in order. */
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  readonly files: UploadedFile[] = [];
  readonly #uploads = new Map<string, string>();
  readonly #hanging = new Set<string>();
  readonly #held: (() => void)[] = [];
  readonly #scripted = new Map<string, Scripted[]>();
  readonly #before = new Map<string, (() => Promise<unknown>)[]>();
  readonly #exchanged = new Set<string>();
  readonly #archived = new Set<string>();
  readonly #removedFrom = new Set<string>();
  #seq = 100;
  #server?: { url: string; close(): Promise<void> };

  get url(): string {
    return `${this.#server?.url}/api/`;
  }

  async start(): Promise<this> {
    this.#server = await listen((req, body, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.startsWith('/response/')) {
        const message = JSON.parse(body || '{}') as Record<string, unknown>;
        // A response_url takes a message payload, held to the same limits as chat.postMessage.
        const refused = refusal('chat.postMessage', message);
        if (refused) {
          this.refused.push({ method: 'response_url', args: message, answer: refused });
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(refused.error);
          return;
        }
        this.responses.push({ path, body: message });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (path.startsWith('/upload/')) {
        this.#uploads.set(path.slice('/upload/'.length), body);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK - 0');
        return;
      }
      const method = path.replace(/^\/api\//, '');
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
      const call: ApiCall = { method, args, token: req.headers.authorization?.replace(/^Bearer /, ''), at: Date.now() };
      this.calls.push(call);
      if (this.#hanging.has(method)) {
        // Never answers: the caller's own timeout has to end the wait.
        this.#held.push(() => res.destroy());
        return;
      }
      const answer = () => {
        const scripted = this.#scripted.get(method)?.shift();
        const reply = scripted ?? { status: 200, body: this.#refuseWrite(method, args) ?? this.#answer(method, args) };
        call.answer = { status: reply.status, body: reply.body };
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      };
      const before = this.#before.get(method)?.shift();
      if (before) void before().then(answer, answer);
      else answer();
    });
    return this;
  }

  stop(): Promise<void> {
    for (const release of this.#held.splice(0)) release();
    return this.#server?.close() ?? Promise.resolve();
  }

  /** Base URL of a slash command's response_url on this server. */
  responseUrl(): string {
    return `${this.#server?.url}/response/${this.#seq++}`;
  }

  /**
   * The next call to `method` is applied and answered only after `meanwhile` has run: what else
   * happens while a call is in flight (a click racing a post).
   */
  beforeAnswering(method: string, meanwhile: () => Promise<unknown>): void {
    this.#before.set(method, [...(this.#before.get(method) ?? []), meanwhile]);
  }

  /** From now on `method` never answers. */
  hang(method: string): void {
    this.#hanging.add(method);
  }

  /** The next call(s) to `method` get these answers instead (e.g. a 429 with Retry-After). */
  script(method: string, ...replies: Scripted[]): void {
    this.#scripted.set(method, [...(this.#scripted.get(method) ?? []), ...replies]);
  }

  /** The next `times` calls to `method` are answered 429 with this Retry-After, as Slack's rate limiter does. */
  rateLimit(method: string, retryAfterSeconds: number, times = 1): void {
    for (let i = 0; i < times; i++)
      this.script(method, {
        status: 429,
        headers: { 'retry-after': String(retryAfterSeconds) },
        body: { ok: false, error: 'ratelimited' },
      });
  }

  /** The next `times` calls to `method` are answered 503, as Slack does when it is degraded. */
  unavailable(method: string, times = 1): void {
    for (let i = 0; i < times; i++) this.script(method, { status: 503, body: { ok: false, error: 'service_unavailable' } });
  }

  /** Someone archived the channel: writes to it are refused with is_archived. */
  archive(channel: string): void {
    this.#archived.add(channel);
  }

  /** Someone removed the bot from the channel: writes to it are refused with not_in_channel. */
  removeBot(channel: string): void {
    this.#removedFrom.add(channel);
  }

  /** Someone invited the bot back: writes to the channel are accepted again. */
  inviteBot(channel: string): void {
    this.#removedFrom.delete(channel);
  }

  /** Someone deleted the message: updating it is refused with message_not_found. */
  deleteMessage(channel: string, ts: string): void {
    const i = this.messages.findIndex((m) => m.channel === channel && m.ts === ts);
    if (i >= 0) this.messages.splice(i, 1);
  }

  /** Calls to `method` that Slack answered ok (and so applied). */
  applied(method: string): ApiCall[] {
    return this.callsTo(method).filter((c) => c.answer?.status === 200 && (c.answer.body as { ok?: boolean }).ok === true);
  }

  /** Slack user groups (S…) and their members, for usergroups.users.list. */
  readonly userGroups = new Map<string, Set<string>>();

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
  }

  /** What Slack answers a write to a channel the bot cannot write to (direct messages go to user ids). */
  #refuseWrite(method: string, args: Record<string, unknown>): unknown {
    if (!['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'files.completeUploadExternal'].includes(method)) return undefined;
    const channel = String(args.channel ?? args.channel_id ?? '');
    if (this.#archived.has(channel)) return { ok: false, error: 'is_archived' };
    if (this.#removedFrom.has(channel)) return { ok: false, error: 'not_in_channel' };
    return undefined;
  }

  #answer(method: string, args: Record<string, unknown>): unknown {
    switch (method) {
      case 'views.open': {
        const trigger = String(args.trigger_id ?? '');
        const issued = Number(trigger.split('.')[1]);
        if (!Number.isFinite(issued)) return { ok: false, error: 'invalid_trigger_id' };
        if (Date.now() - issued > TRIGGER_LIFETIME_MS) return { ok: false, error: 'expired_trigger_id' };
        if (this.#exchanged.has(trigger)) return { ok: false, error: 'exchanged_trigger_id' };
        this.#exchanged.add(trigger);
        return { ok: true, view: { ...(args.view as object), id: `V${this.#seq++}`, hash: `h${this.#seq++}` } };
      }
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
      case 'files.getUploadURLExternal': {
        const id = `F${this.#seq++}`;
        return { ok: true, upload_url: `${this.#server?.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const listed = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id: string; title?: string }[];
        const done = listed.map((f) => {
          const content = this.#uploads.get(f.id);
          if (content === undefined) return undefined;
          const file: UploadedFile = {
            id: f.id,
            title: f.title,
            content,
            channel: args.channel_id as string | undefined,
            thread_ts: args.thread_ts as string | undefined,
            initial_comment: args.initial_comment as string | undefined,
          };
          this.files.push(file);
          return file;
        });
        if (done.some((f) => !f)) return { ok: false, error: 'file_not_found' };
        return { ok: true, files: listed.map((f) => ({ id: f.id, title: f.title })) };
      }
      case 'usergroups.users.list': {
        // Slack's answer for an id that names no group in the workspace: no_such_subteam.
        const members = this.userGroups.get(String(args.usergroup ?? ''));
        return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'auth.test':
        return { ok: true, user_id: 'U0DEPLOYBOT', bot_id: 'B0DEPLOYBOT', team_id: 'T0DAADAAR' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
