import { WebClient } from '@slack/web-api';
import { SdkCodeBuildGateway } from '../aws/codebuild.ts';
import { SdkLogTailGateway } from '../aws/log-tail.ts';
import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import { loadStartUp, once } from '../start-up.ts';
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
export function createBuildEventHandler(env: NodeJS.ProcessEnv, log: Log): (event: unknown) => Promise<BuildEventResult> {
  const boot = once(async (): Promise<Booted> => {
    const { config, credentials } = await loadStartUp(env);
    const slack = new WebClient(credentials.botToken, {
      slackApiUrl: env.SLACK_API_URL,
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    });
    return { config, deps: { codeBuild: new SdkCodeBuildGateway(), logs: new SdkLogTailGateway(), slack, log } };
  });
  return async (event) => {
    const parsed = parseBuildEvent(event);
    if (!parsed.ok) {
      log.warn('event ignored', { reason: parsed.reason });
      return { kind: 'ignored', reason: parsed.reason };
    }
    const { config, deps } = await boot();
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
