import type { CodeBuildGateway } from '../aws/codebuild.ts';
import type { LogTailGateway } from '../aws/log-tail.ts';
import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import type { MigrationCatalog } from './migration-catalog.ts';

/** What listeners need, passed in: no listener reaches for globals, transports or env vars. */
export interface BotContext {
  config: DeploybotConfig;
  codeBuild: CodeBuildGateway;
  logs: LogTailGateway;
  catalog: MigrationCatalog;
  /** HMAC key for action values (derived from the signing secret). */
  actionKey: Buffer;
  now: () => number;
  newId: () => string;
  log: Log;
}
