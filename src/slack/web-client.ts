import { type FilesUploadV2Arguments, type WebAPICallResult, WebClient } from '@slack/web-api';
import { BUDGET } from '../deadline.ts';
import type { Log } from '../log.ts';
import { slackLogger } from './slack-logger.ts';

// The one transport for every Slack Web API call the bot and the status reporter make.
//
// @slack/web-api 7 sends through one axios instance behind one p-queue shared by every method.
// On a 429 it pauses that queue for the whole Retry-After and then retries (WebClient.js,
// makeRequest): one rate-limited chat.update held every other person's calls of the process,
// and a call its caller had given up on still went out seconds later and overwrote newer state.
// Its methods take no AbortSignal. So apiCall is ours: each call has a deadline, enforced with
// an AbortSignal on the request itself, and nothing is sent once the deadline has passed.
// A Retry-After holds back only the call it answered: Slack limits "per API method per app per
// workspace" and chat.postMessage per channel (docs.slack.dev/apis/web-api/rate-limits), so
// another person's call may well pass, and if it does not, Slack tells that call itself.

/** The call was given up at its deadline; nothing of it is sent afterwards. */
export class SlackCallAbandoned extends Error {
  override readonly name = 'SlackCallAbandoned';
  constructor(
    readonly method: string,
    readonly why: 'deadline' | 'rate-limited',
    /** For a deadline: the budget; for a rate limit: how long Slack asked to wait. */
    readonly ms: number,
  ) {
    super(
      why === 'deadline'
        ? `Slack ${method} did not answer within ${ms / 1000} s`
        : `Slack ${method} is rate limited for ${Math.ceil(ms / 1000)} s, longer than this call may wait`,
    );
  }
}

export function isAbandoned(error: unknown): error is SlackCallAbandoned {
  return error instanceof SlackCallAbandoned;
}

export interface DeadlineClientOptions {
  slackApiUrl?: string;
  /** How long one call may take, retries and waits included. */
  budgetMs: number;
  /** Tighter budgets for some methods (views.open: the trigger id dies 3 s after the click). */
  budgets?: Partial<Record<string, number>>;
  /** Where web-api's own lines go; without it, WebClient prints plain text to the console. */
  log: Log;
}

/** Fields Slack wants as JSON strings inside a form-encoded body, as @slack/web-api sends them. */
function formBody(args: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    form.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

function platformError(result: { error?: string }): Error {
  // The shape of @slack/web-api's platform error, so callers read `data.error` either way.
  return Object.assign(new Error(`An API error occurred: ${result.error}`), { code: 'slack_webapi_platform_error', data: result });
}

/** A call's deadline: the signal aborts the request on the wire; endsAt says what a wait may spend. */
interface Budget {
  signal: AbortSignal;
  endsAt: number;
  ms: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
  });

export class DeadlineWebClient extends WebClient {
  readonly #api: string;
  readonly #token: string;
  readonly #budgetMs: number;
  readonly #budgets: Partial<Record<string, number>>;

  constructor(token: string, options: DeadlineClientOptions) {
    super(token, {
      slackApiUrl: options.slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: slackLogger(options.log, 'web-api'),
    });
    this.#api = (options.slackApiUrl ?? 'https://slack.com/api/').replace(/\/?$/, '/');
    this.#token = token;
    this.#budgetMs = options.budgetMs;
    this.#budgets = options.budgets ?? {};
  }

  override apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    if (method === 'files.uploadV2') return this.filesUploadV2(options as unknown as FilesUploadV2Arguments);
    return this.#call(method, options, this.#budget(method));
  }

  #budget(method: string): Budget {
    const ms = this.#budgets[method] ?? this.#budgetMs;
    return { signal: AbortSignal.timeout(ms), endsAt: Date.now() + ms, ms };
  }

  /** The three steps of files.uploadV2 under one deadline (docs.slack.dev, "Uploading files"). */
  override async filesUploadV2(options: FilesUploadV2Arguments): Promise<WebAPICallResult & { files: WebAPICallResult[] }> {
    const budget = this.#budget('files.uploadV2');
    const { content, filename, title, channel_id, thread_ts, initial_comment } = options as unknown as Record<string, string | undefined>;
    if (typeof content !== 'string') throw new Error('files.uploadV2: only text content is supported');
    const bytes = Buffer.from(content, 'utf8');
    const target = (await this.#call('files.getUploadURLExternal', { filename, length: bytes.length }, budget)) as unknown as {
      upload_url: string;
      file_id: string;
    };
    const uploaded = await this.#send(
      'files.uploadV2',
      () => fetch(target.upload_url, { method: 'POST', body: bytes, signal: budget.signal }),
      budget,
    );
    if (!uploaded.ok) throw new Error(`Slack refused the file upload (HTTP ${uploaded.status})`);
    const done = await this.#call(
      'files.completeUploadExternal',
      { files: [{ id: target.file_id, title: title ?? filename }], channel_id, thread_ts, initial_comment },
      budget,
    );
    return { ok: true, files: [done] };
  }

  async #call(method: string, args: Record<string, unknown>, budget: Budget): Promise<WebAPICallResult> {
    // One retry, for a 503 or for a Retry-After that fits the budget: more would only eat it.
    for (let attempt = 0; ; attempt++) {
      const res = await this.#send(
        method,
        () =>
          fetch(`${this.#api}${method}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/x-www-form-urlencoded' },
            body: formBody(args),
            signal: budget.signal,
          }),
        budget,
      );
      if (res.status === 429 || res.status >= 500) await res.body?.cancel();
      if (res.status === 429) {
        const seconds = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
        const waitMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000;
        // Honoured when it fits what is left of the budget; otherwise given up now, not later.
        if (attempt > 0 || Date.now() + waitMs >= budget.endsAt) throw new SlackCallAbandoned(method, 'rate-limited', waitMs);
        await this.#send(method, () => sleep(waitMs, budget.signal), budget);
        continue;
      }
      if (res.status >= 500 && attempt === 0 && Date.now() + 200 < budget.endsAt) {
        await this.#send(method, () => sleep(200, budget.signal), budget);
        continue;
      }
      if (res.status !== 200) throw Object.assign(new Error(`Slack ${method} answered HTTP ${res.status}`), { statusCode: res.status });
      const result = (await this.#send(method, () => res.json(), budget)) as WebAPICallResult;
      if (!result.ok) throw platformError(result);
      return result;
    }
  }

  async #send<T>(method: string, work: () => Promise<T>, budget: Budget): Promise<T> {
    if (budget.signal.aborted) throw new SlackCallAbandoned(method, 'deadline', budget.ms);
    try {
      return await work();
    } catch (error) {
      if (budget.signal.aborted) throw new SlackCallAbandoned(method, 'deadline', budget.ms);
      throw error;
    }
  }
}

/**
 * The client every composition root builds. views.open gets less than Slack's 3 s trigger life:
 * the listener that opens the modal must still hand the work over and answer inside the same 3 s.
 */
export function slackClient(token: string, slackApiUrl: string | undefined, log: Log): DeadlineWebClient {
  return new DeadlineWebClient(token, { slackApiUrl, log, budgetMs: BUDGET.slack, budgets: { 'views.open': BUDGET.slackViewsOpen } });
}
