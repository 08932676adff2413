import { WebClient } from '@slack/web-api';
import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { type LogTailGateway, SdkLogTailGateway } from '../aws/log-tail.ts';
import { loadSlackCredentials } from '../aws/slack-credentials.ts';
import { type DeploybotConfig, loadConfig } from '../config.ts';
import type { Log } from '../log.ts';
import { parseBuildEvent } from './codebuild-event.ts';
import { type ReportDeps, type ReportOutcome, reportBuildById } from './report-build.ts';

export type BuildEventResult = ReportOutcome | { kind: 'ignored'; reason: string };

interface Booted {
  config: DeploybotConfig;
  deps: ReportDeps;
}

/**
 * The EventBridge Lambda's logic: ignore what is not a build of a configured project, report
 * the rest. A Slack or AWS failure is rethrown: Lambda retries asynchronous invocations, and
 * the next event or `/daadaar status` repeats the report anyway, so nothing final is lost.
 */
export function createBuildEventHandler(
  env: NodeJS.ProcessEnv,
  log: Log,
  overrides: { logs?: LogTailGateway } = {},
): (event: unknown) => Promise<BuildEventResult> {
  let booting: Promise<Booted> | undefined;
  const boot = async (): Promise<Booted> => {
    const config = loadConfig(env.DEPLOYBOT_CONFIG ?? 'deploybot.config.json');
    if (!config.ok) throw new Error(config.reason);
    const credentials = await loadSlackCredentials(env);
    if (!credentials.ok) throw new Error(credentials.reason);
    const slack = new WebClient(credentials.credentials.botToken, {
      slackApiUrl: env.SLACK_API_URL,
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    });
    return {
      config: config.config,
      deps: { codeBuild: new SdkCodeBuildGateway(), logs: overrides.logs ?? new SdkLogTailGateway(), slack, log },
    };
  };
  return async (event) => {
    const parsed = parseBuildEvent(event);
    if (!parsed.ok) {
      log.warn('event ignored', { reason: parsed.reason });
      return { kind: 'ignored', reason: parsed.reason };
    }
    booting ??= boot().catch((error: unknown) => {
      booting = undefined;
      throw error;
    });
    const { config, deps } = await booting;
    const ours = Object.values(config.environments).some(
      (e) => e.codebuildProject === parsed.event.project && e.region === parsed.event.region,
    );
    if (!ours) return { kind: 'ignored', reason: `project ${parsed.event.project} in ${parsed.event.region} is not configured` };
    try {
      return await reportBuildById(parsed.event.buildId, parsed.event.region, deps);
    } catch (error) {
      log.error('build report failed; will be retried', { buildId: parsed.event.buildId, error });
      throw error;
    }
  };
}
