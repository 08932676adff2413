import { randomUUID } from 'node:crypto';
import { App } from '@slack/bolt';
import type { CodeBuildGateway } from '../aws/codebuild.ts';
import { type LogTailGateway, SdkLogTailGateway } from '../aws/log-tail.ts';
import type { SlackCredentials } from '../aws/slack-credentials.ts';
import type { DeploybotConfig } from '../config.ts';
import type { TargetHistoryReader } from '../db/target-history.ts';
import type { DryRunSource } from '../dryrun/dry-run-table.ts';
import { SlackRequestReceiver } from '../http/slack-receiver.ts';
import { createLog, type Log } from '../log.ts';
import type { ReviewSource } from '../review/review-table.ts';
import { signingKey } from './approval-request.ts';
import { boltLogger } from './bolt-logger.ts';
import type { BotContext } from './bot-context.ts';
import { registerApprovalActions } from './listeners/approval-actions.ts';
import { registerCommand } from './listeners/command.ts';
import { registerRequestSubmission } from './listeners/request-submission.ts';
import { MigrationCatalog } from './migration-catalog.ts';

export interface BotOptions {
  config: DeploybotConfig;
  credentials: SlackCredentials;
  codeBuild: CodeBuildGateway;
  /** CloudWatch Logs, for the tail `/daadaar status` shows (default: the SDK). */
  logs?: LogTailGateway;
  migrationsFolder: string;
  /** Reads each target's drizzle history; without it every pending set is "unknown". */
  targetHistory?: TargetHistoryReader;
  /** Dry-run results; without it the review says no dry run is available. */
  dryRuns?: DryRunSource;
  /** Precomputed reviews; without them every review runs live. */
  reviews?: ReviewSource;
  /** Slack Web API base, ending in /api/ (tests point it at a local server). */
  slackApiUrl?: string;
  now?: () => number;
  newId?: () => string;
  log?: Log;
}

export function createBot(options: BotOptions): { app: App; receiver: SlackRequestReceiver; context: BotContext } {
  const log = options.log ?? createLog({ service: 'deploybot' });
  const now = options.now ?? Date.now;
  const receiver = new SlackRequestReceiver(options.credentials.signingSecret, log, now);
  const app = new App({
    token: options.credentials.botToken,
    receiver,
    // No auth.test round trip on a cold start: the bot listens to no events that need its own id.
    tokenVerificationEnabled: false,
    ignoreSelf: false,
    logger: boltLogger(log),
    clientOptions: {
      slackApiUrl: options.slackApiUrl,
      // Honour Retry-After on 429, but give up before Slack's 3-second window is spent.
      retryConfig: { retries: 2, factor: 1, minTimeout: 100, maxTimeout: 1500 },
    },
  });
  const context: BotContext = {
    config: options.config,
    codeBuild: options.codeBuild,
    logs: options.logs ?? new SdkLogTailGateway(),
    catalog: new MigrationCatalog(options.migrationsFolder, {
      history: options.targetHistory,
      dryRuns: options.dryRuns,
      reviews: options.reviews,
    }),
    actionKey: signingKey(options.credentials.signingSecret),
    now,
    newId: options.newId ?? randomUUID,
    log,
  };
  registerCommand(app, context);
  registerRequestSubmission(app, context);
  registerApprovalActions(app, context);
  app.error(async (error) => {
    log.error('unhandled listener error', { error });
  });
  return { app, receiver, context };
}
