import { BUDGET, sdkTimeouts } from '../deadline.ts';
import { describeAwsError, regionalClients } from './lazy-sdk.ts';

// The end of a build's CloudWatch log: GetLogEvents on the build's own group and stream,
// newest page first (startFromHead false), so a long log costs one call. The thread picks the
// runner's reports and CodeBuild's phase lines out of it (src/request-message/thread-tail.ts), so the
// page is read wide enough that a stack trace printed after the failure report does not push
// the report out of it: GetLogEvents returns up to 10,000 events or 1 MB per call
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html).

/** Log events read for a tail. */
export const TAIL_EVENTS = 500;

export type LogTail = { ok: true; lines: string[] } | { ok: false; reason: string };

export interface LogTailGateway {
  tail(groupName: string, streamName: string, region: string, lines: number): Promise<LogTail>;
}

export class SdkLogTailGateway implements LogTailGateway {
  readonly #client = regionalClients(
    () => import('@aws-sdk/client-cloudwatch-logs'),
    (sdk, region) => new sdk.CloudWatchLogsClient({ region, ...sdkTimeouts(BUDGET.logs) }),
  );

  async tail(groupName: string, streamName: string, region: string, lines: number): Promise<LogTail> {
    try {
      const { sdk, client } = await this.#client(region);
      const got = await client.send(
        new sdk.GetLogEventsCommand({ logGroupName: groupName, logStreamName: streamName, startFromHead: false, limit: lines }),
      );
      const text = (got.events ?? []).flatMap((e) => (e.message ?? '').replace(/\n$/, '').split('\n'));
      return { ok: true, lines: text.slice(-lines) };
    } catch (error) {
      // CodeBuild creates the stream only once the build container starts.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return { ok: true, lines: [] };
      return { ok: false, reason: describeAwsError(error) };
    }
  }
}

/** The end of a build's log; a build that has no log stream yet simply has no lines. */
export function tailOfBuild(
  gateway: LogTailGateway,
  build: { logs?: { groupName?: string; streamName?: string } },
  region: string,
  events: number = TAIL_EVENTS,
): Promise<LogTail> {
  const { groupName, streamName } = build.logs ?? {};
  return groupName && streamName ? gateway.tail(groupName, streamName, region, events) : Promise.resolve({ ok: true, lines: [] });
}
