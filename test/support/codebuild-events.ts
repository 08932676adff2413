import { gzipSync } from 'node:zlib';
import { composeBuildEvents } from '../../src/handlers/codebuild-events.ts';
import { createLog } from '../../src/log.ts';
import { APPROVER, BOT_TOKEN, type BotHarness, SECRET, writeConfigFile } from './bot-harness.ts';
import { advanceBuild, type FakeBuild } from './fake-aws.ts';
import type { StoredMessage } from './fake-slack-api.ts';

// EventBridge events as AWS documents them (CodeBuild "Build notifications input format
// reference"): one envelope, a state-change or a phase-change detail.

type BuildRef = Pick<FakeBuild, 'arn' | 'projectName'> & Partial<Pick<FakeBuild, 'environment' | 'logs'>>;

function envelope(detailType: string, build: BuildRef, time: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: `evt-${Math.random().toString(36).slice(2)}`,
    'detail-type': detailType,
    source: 'aws.codebuild',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [build.arn],
    detail: { 'project-name': build.projectName, 'build-id': build.arn, version: '1', ...detail },
  };
}

export function stateChange(build: BuildRef, status: string, time = '2026-11-24T09:10:00Z') {
  return envelope('CodeBuild Build State Change', build, time, {
    'build-status': status,
    'additional-information': {
      environment: { image: build.environment?.image, 'environment-variables': build.environment?.environmentVariables ?? [] },
      'build-complete': status !== 'IN_PROGRESS',
      initiator: 'deploybot',
      'build-start-time': 'Nov 24, 2026 9:00:00 AM',
      logs: build.logs && { 'group-name': build.logs.groupName, 'stream-name': build.logs.streamName, 'deep-link': build.logs.deepLink },
      phases: [],
    },
    'current-phase': status === 'IN_PROGRESS' ? 'SUBMITTED' : 'COMPLETED',
    'current-phase-context': '[]',
  });
}

export function phaseChange(build: BuildRef, completedPhase: string, time = '2026-11-24T09:05:00Z') {
  return envelope('CodeBuild Build Phase Change', build, time, {
    'completed-phase': completedPhase,
    'completed-phase-context': '[]',
    'additional-information': {},
    'completed-phase-status': 'SUCCEEDED',
    'completed-phase-duration-seconds': 12,
    'completed-phase-start': 'Nov 24, 2026 9:00:00 AM',
    'completed-phase-end': 'Nov 24, 2026 9:00:12 AM',
  });
}

/**
 * A CloudWatch Logs subscription delivery as AWS sends it to a Lambda function: base64 of gzip
 * of the batch (CloudWatch Logs User Guide, "Using CloudWatch Logs subscription filters").
 */
export function logSubscription(
  build: Pick<FakeBuild, 'logs'>,
  lines: readonly { at: number; line: string }[],
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' = 'DATA_MESSAGE',
): { awslogs: { data: string } } {
  return encodeLogBatch({
    messageType,
    owner: '123456789012',
    logGroup: build.logs.groupName,
    logStream: build.logs.streamName,
    subscriptionFilters: ['deploybot-progress'],
    logEvents: lines.map(({ at, line }, i) => ({ id: `${at}${String(i).padStart(6, '0')}`, timestamp: at, message: `${line}\n` })),
  });
}

export function encodeLogBatch(batch: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
}

/** The real EventBridge handler, configured as the Lambda would be, talking to the harness's fakes. */
export function buildEventHandler(bot: BotHarness): (event: unknown) => Promise<unknown> {
  // The store is found as the Lambda finds it: the table by name, the endpoint from the SDK's variable.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = bot.dynamo.url;
  return composeBuildEvents(
    {
      DEPLOYBOT_CONFIG: writeConfigFile(),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: bot.slack.url,
      DEPLOYBOT_TABLE: bot.table,
    },
    createLog({ service: 'test' }, 'error', () => {}),
    () => bot.clock,
  );
}

/** Requests and approves a migration, and returns the build CodeBuild started with the review message. */
export async function approvedBuild(bot: BotHarness): Promise<{ review: StoredMessage; build: FakeBuild }> {
  const review = await bot.request('migrate prod');
  await bot.click('deploybot_approve', APPROVER);
  const build = bot.aws.builds.at(-1);
  if (!build) throw new Error('no build started');
  return { review, build };
}

/** An approved build in its BUILD phase, where the migrator runs (its phase-change events not yet delivered). */
export async function approvedBuildRunning(bot: BotHarness): Promise<{ review: StoredMessage; build: FakeBuild }> {
  const approved = await approvedBuild(bot);
  advanceBuild(approved.build, [
    ['SUBMITTED', 1],
    ['PROVISIONING', 14],
    ['BUILD', 30],
  ]);
  return approved;
}
