import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { BUILD_VARS, decodeSnapshotTarget, type SnapshotTarget } from '../src/build-env.ts';
import type { RunProgress } from '../src/run-progress.ts';

// The snapshot the bot decided on (DEPLOYBOT_SNAPSHOT, src/build-env.ts), taken before the
// migrator touches anything, so a destructive run has a way back. The run waits for the
// snapshot to be `available`: RDS copies the storage in the background after CreateDBSnapshot
// answers, and a snapshot still `creating` when the run fails is no restore point yet (RDS user
// guide, "Creating a DB snapshot": the status is creating until the snapshot completes).
// Every outcome the run must stop on is a value: the caller exits 2 before the migrator starts.

export interface SnapshotSettings {
  target: SnapshotTarget;
  env: string;
  requestId: string;
  region: string;
  client: RDSClient;
  /** How long the snapshot may take to become available (DEPLOYBOT_SNAPSHOT_TIMEOUT_MINUTES, 30 by default). */
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  progress: (text: string, event: RunProgress) => void;
}

export type SnapshotOutcome =
  | { ok: true; snapshotId: string; restoreCommand: string; elapsedMs: number }
  | { ok: false; snapshotId: string; reason: string };

export const DEFAULT_SNAPSHOT_TIMEOUT_MINUTES = 30;

/** `30` by default; anything but a positive whole number of minutes is refused. */
export function snapshotTimeoutMs(
  vars: Readonly<Record<string, string | undefined>>,
): { ok: true; ms: number } | { ok: false; reason: string } {
  const raw = vars.DEPLOYBOT_SNAPSHOT_TIMEOUT_MINUTES;
  if (raw === undefined || raw === '') return { ok: true, ms: DEFAULT_SNAPSHOT_TIMEOUT_MINUTES * 60_000 };
  if (!/^[1-9][0-9]{0,3}$/.test(raw))
    return { ok: false, reason: `DEPLOYBOT_SNAPSHOT_TIMEOUT_MINUTES=${JSON.stringify(raw.slice(0, 20))} is not a whole number of minutes` };
  return { ok: true, ms: Number(raw) * 60_000 };
}

/**
 * `deploybot-<env>-<request id short>-<yyyymmddhhmm>`. Snapshot identifiers are letters, digits
 * and hyphens, start with a letter, never hold two hyphens in a row nor end in one (RDS API
 * reference, CreateDBSnapshot, DBSnapshotIdentifier); the IAM policy grants only `deploybot-<env>-*`.
 */
export function snapshotIdentifier(env: string, requestId: string, at: Date): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const short = clean(requestId).replace(/-/g, '').slice(0, 8) || 'request';
  const stamp = at
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 12);
  return `deploybot-${clean(env)}-${short}-${stamp}`;
}

/** The AWS CLI line that brings the snapshot back as a new database next to the old one. */
export function restoreCommand(target: SnapshotTarget, snapshotId: string, region: string): string {
  return target.kind === 'instance'
    ? `aws rds restore-db-instance-from-db-snapshot --region ${region} --db-snapshot-identifier ${snapshotId} --db-instance-identifier ${target.id}-restored`
    : // An Aurora cluster restore needs the engine, and gets no instance: add one with create-db-instance --db-cluster-identifier (RDS CLI reference, restore-db-cluster-from-snapshot).
      `aws rds restore-db-cluster-from-snapshot --region ${region} --snapshot-identifier ${snapshotId} --db-cluster-identifier ${target.id}-restored --engine aurora-postgresql`;
}

export async function takeSnapshot(s: SnapshotSettings): Promise<SnapshotOutcome> {
  const now = s.now ?? Date.now;
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const snapshotId = snapshotIdentifier(s.env, s.requestId, new Date(started));
  const what = `${s.target.kind === 'instance' ? 'DB instance' : 'Aurora cluster'} ${s.target.id}`;
  const failed = (reason: string): SnapshotOutcome => {
    s.progress(`Snapshot ${snapshotId} of ${what} failed: ${reason}. Nothing was migrated.`, {
      kind: 'snapshot',
      state: 'failed',
      snapshotId,
      elapsedMs: now() - started,
      reason,
    });
    return { ok: false, snapshotId, reason };
  };
  const tags = [
    { Key: 'deploybot:request', Value: s.requestId },
    { Key: 'deploybot:env', Value: s.env },
  ];
  let status: string | undefined;
  try {
    status =
      s.target.kind === 'instance'
        ? (
            await s.client.send(
              new CreateDBSnapshotCommand({ DBInstanceIdentifier: s.target.id, DBSnapshotIdentifier: snapshotId, Tags: tags }),
            )
          ).DBSnapshot?.Status
        : (
            await s.client.send(
              new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: s.target.id, DBClusterSnapshotIdentifier: snapshotId, Tags: tags }),
            )
          ).DBClusterSnapshot?.Status;
  } catch (error) {
    return failed(`CreateDB${s.target.kind === 'instance' ? '' : 'Cluster'}Snapshot: ${awsError(error)}`);
  }
  s.progress(`Snapshot ${snapshotId} of ${what}: creating.`, {
    kind: 'snapshot',
    state: 'creating',
    snapshotId,
    elapsedMs: now() - started,
  });
  while (status !== 'available') {
    if (status === 'failed') return failed('RDS reports the snapshot as failed');
    if (now() - started >= s.timeoutMs) return failed(`still ${status ?? 'unknown'} after ${Math.round(s.timeoutMs / 60_000)} minute(s)`);
    await sleep(s.pollMs);
    try {
      status = await describeStatus(s.client, s.target, snapshotId);
    } catch (error) {
      return failed(`Describe: ${awsError(error)}`);
    }
  }
  const restore = restoreCommand(s.target, snapshotId, s.region);
  const elapsedMs = now() - started;
  s.progress(`Snapshot ${snapshotId} of ${what} is available (${Math.round(elapsedMs / 1000)} s). To restore: ${restore}`, {
    kind: 'snapshot',
    state: 'available',
    snapshotId,
    elapsedMs,
    restoreCommand: restore,
  });
  return { ok: true, snapshotId, restoreCommand: restore, elapsedMs };
}

async function describeStatus(client: RDSClient, target: SnapshotTarget, snapshotId: string): Promise<string | undefined> {
  if (target.kind === 'instance') {
    const out = await client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
    return out.DBSnapshots?.[0]?.Status;
  }
  const out = await client.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId }));
  return out.DBClusterSnapshots?.[0]?.Status;
}

/** The error's code and message as RDS sent them (ids, never a secret); the stack stays out of the thread. */
function awsError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).slice(0, 300).replace(/\.+$/, '')}`;
}

/**
 * The build's step: the decision from DEPLOYBOT_SNAPSHOT, the region and credentials from the
 * container's environment (the buildspec passes AWS_REGION and the project role's
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). No decision (`none` or absent) is ok with no snapshot.
 */
export async function snapshotFromEnvironment(
  vars: Readonly<Record<string, string | undefined>>,
  progress: SnapshotSettings['progress'],
  options: { pollMs?: number; client?: RDSClient } = {},
): Promise<{ ok: true; snapshot?: SnapshotOutcome & { ok: true } } | { ok: false; reason: string }> {
  const decided = decodeSnapshotTarget(vars);
  if (!decided.ok) return decided;
  if (!decided.target) return { ok: true };
  const timeout = snapshotTimeoutMs(vars);
  if (!timeout.ok) return timeout;
  const env = vars[BUILD_VARS.env];
  const requestId = vars[BUILD_VARS.requestId];
  const region = vars.AWS_REGION ?? vars.AWS_DEFAULT_REGION;
  if (!env || !requestId || !region) return { ok: false, reason: 'a snapshot needs DEPLOYBOT_ENV, DEPLOYBOT_REQUEST_ID and AWS_REGION' };
  const outcome = await takeSnapshot({
    target: decided.target,
    env,
    requestId,
    region,
    client: options.client ?? new RDSClient({ region }),
    timeoutMs: timeout.ms,
    pollMs: options.pollMs ?? 15_000,
    progress,
  });
  return outcome.ok ? { ok: true, snapshot: outcome } : { ok: false, reason: `Snapshot ${outcome.snapshotId} failed: ${outcome.reason}` };
}
