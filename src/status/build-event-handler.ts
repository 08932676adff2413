import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import { type ReportDeps, type ReportOutcome, reportBuildById } from './build-reporter.ts';
import { parseBuildEvent } from './codebuild-event.ts';

export type BuildEventResult = ReportOutcome | { kind: 'ignored'; reason: string };

export interface BuildEventDeps {
  config: DeploybotConfig;
  report: ReportDeps;
}

/**
 * The EventBridge Lambda's logic: ignore what is not a build of a configured project, report
 * the rest. A Slack or AWS failure is rethrown: Lambda retries asynchronous invocations, and
 * the next event or `/daadaar status` repeats the report anyway, so nothing final is lost.
 */
export function createBuildEventHandler(boot: () => Promise<BuildEventDeps>, log: Log): (event: unknown) => Promise<BuildEventResult> {
  return async (event) => {
    const parsed = parseBuildEvent(event);
    if (!parsed.ok) {
      log.warn('event ignored', { reason: parsed.reason });
      return { kind: 'ignored', reason: parsed.reason };
    }
    const { config, report } = await boot();
    const ours = Object.values(config.environments).some(
      (e) => e.codebuildProject === parsed.event.project && e.region === parsed.event.region,
    );
    if (!ours) return { kind: 'ignored', reason: `project ${parsed.event.project} in ${parsed.event.region} is not configured` };
    try {
      return await reportBuildById(parsed.event.buildId, parsed.event.region, report);
    } catch (error) {
      log.error('build report failed; will be retried', { buildId: parsed.event.buildId, error });
      throw error;
    }
  };
}
