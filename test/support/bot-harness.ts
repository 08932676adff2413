import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Hono } from 'hono';
import { SdkCodeBuildGateway } from '../../src/aws/codebuild.ts';
import { SdkImageRegistry } from '../../src/aws/ecr.ts';
import { SdkLogTailGateway } from '../../src/aws/log-tail.ts';
import { DynamoRequestStore } from '../../src/aws/request-store.ts';
import { type Bot, createBot } from '../../src/bot/app.ts';
import { isSignedJob } from '../../src/bot/jobs/job-envelope.ts';
import type { JobReceipt } from '../../src/bot/jobs/run-job.ts';
import { MigrationCatalog } from '../../src/bot/migration-catalog.ts';
import { type DeploybotConfig, parseConfig } from '../../src/config.ts';
import { SecretsManagerTargetHistory } from '../../src/db/target-history.ts';
import { LambdaSelfInvoke } from '../../src/handlers/lambda-self-invoke.ts';
import type { DryRunSource } from '../../src/history/dry-run-table.ts';
import type { ReviewSource } from '../../src/history/review-table.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { SlackRequestReceiver } from '../../src/http/slack-receiver.ts';
import { createLog } from '../../src/log.ts';
import { reconcilerDeps, runJobThenReconcile } from '../../src/reconciler/after-work.ts';
import { type ReconcileRun, type ReconcilerDeps, reconcileRequests } from '../../src/reconciler/reconcile-requests.ts';
import { signingKey } from '../../src/signed-token.ts';
import { slackClient } from '../../src/slack/web-client.ts';
import { emptyTargetUrl } from './database.ts';
import { DynamoFaultProxy } from './dynamo-faults.ts';
import { FakeAws } from './fake-aws.ts';
import { FakeSlackApi, type StoredMessage } from './fake-slack-api.ts';
import { LocalDynamo } from './local-dynamo.ts';
import { blockActionsPayload, interactionBody, signedInit, slashCommandBody, viewSubmissionPayload } from './slack-requests.ts';

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-0000000000-test-token';
export const CHANNEL = 'C0DEPLOYS01';
export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER1';
export const APPROVER_2 = 'U0APPROVER2';
export const OUTSIDER = 'U0OUTSIDER1';
/** The backend image the environments name by tag; the fake ECR holds it under this digest. */
export const BACKEND_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend:latest';
export const BACKEND_DIGEST = `sha256:${'d1'.repeat(32)}`;

export function testConfig(overrides: Partial<Record<'prod' | 'staging', Record<string, unknown>>> = {}): DeploybotConfig {
  const parsed = parseConfig(
    JSON.stringify({
      environments: {
        prod: {
          codebuildProject: 'daadaar-migrations',
          region: 'us-east-1',
          databaseUrlSecretId: 'daadaar/prod/database-url',
          databaseReadUrlSecretId: 'daadaar/prod/database-read-url',
          imageUri: BACKEND_IMAGE,
          channels: [CHANNEL],
          approvers: [APPROVER, APPROVER_2, REQUESTER],
          approvalsRequired: 1,
          requestTtlMinutes: 30,
          seed: { allowed: false, reason: 'Seeding production is forbidden by the operations doc.' },
          database: { instance: 'daadaar-prod' },
          ...overrides.prod,
        },
        staging: {
          codebuildProject: 'daadaar-migrations-staging',
          region: 'us-east-1',
          databaseUrlSecretId: 'daadaar/staging/database-url',
          databaseReadUrlSecretId: 'daadaar/staging/database-read-url',
          imageUri: BACKEND_IMAGE,
          channels: [CHANNEL],
          approvers: [APPROVER, APPROVER_2],
          seed: { allowed: true },
          snapshotBefore: 'never',
          ...overrides.staging,
        },
      },
    }),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.config;
}

/** The config as a file, for code that reads it as the Lambda does (DEPLOYBOT_CONFIG). */
export function writeConfigFile(config: DeploybotConfig = testConfig()): string {
  const path = join(mkdtempSync(join(tmpdir(), 'deploybot-config-')), 'deploybot.config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/**
 * The real bot behind the real HTTP app, with Slack and AWS served on loopback: CodeBuild,
 * Secrets Manager and CloudWatch Logs by FakeAws, DynamoDB by dynalite, and the Lambda
 * self-invocation by FakeAws's Invoke endpoint, which runs the job as the Lambda would.
 */
export class BotHarness {
  readonly slack = new FakeSlackApi();
  readonly aws = new FakeAws();
  readonly dynamo = new LocalDynamo();
  http!: Hono;
  bot!: Bot;
  store!: DynamoRequestStore;
  table = '';
  readonly #jobs = new Set<Promise<void>>();
  clock = Date.UTC(2026, 10, 24, 9, 0, 0);
  /**
   * How long an accepted asynchronous invocation waits before it runs: a cold second Lambda or
   * a slow Event queue (Lambda gives no bound on it). Tests of the 3 s trigger id set it.
   */
  jobDelayMs = 0;
  readonly logs: string[] = [];
  /** What each asynchronous invocation made of its envelope, in order. */
  readonly receipts: JobReceipt[] = [];
  /** Every DynamoDB call of the bot goes through this proxy, which can throttle, fail or drop answers. */
  faults!: DynamoFaultProxy;
  /** DEPLOYBOT_RECONCILE_SECONDS, in ms, for the reconciler and its staleness. */
  reconcileMs = 60_000;

  async start(
    config: DeploybotConfig = testConfig(),
    options: { dryRuns?: DryRunSource; reviews?: ReviewSource; migrationsFolder?: string; target?: 'empty-database' | 'none' } = {},
  ): Promise<this> {
    // By default every environment's target is a database that has run nothing yet: its
    // pending set is known (everything), so a plan can be pinned. Tests of other targets set
    // the read-only URL secret themselves.
    if (options.target !== 'none') {
      const url = await emptyTargetUrl();
      for (const env of Object.values(config.environments)) this.aws.secrets.set(env.databaseReadUrlSecretId, url);
    }
    await this.slack.start();
    await this.aws.start();
    this.aws.now = () => this.clock;
    this.aws.ecrImages.set('daadaar-backend', [{ imageDigest: BACKEND_DIGEST, imageTags: ['latest'] }]);
    for (const env of Object.values(config.environments))
      this.aws.projects.set(env.codebuildProject, [
        { name: 'IMAGE_URI', value: '123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend:latest', type: 'PLAINTEXT' },
      ]);
    process.env.AWS_ENDPOINT_URL = this.aws.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    process.env.AWS_REGION = 'us-east-1';
    await this.dynamo.start();
    this.table = await this.dynamo.table();
    this.faults = await new DynamoFaultProxy(this.dynamo.url).start();
    this.store = new DynamoRequestStore(this.table, { endpoint: this.faults.url });
    const log = createLog({ service: 'test' }, 'debug', (line) => this.logs.push(line));
    const actionKey = signingKey(SECRET);
    const receiver = new SlackRequestReceiver(SECRET, log, () => this.clock);
    this.bot = createBot({
      config,
      receiver,
      botToken: BOT_TOKEN,
      slack: slackClient(BOT_TOKEN, this.slack.url, log),
      codeBuild: new SdkCodeBuildGateway(),
      logs: new SdkLogTailGateway(),
      store: this.store,
      work: new LambdaSelfInvoke('deploybot-slack', actionKey, { now: () => this.clock }),
      images: new SdkImageRegistry(),
      seedRoot: '.',
      catalog: new MigrationCatalog(options.migrationsFolder ?? 'backend/drizzle', {
        // The real reader: the database URL from (fake) Secrets Manager, then a real connection.
        history: new SecretsManagerTargetHistory(),
        dryRuns: options.dryRuns,
        reviews: options.reviews,
      }),
      actionKey,
      slackApiUrl: this.slack.url,
      now: () => this.clock,
      log,
    });
    // What the Lambda entry (src/handlers/slack.ts) does with its own asynchronous invocation.
    this.aws.onInvoke = (_fn, payload) => {
      if (!isSignedJob(payload)) return;
      // As the composition roots do: the envelope opened once, the job, then its own request
      // reconciled; a test may hold the asynchronous hop back (jobDelayMs).
      const delay = this.jobDelayMs;
      const waited = delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
      const running: Promise<void> = waited
        .then(() => this.bot.receiveJob(payload, (job) => runJobThenReconcile(this.bot.runJob, this.reconcilerDeps(), job)))
        .then((receipt) => void this.receipts.push(receipt))
        .finally(() => this.#jobs.delete(running));
      this.#jobs.add(running);
    };
    this.http = createHttpApp(async () => receiver);
    return this;
  }

  async stop(): Promise<void> {
    await this.settled().catch(() => {});
    await this.slack.stop();
    await this.aws.stop();
    await this.faults.stop();
    await this.dynamo.stop();
    // Every payload the bot built in a test must be one real Slack accepts.
    const refused = this.slack.refused.map((r) => `${r.method}: ${JSON.stringify(r.answer)}`);
    if (refused.length > 0) throw new Error(`Slack would have refused ${refused.length} payload(s):\n${refused.join('\n')}`);
  }

  reconcilerDeps(): ReconcilerDeps {
    return reconcilerDeps(this.bot.context, this.reconcileMs);
  }

  /** One scheduled run of the reconciler, as EventBridge or `npm run dev` starts it. */
  reconcile(budget?: number): Promise<ReconcileRun> {
    return reconcileRequests(this.reconcilerDeps(), budget);
  }

  /** Waits until every job handed to the asynchronous invocation has finished. */
  async settled(): Promise<void> {
    // An invocation answered 202 runs a tick later: let it register before looking.
    for (let idle = 0; idle < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#jobs.size === 0) {
        idle++;
        continue;
      }
      idle = 0;
      await Promise.allSettled([...this.#jobs]);
    }
  }

  /**
   * Invokes the Slack function asynchronously with `payload`, as anyone allowed to call
   * lambda:Invoke could (a captured envelope replayed, a forged one), and waits for it.
   */
  async invoke(payload: unknown): Promise<JobReceipt | undefined> {
    const before = this.receipts.length;
    const lambda = new LambdaClient({ region: 'us-east-1', endpoint: this.aws.url });
    const sent = await lambda.send(
      new InvokeCommand({ FunctionName: 'deploybot-slack', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    if (sent.StatusCode !== 202) throw new Error(`Invoke answered ${sent.StatusCode}`);
    await this.settled();
    return this.receipts[before];
  }

  /** Posts and then waits for the work it handed over, as a person waits for the bot. */
  async send(body: string, contentType?: string): Promise<Response> {
    const res = await this.post(body, contentType);
    await this.settled();
    return res;
  }

  /** The record of the request the last review message shows. */
  async record(message = this.reviewMessage()) {
    const id = String(message?.metadata?.event_payload?.request_id ?? '');
    return this.store.get(id);
  }

  post(
    body: string,
    contentType = 'application/x-www-form-urlencoded',
    opts: { timestamp?: number; signature?: string } = {},
  ): Promise<Response> {
    const ts = opts.timestamp ?? Math.floor(this.clock / 1000);
    return Promise.resolve(this.http.request('/slack/events', signedInit(SECRET, body, contentType, ts, opts.signature)));
  }

  command(text: string, userId = REQUESTER, channelId = CHANNEL): Promise<Response> {
    return this.send(slashCommandBody({ text, userId, channelId, responseUrl: this.slack.responseUrl() }));
  }

  /** What the bot sent back through slash commands' response_urls, as text and blocks. */
  responseTexts(): string[] {
    return this.slack.responses.map((r) => `${String(r.body.text ?? '')}\n${JSON.stringify(r.body.blocks ?? [])}`);
  }

  /** The modal the bot last put on screen (views.update, else views.open). */
  currentModal(): Record<string, unknown> {
    const call = [...this.slack.calls].reverse().find((c) => c.method === 'views.update' || c.method === 'views.open');
    if (!call) throw new Error('no modal was opened');
    return call.args.view as Record<string, unknown>;
  }

  submitModal(
    userId: string,
    values: { reason?: string; confirm?: string; clean?: boolean },
    view = this.currentModal(),
  ): Promise<Response> {
    const state: Record<string, unknown> = {
      reason: { value: { type: 'plain_text_input', value: values.reason ?? null } },
      confirm: { value: { type: 'plain_text_input', value: values.confirm ?? null } },
      clean: {
        value: { type: 'checkboxes', selected_options: values.clean ? [{ value: 'clean', text: { type: 'mrkdwn', text: 'CLEAN' } }] : [] },
      },
    };
    return this.send(interactionBody(viewSubmissionPayload({ userId, view, values: state })));
  }

  /** Runs the command and submits its modal: the review message is posted. */
  async request(
    text = 'migrate prod',
    values: { reason?: string; confirm?: string; clean?: boolean } = {},
    userId = REQUESTER,
  ): Promise<StoredMessage> {
    await this.command(text, userId);
    const env = text.split(' ')[1] ?? 'prod';
    const res = await this.submitModal(userId, { reason: 'Ship the shareable uuids', confirm: env, ...values });
    if (res.status !== 200 || (await res.text()) !== '') throw new Error('modal submission was not accepted');
    const message = this.reviewMessage();
    if (!message) throw new Error('no review message was posted');
    return message;
  }

  reviewMessage(): StoredMessage | undefined {
    return [...this.slack.messages].reverse().find((m) => !m.thread_ts && m.metadata?.event_type === 'deploybot_request');
  }

  threadReplies(message: StoredMessage): StoredMessage[] {
    return this.slack.messages.filter((m) => m.thread_ts === message.ts);
  }

  async click(actionId: string, userId: string, message = this.reviewMessage()): Promise<Response> {
    const res = await this.clickNow(actionId, userId, message);
    await this.settled();
    return res;
  }

  /** The click's HTTP round trip only: its job may still be running (for races and ack times). */
  clickNow(actionId: string, userId: string, message = this.reviewMessage(), button?: Record<string, unknown>): Promise<Response> {
    if (!message) throw new Error('no message to click');
    const current = this.slack.messages.find((m) => m.ts === message.ts) ?? message;
    const value = String((button ?? findButton(current, actionId)).value);
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

  ephemeralsTo(userId: string): string[] {
    return this.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => c.args.user === userId)
      .map((c) => String(c.args.text));
  }
}

export function findButton(message: StoredMessage, actionId: string): Record<string, unknown> {
  for (const block of message.blocks ?? []) {
    for (const el of (block.elements as Record<string, unknown>[] | undefined) ?? []) if (el.action_id === actionId) return el;
  }
  throw new Error(`no ${actionId} button on the message`);
}

export function blockText(message: StoredMessage | undefined): string {
  return JSON.stringify(message?.blocks ?? []);
}
