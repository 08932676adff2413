import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoRequestStore } from '../../src/aws/request-store.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { APPROVER, BACKEND_DIGEST, BOT_TOKEN, CHANNEL, findButton, REQUESTER, SECRET, testConfig, writeConfigFile } from './bot-harness.ts';
import { emptyTargetUrl, freePort } from './database.ts';
import { DynamoFaultProxy } from './dynamo-faults.ts';
import { FakeAws } from './fake-aws.ts';
import { FakeSlackApi, type StoredMessage } from './fake-slack-api.ts';
import { LocalDynamo } from './local-dynamo.ts';
import { blockActionsPayload, interactionBody, signedInit, slashCommandBody, viewSubmissionPayload } from './slack-requests.ts';

// `npm run dev` as an operator runs it, in its own process group, so a test can SIGKILL it (npm,
// the shell and node at once) mid-flow and start it again on the same table. Slack, AWS and
// DynamoDB are the loopback fakes and dynalite, which outlive the process; every DynamoDB call
// of the process goes through the fault proxy. Requests reach it over signed HTTP, as Slack sends them.

const noEnvFile = join(mkdtempSync(join(tmpdir(), 'dev-env-')), 'absent.env');

export async function until<T>(what: string, look: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const seen = await look();
    if (seen !== undefined && seen !== false) return seen;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class DevProcessWorld {
  readonly slack = new FakeSlackApi();
  readonly aws = new FakeAws();
  readonly dynamo = new LocalDynamo();
  faults!: DynamoFaultProxy;
  store!: DynamoRequestStore;
  table = '';
  readonly config = testConfig();
  #configFile = '';
  #child?: ChildProcess;
  #exited?: Promise<void>;
  port = 0;
  /** What the process wrote, for a failure's message. */
  output = '';

  async start(): Promise<this> {
    const target = await emptyTargetUrl();
    await this.slack.start();
    await this.aws.start();
    this.aws.ecrImages.set('daadaar-backend', [{ imageDigest: BACKEND_DIGEST, imageTags: ['latest'] }]);
    for (const env of Object.values(this.config.environments)) {
      this.aws.secrets.set(env.databaseReadUrlSecretId, target);
      this.aws.projects.set(env.codebuildProject, [{ name: 'IMAGE_URI', value: env.imageUri ?? '', type: 'PLAINTEXT' }]);
    }
    await this.dynamo.start();
    this.table = await this.dynamo.table();
    this.faults = await new DynamoFaultProxy(this.dynamo.url).start();
    this.store = new DynamoRequestStore(this.table, { endpoint: this.dynamo.url });
    this.#configFile = writeConfigFile(this.config);
    return this;
  }

  /** Starts `npm run dev` on the table and waits until it answers. */
  async spawn(extraEnv: Record<string, string> = {}): Promise<void> {
    this.port = await freePort();
    this.#child = spawn('npm', ['run', 'dev', '--silent'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'warn',
        DEPLOYBOT_ENV_FILE: noEnvFile,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        PORT: String(this.port),
        DEPLOYBOT_CONFIG: this.#configFile,
        DEPLOYBOT_TABLE: this.table,
        AWS_ENDPOINT_URL_DYNAMODB: this.faults.url,
        AWS_ENDPOINT_URL: this.aws.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDDEVPROCESS00',
        AWS_SECRET_ACCESS_KEY: 'dev-process',
        SLACK_API_URL: this.slack.url,
        DEPLOYBOT_RECONCILE_SECONDS: '1',
        ...extraEnv,
      },
    });
    const child = this.#child;
    const keep = (c: Buffer) => {
      this.output += c.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => child.on('exit', () => resolve()));
    await until(
      'npm run dev to answer /healthz',
      () =>
        fetch(`http://127.0.0.1:${this.port}/healthz`)
          .then((r) => r.ok || undefined)
          .catch(() => undefined),
      60_000,
    );
  }

  /** SIGKILL to the whole process group: npm, its shell and node die at once, mid-whatever. */
  async kill(): Promise<void> {
    const pid = this.#child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.#exited;
    this.#child = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    await this.slack.stop();
    await this.aws.stop();
    await this.faults.stop();
    await this.dynamo.stop();
  }

  post(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.port}/slack/events`, signedInit(SECRET, body, contentType, Math.floor(Date.now() / 1000)));
  }

  /** `/daadaar migrate prod`, the form filled and submitted: the review message, recorded. */
  async request(reason = 'Ship the shareable uuids'): Promise<{ review: StoredMessage; id: string }> {
    const opened = this.slack.callsTo('views.update').length;
    const posted = this.reviews().length;
    await this.post(
      slashCommandBody({ text: 'migrate prod', userId: REQUESTER, channelId: CHANNEL, responseUrl: this.slack.responseUrl() }),
    );
    const view = await until(
      'the review in the modal',
      () =>
        this.slack
          .callsTo('views.update')
          .slice(opened)
          .find((c) => (c.args.view as { submit?: unknown }).submit)?.args.view,
      60_000,
    );
    const values = {
      reason: { value: { type: 'plain_text_input', value: reason } },
      confirm: { value: { type: 'plain_text_input', value: 'prod' } },
      clean: { value: { type: 'checkboxes', selected_options: [] } },
    };
    const res = await this.post(
      interactionBody(viewSubmissionPayload({ userId: REQUESTER, view: view as Record<string, unknown>, values })),
    );
    const answer = await res.text();
    if (res.status !== 200 || answer !== '') throw new Error(`the form was refused: ${res.status} ${answer}`);
    const review = await until('the review message', () => this.reviews()[posted], 30_000);
    const id = String(review.metadata?.event_payload.request_id);
    await until('the review recorded', async () => (await this.store.get(id))?.messageTs);
    return { review, id };
  }

  /** A click on one of the review message's buttons, by `userId`. */
  click(actionId: string, review: StoredMessage, userId = APPROVER): Promise<Response> {
    const current = this.message(review) ?? review;
    const value = String(findButton(current, actionId).value);
    return this.post(
      interactionBody(
        blockActionsPayload({
          userId,
          channelId: current.channel,
          message: { ts: current.ts, text: current.text, blocks: current.blocks },
          action: { action_id: actionId, block_id: 'deploybot_actions', value },
        }),
      ),
    );
  }

  reviews(): StoredMessage[] {
    return this.slack.messages.filter((m) => !m.thread_ts && m.metadata?.event_type === 'deploybot_request');
  }

  /** The message as the channel shows it now. */
  message(review: StoredMessage): StoredMessage | undefined {
    return this.slack.messages.find((m) => m.ts === review.ts);
  }

  record(id: string): Promise<RequestRecord | undefined> {
    return this.store.get(id);
  }

  /** CodeBuild's builds carrying this request's id. */
  buildsOf(id: string) {
    return this.aws.builds.filter((b) =>
      b.environment.environmentVariables.some((v) => v.name === 'DEPLOYBOT_REQUEST_ID' && v.value === id),
    );
  }
}
