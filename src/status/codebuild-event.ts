// EventBridge events from CodeBuild, as AWS documents them ("Build notifications input format
// reference"): detail-type "CodeBuild Build State Change" or "CodeBuild Build Phase Change",
// source aws.codebuild, detail with build-id (an ARN), project-name and, for state changes,
// build-status. Only the identity is taken from the event: delivery is at least once and out
// of order, so the build's current state is always read back from CodeBuild itself.

export const DETAIL_TYPES = ['CodeBuild Build State Change', 'CodeBuild Build Phase Change'] as const;

export interface BuildEventRef {
  kind: 'state' | 'phase';
  /** The id BatchGetBuilds takes: project:uuid (the event carries the build ARN). */
  buildId: string;
  project: string;
  region: string;
  eventTime?: string;
}

export type ParsedBuildEvent = { ok: true; event: BuildEventRef } | { ok: false; reason: string };

export function parseBuildEvent(input: unknown): ParsedBuildEvent {
  if (!input || typeof input !== 'object') return { ok: false, reason: 'not an EventBridge event' };
  const event = input as Record<string, unknown>;
  if (event.source !== 'aws.codebuild') return { ok: false, reason: `unexpected source ${String(event.source)}` };
  const detailType = event['detail-type'];
  if (detailType !== DETAIL_TYPES[0] && detailType !== DETAIL_TYPES[1])
    return { ok: false, reason: `unexpected detail-type ${String(detailType)}` };
  const detail = event.detail as Record<string, unknown> | undefined;
  const arn = detail?.['build-id'];
  const project = detail?.['project-name'];
  if (typeof arn !== 'string' || typeof project !== 'string') return { ok: false, reason: 'detail lacks build-id or project-name' };
  const region = typeof event.region === 'string' ? event.region : (arn.split(':')[3] ?? '');
  return {
    ok: true,
    event: {
      kind: detailType === DETAIL_TYPES[0] ? 'state' : 'phase',
      buildId: buildIdFromArn(arn),
      project,
      region,
      eventTime: typeof event.time === 'string' ? event.time : undefined,
    },
  };
}

/** arn:aws:codebuild:us-east-1:123456789012:build/daadaar-migrations:uuid → daadaar-migrations:uuid */
export function buildIdFromArn(arn: string): string {
  const marker = ':build/';
  const at = arn.indexOf(marker);
  return at === -1 ? arn : arn.slice(at + marker.length);
}
