import { randomUUID } from 'node:crypto';
import { App, type Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { CodeBuildGateway } from '../aws/codebuild.ts';
import type { ImageRegistry } from '../aws/ecr.ts';
import type { LogTailGateway } from '../aws/log-tail.ts';
import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import type { RequestStore } from '../requests/store.ts';
import { slackLogger } from '../slack/slack-logger.ts';
import type { BotContext } from './bot-context.ts';
import type { DeferredJob, DeferredWork } from './jobs/deferred.ts';
import type { SignedJob } from './jobs/job-envelope.ts';
import { type JobReceipt, receiveJob, runJob } from './jobs/run-job.ts';
import { registerApprovalActions } from './listeners/approval-actions.ts';
import { registerCommand } from './listeners/command.ts';
import { registerRequestSubmission } from './listeners/request-submission.ts';
import type { MigrationCatalog } from './migration-catalog.ts';

export interface BotOptions {
  config: DeploybotConfig;
  /** The transport, built by the composition root (src/handlers/): the bot never builds its own. */
  receiver: Receiver;
  botToken: string;
  slack: WebClient;
  codeBuild: CodeBuildGateway;
  logs: LogTailGateway;
  store: RequestStore;
  work: DeferredWork;
  catalog: MigrationCatalog;
  images: ImageRegistry;
  seedRoot?: string;
  actionKey: Buffer;
  slackApiUrl?: string;
  now?: () => number;
  newId?: () => string;
  log: Log;
}

export interface Bot {
  app: App;
  context: BotContext;
  /** The slow half of a listener, run by the asynchronous invocation (or in the background locally). */
  runJob(job: DeferredJob): Promise<void>;
  /**
   * The asynchronous invocation's payload: opened, checked once against replays, then run by
   * `run` (the composition root's, which reconciles the request afterwards), else by runJob.
   */
  receiveJob(event: SignedJob, run?: (job: DeferredJob) => Promise<void>): Promise<JobReceipt>;
}

export function createBot(options: BotOptions): Bot {
  const { log } = options;
  const app = new App({
    receiver: options.receiver,
    // A fixed authorization: Bolt's default calls auth.test on every request to learn the bot's
    // own ids, a Slack round trip inside the 3-second window. Nothing here needs those ids.
    authorize: async () => ({ botToken: options.botToken }),
    ignoreSelf: false,
    // Bolt hands this logger to the WebClients it builds as well (App.js, "Set client options").
    logger: slackLogger(log, 'bolt'),
    clientOptions: { slackApiUrl: options.slackApiUrl, timeout: 3000, retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 1000 } },
  });
  const context: BotContext = {
    config: options.config,
    codeBuild: options.codeBuild,
    logs: options.logs,
    catalog: options.catalog,
    images: options.images,
    seedRoot: options.seedRoot ?? '.',
    store: options.store,
    work: options.work,
    slack: options.slack,
    actionKey: options.actionKey,
    now: options.now ?? Date.now,
    newId: options.newId ?? randomUUID,
    log,
  };
  registerCommand(app, context);
  registerRequestSubmission(app, context);
  registerApprovalActions(app, context);
  app.error(async (error) => {
    log.error('unhandled listener error', { error });
  });
  return { app, context, runJob: (job) => runJob(context, job), receiveJob: (event, run) => receiveJob(context, event, run) };
}
