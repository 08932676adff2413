import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sdkExports } from './lazy-sdk.ts';

// The end of a build's CloudWatch log: GetLogEvents on the build's own group and stream,
// newest page first (startFromHead false), so a long log costs one call.

export type LogTail = { ok: true; lines: string[] } | { ok: false; reason: string };

export interface LogTailGateway {
  tail(groupName: string, streamName: string, region: string, lines: number): Promise<LogTail>;
}

type LogsSdk = typeof import('@aws-sdk/client-cloudwatch-logs');
let sdk: Promise<LogsSdk> | undefined;

export class SdkLogTailGateway implements LogTailGateway {
  readonly #clients = new Map<string, CloudWatchLogsClient>();

  async tail(groupName: string, streamName: string, region: string, lines: number): Promise<LogTail> {
    try {
      sdk ??= import('@aws-sdk/client-cloudwatch-logs').then(sdkExports);
      const loaded = await sdk;
      let client = this.#clients.get(region);
      if (!client) {
        client = new loaded.CloudWatchLogsClient({ region, maxAttempts: 2 });
        this.#clients.set(region, client);
      }
      const got = await client.send(
        new loaded.GetLogEventsCommand({ logGroupName: groupName, logStreamName: streamName, startFromHead: false, limit: lines }),
      );
      const text = (got.events ?? []).flatMap((e) => (e.message ?? '').replace(/\n$/, '').split('\n'));
      return { ok: true, lines: text.slice(-lines) };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      // CodeBuild creates the stream only once the build container starts.
      if (e.name === 'ResourceNotFoundException') return { ok: true, lines: [] };
      return { ok: false, reason: `${e.name ?? 'Error'}: ${e.message ?? String(error)}` };
    }
  }
}

/** The end of a build's log; a build that has no log stream yet simply has no lines. */
export function tailOfBuild(
  gateway: LogTailGateway,
  build: { logs?: { groupName?: string; streamName?: string } },
  region: string,
  lines: number,
): Promise<LogTail> {
  const { groupName, streamName } = build.logs ?? {};
  return groupName && streamName ? gateway.tail(groupName, streamName, region, lines) : Promise.resolve({ ok: true, lines: [] });
}
