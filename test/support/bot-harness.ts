import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { SdkCodeBuildGateway } from '../../src/aws/codebuild.ts';
import { createBot } from '../../src/bot/app.ts';
import { type DeploybotConfig, parseConfig } from '../../src/config.ts';
import { SecretsManagerTargetHistory } from '../../src/db/target-history.ts';
import type { DryRunSource } from '../../src/dryrun/dry-run-table.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLog } from '../../src/log.ts';
import type { ReviewSource } from '../../src/review/review-table.ts';
import { FakeAws } from './fake-aws.ts';
import { FakeSlackApi, type StoredMessage } from './fake-slack-api.ts';
import { blockActionsPayload, interactionBody, signedInit, slashCommandBody, viewSubmissionPayload } from './slack-requests.ts';

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-0000000000-test-token';
export const CHANNEL = 'C0DEPLOYS01';
export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER1';
export const APPROVER_2 = 'U0APPROVER2';
export const OUTSIDER = 'U0OUTSIDER1';

export function testConfig(overrides: Partial<Record<'prod' | 'staging', Record<string, unknown>>> = {}): DeploybotConfig {
  const parsed = parseConfig(
    JSON.stringify({
      environments: {
        prod: {
          codebuildProject: 'daadaar-migrations',
          region: 'us-east-1',
          databaseUrlSecretId: 'daadaar/prod/database-url',
          databaseReadUrlSecretId: 'daadaar/prod/database-read-url',
          channels: [CHANNEL],
          approvers: [APPROVER, APPROVER_2, REQUESTER],
          approvalsRequired: 1,
          requestTtlMinutes: 30,
          seed: { allowed: false, reason: 'Seeding production is forbidden by the operations doc.' },
          ...overrides.prod,
        },
        staging: {
          codebuildProject: 'daadaar-migrations-staging',
          region: 'us-east-1',
          databaseUrlSecretId: 'daadaar/staging/database-url',
          databaseReadUrlSecretId: 'daadaar/staging/database-read-url',
          channels: [CHANNEL],
          approvers: [APPROVER, APPROVER_2],
          seed: { allowed: true },
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

/** The real bot behind the real HTTP app, with Slack and AWS served on loopback. */
export class BotHarness {
  readonly slack = new FakeSlackApi();
  readonly aws = new FakeAws();
  http!: Hono;
  clock = Date.UTC(2026, 10, 24, 9, 0, 0);
  readonly logs: string[] = [];

  async start(
    config: DeploybotConfig = testConfig(),
    options: { dryRuns?: DryRunSource; reviews?: ReviewSource; migrationsFolder?: string } = {},
  ): Promise<this> {
    await this.slack.start();
    await this.aws.start();
    this.aws.now = () => this.clock;
    for (const env of Object.values(config.environments))
      this.aws.projects.set(env.codebuildProject, [
        { name: 'IMAGE_URI', value: '123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend:latest', type: 'PLAINTEXT' },
      ]);
    process.env.AWS_ENDPOINT_URL = this.aws.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    process.env.AWS_REGION = 'us-east-1';
    const log = createLog({ service: 'test' }, 'debug', (line) => this.logs.push(line));
    const { receiver } = createBot({
      config,
      credentials: { signingSecret: SECRET, botToken: BOT_TOKEN },
      codeBuild: new SdkCodeBuildGateway(),
      migrationsFolder: options.migrationsFolder ?? 'backend/drizzle',
      // The real reader: the database URL from (fake) Secrets Manager, then a real connection.
      targetHistory: new SecretsManagerTargetHistory(),
      dryRuns: options.dryRuns,
      reviews: options.reviews,
      slackApiUrl: this.slack.url,
      now: () => this.clock,
      log,
    });
    this.http = createHttpApp(async () => receiver);
    return this;
  }

  async stop(): Promise<void> {
    await this.slack.stop();
    await this.aws.stop();
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
    return this.post(slashCommandBody({ text, userId, channelId }));
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
    return this.post(interactionBody(viewSubmissionPayload({ userId, view, values: state })));
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

  click(actionId: string, userId: string, message = this.reviewMessage()): Promise<Response> {
    if (!message) throw new Error('no message to click');
    const current = this.slack.messages.find((m) => m.ts === message.ts) ?? message;
    const button = findButton(current, actionId);
    return this.post(
      interactionBody(
        blockActionsPayload({
          userId,
          channelId: current.channel,
          message: { ts: current.ts, text: current.text, blocks: current.blocks },
          action: { action_id: actionId, block_id: 'deploybot_actions', value: String(button.value) },
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
