import type { WebClient } from '@slack/web-api';
import type { CodeBuildGateway } from '../aws/codebuild.ts';
import type { ImageRegistry } from '../aws/ecr.ts';
import type { LogTailGateway } from '../aws/log-tail.ts';
import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import type { RequestStore } from '../requests/store.ts';
import type { DeferredWork } from './jobs/deferred.ts';
import type { MigrationCatalog } from './migration-catalog.ts';

/** What listeners and jobs need, passed in: nothing here reaches for globals, transports or env vars. */
export interface BotContext {
  config: DeploybotConfig;
  codeBuild: CodeBuildGateway;
  logs: LogTailGateway;
  catalog: MigrationCatalog;
  /** ECR: the configured image tag is resolved to a digest at review time. */
  images: ImageRegistry;
  /** Where database/seed*.ts are, for the seed plan's hash (the Lambda package carries them). */
  seedRoot: string;
  store: RequestStore;
  work: DeferredWork;
  /** The Web API client jobs use (listeners get Bolt's own, built from the same token). */
  slack: WebClient;
  /** HMAC key for button values and deferred jobs (derived from the signing secret). */
  actionKey: Buffer;
  now: () => number;
  newId: () => string;
  log: Log;
}
