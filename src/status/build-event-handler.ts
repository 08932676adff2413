import type { DeploybotConfig } from '../config.ts';
import type { Log } from '../log.ts';
import { type ProgressOutcome, reportProgress } from './build-progress.ts';
import { type ReportDeps, type ReportOutcome, reportBuildById } from './build-reporter.ts';
import { parseBuildEvent } from './codebuild-event.ts';
import { isLogSubscription, readLogSubscription } from './log-subscription.ts';

export type BuildEventResult = ReportOutcome | ProgressOutcome | { kind: 'ignored'; reason: string };

export interface BuildEventDeps {
  config: DeploybotConfig;
  report: ReportDeps;
  /** The function's own region (AWS_REGION): a log subscription delivers only within it. */
  region?: string;
}

/**
 * The status function's logic. A CloudWatch Logs subscription batch carries the build's
 * progress (./build-progress.ts); a malformed one is refused as a value, never retried.
 * An EventBridge event: ignore what is not a build of a configured project, report the rest. A
 * Slack or AWS failure is rethrown: Lambda retries asynchronous invocations, and the next event
 * or `/daadaar status` repeats the report anyway, so nothing final is lost.
 */
export function createBuildEventHandler(boot: () => Promise<BuildEventDeps>, log: Log): (event: unknown) => Promise<BuildEventResult> {
  return async (event) => {
    if (isLogSubscription(event)) {
      const read = readLogSubscription(event);
      if (!read.ok) {
        log.warn('log batch refused', { reason: read.reason });
        return { kind: 'ignored', reason: read.reason };
      }
      if (read.kind === 'control') return { kind: 'ignored', reason: 'CloudWatch Logs checked the subscription (CONTROL_MESSAGE)' };
      const { report, region } = await boot();
      return reportProgress(read.batch, region, report);
    }
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
