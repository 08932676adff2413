import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RDSClient } from '@aws-sdk/client-rds';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreCommand, snapshotFromEnvironment, snapshotIdentifier, takeSnapshot } from '../../database/snapshot.ts';
import { BUILD_VARS, decodeSnapshotTarget, encodeBuildEnvironment } from '../../src/build-env.ts';
import type { RunProgress } from '../../src/run-progress.ts';
import { parseRunnerLine } from '../../src/runner-report.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeRds } from '../support/fake-rds.ts';

// The snapshot step against RDS's Query protocol on loopback, with the real @aws-sdk/client-rds:
// the request the SDK sends and the XML it parses are the service's, so a shape we got wrong fails here.

const AT = Date.parse('2026-12-04T05:07:30Z');

function client(rds: FakeRds): RDSClient {
  return new RDSClient({ region: 'us-east-1', endpoint: rds.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
}

function recorder() {
  const events: { text: string; event: RunProgress }[] = [];
  return { events, progress: (text: string, event: RunProgress) => events.push({ text, event }) };
}

describe('the snapshot before a migrate run', () => {
  let rds: FakeRds;
  beforeEach(async () => {
    rds = await new FakeRds().start();
    rds.instances.add('daadaar-prod');
    rds.clusters.add('daadaar-aurora');
  });
  afterEach(() => rds.stop());

  it('creates an instance snapshot, polls it from creating to available and prints the restore command', async () => {
    rds.describesUntilAvailable = 3;
    const { events, progress } = recorder();
    let now = AT;
    const outcome = await takeSnapshot({
      target: { kind: 'instance', id: 'daadaar-prod' },
      env: 'prod',
      requestId: 'Req_01JF8ZK3-abc',
      region: 'us-east-1',
      client: client(rds),
      timeoutMs: 60_000,
      pollMs: 5_000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      progress,
    });
    const id = 'deploybot-prod-req01jf8-202612040507';
    expect(outcome).toEqual({
      ok: true,
      snapshotId: id,
      elapsedMs: 15_000,
      restoreCommand: `aws rds restore-db-instance-from-db-snapshot --region us-east-1 --db-snapshot-identifier ${id} --db-instance-identifier daadaar-prod-restored`,
    });
    expect(rds.actions()).toEqual(['CreateDBSnapshot', 'DescribeDBSnapshots', 'DescribeDBSnapshots', 'DescribeDBSnapshots']);
    expect(rds.requests[0]).toMatchObject({ Version: '2014-10-31', DBInstanceIdentifier: 'daadaar-prod', DBSnapshotIdentifier: id });
    expect(rds.snapshots.get(id)?.tags).toEqual({ 'deploybot:request': 'Req_01JF8ZK3-abc', 'deploybot:env': 'prod' });
    expect(events.map((e) => e.event)).toEqual([
      { kind: 'snapshot', state: 'creating', snapshotId: id, elapsedMs: 0 },
      { kind: 'snapshot', state: 'available', snapshotId: id, elapsedMs: 15_000, restoreCommand: outcome.ok ? outcome.restoreCommand : '' },
    ]);
    expect(events[1]?.text).toContain('To restore: aws rds restore-db-instance-from-db-snapshot');
  });

  it('snapshots an Aurora cluster with the cluster API and names the cluster restore', async () => {
    const { events, progress } = recorder();
    const outcome = await takeSnapshot({
      target: { kind: 'cluster', id: 'daadaar-aurora' },
      env: 'staging',
      requestId: 'r2',
      region: 'eu-west-1',
      client: client(rds),
      timeoutMs: 60_000,
      pollMs: 1,
      progress,
    });
    expect(outcome.ok).toBe(true);
    expect(rds.actions()).toEqual(['CreateDBClusterSnapshot', 'DescribeDBClusterSnapshots', 'DescribeDBClusterSnapshots']);
    expect(events.at(-1)?.event).toMatchObject({
      state: 'available',
      restoreCommand: expect.stringMatching(
        /^aws rds restore-db-cluster-from-snapshot --region eu-west-1 --snapshot-identifier deploybot-staging-r2-\d{12} --db-cluster-identifier daadaar-aurora-restored --engine aurora-postgresql$/,
      ),
    });
  });

  it('stops on an API error with the code RDS sent', async () => {
    const { events, progress } = recorder();
    const outcome = await takeSnapshot({
      target: { kind: 'instance', id: 'no-such-db' },
      env: 'prod',
      requestId: 'r3',
      region: 'us-east-1',
      client: client(rds),
      timeoutMs: 60_000,
      pollMs: 1,
      progress,
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'CreateDBSnapshot: DBInstanceNotFoundFault: DBInstance no-such-db not found' });
    expect(events.map((e) => e.event.kind === 'snapshot' && e.event.state)).toEqual(['failed']);
    expect(rds.actions()).toEqual(['CreateDBSnapshot']);
  });

  it('gives up when the snapshot is not available within the bound, and when RDS says failed', async () => {
    rds.describesUntilAvailable = 1_000;
    let now = AT;
    const common = {
      target: { kind: 'instance', id: 'daadaar-prod' } as const,
      region: 'us-east-1',
      client: client(rds),
      pollMs: 60_000,
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const slow = recorder();
    const timedOut = await takeSnapshot({ ...common, env: 'prod', requestId: 'r4', timeoutMs: 30 * 60_000, progress: slow.progress });
    expect(timedOut).toMatchObject({ ok: false, reason: 'still creating after 30 minute(s)' });
    expect(rds.actions().filter((a) => a === 'DescribeDBSnapshots')).toHaveLength(30);
    expect(slow.events.at(-1)?.event).toMatchObject({ state: 'failed', elapsedMs: 30 * 60_000 });

    rds.describesUntilAvailable = 1;
    rds.finalStatus = 'failed';
    const broken = await takeSnapshot({ ...common, env: 'prod', requestId: 'r5', timeoutMs: 30 * 60_000, progress: recorder().progress });
    expect(broken).toMatchObject({ ok: false, reason: 'RDS reports the snapshot as failed' });
  });

  it('takes no snapshot when the bot decided none, or when the variable is absent (an older bot, a build by hand)', async () => {
    for (const vars of [{ [BUILD_VARS.snapshot]: 'none' }, {}]) {
      const { events, progress } = recorder();
      expect(await snapshotFromEnvironment({ ...vars, AWS_REGION: 'us-east-1' }, progress, { client: client(rds) })).toEqual({ ok: true });
      expect(events).toEqual([]);
    }
    expect(rds.requests).toEqual([]);
  });

  it('refuses a DEPLOYBOT_SNAPSHOT it cannot read, and a bad timeout, before calling RDS', async () => {
    expect(decodeSnapshotTarget({ DEPLOYBOT_SNAPSHOT: 'instance:' })).toMatchObject({ ok: false });
    expect(decodeSnapshotTarget({ DEPLOYBOT_SNAPSHOT: 'db:prod' })).toMatchObject({ ok: false });
    expect(decodeSnapshotTarget({ DEPLOYBOT_SNAPSHOT: 'instance:prod;rm' })).toMatchObject({ ok: false });
    expect(decodeSnapshotTarget({ DEPLOYBOT_SNAPSHOT: 'cluster:daadaar-aurora' })).toEqual({
      ok: true,
      target: { kind: 'cluster', id: 'daadaar-aurora' },
    });
    const vars = { DEPLOYBOT_SNAPSHOT: 'instance:daadaar-prod', DEPLOYBOT_ENV: 'prod', DEPLOYBOT_REQUEST_ID: 'r', AWS_REGION: 'us-east-1' };
    expect(await snapshotFromEnvironment({ ...vars, DEPLOYBOT_SNAPSHOT_TIMEOUT_MINUTES: '0' }, () => {}, { client: client(rds) })).toEqual({
      ok: false,
      reason: 'DEPLOYBOT_SNAPSHOT_TIMEOUT_MINUTES="0" is not a whole number of minutes',
    });
    expect(rds.requests).toEqual([]);
  });

  it('the bot writes the decision on migrate builds only, and decodes what it wrote', () => {
    const base = {
      requestId: 'r',
      env: 'prod',
      channel: 'C1',
      threadTs: '1.2',
      requestedBy: 'U1',
      approvedBy: ['U2'],
      plan: 'p',
      planSha256: 'h',
    };
    const migrate = encodeBuildEnvironment({ ...base, run: { kind: 'migrate' }, snapshot: { kind: 'instance', id: 'daadaar-prod' } });
    expect(migrate[BUILD_VARS.snapshot]).toBe('instance:daadaar-prod');
    expect(decodeSnapshotTarget(migrate)).toEqual({ ok: true, target: { kind: 'instance', id: 'daadaar-prod' } });
    expect(encodeBuildEnvironment({ ...base, run: { kind: 'migrate' } })[BUILD_VARS.snapshot]).toBe('none');
    expect(encodeBuildEnvironment({ ...base, run: { kind: 'seed', clean: false } })[BUILD_VARS.snapshot]).toBeUndefined();
  });

  it('names snapshots within what RDS and the IAM grant accept', () => {
    const id = snapshotIdentifier('prod--eu', '--Ab_c--', new Date(AT));
    expect(id).toBe('deploybot-prod-eu-abc-202612040507');
    expect(id).not.toMatch(/--|-$/);
    expect(restoreCommand({ kind: 'instance', id: 'x' }, id, 'us-east-1')).not.toMatch(/[;&|`$]/);
  });
});

describe('run-build.ts with a snapshot decided', () => {
  let rds: FakeRds;
  let db: TestDatabase;
  beforeEach(async () => {
    rds = await new FakeRds().start();
    rds.instances.add('daadaar-prod');
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await rds.stop();
    await db.drop();
  });

  async function runBuild(extra: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      RUN_MIGRATIONS: 'true',
      DEPLOYBOT_ENV: 'prod',
      DEPLOYBOT_REQUEST_ID: 'req-1',
      AWS_REGION: 'us-east-1',
      // The SDK's service-specific endpoint variable: the real client, our loopback server.
      AWS_ENDPOINT_URL_RDS: rds.url,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      DEPLOYBOT_SNAPSHOT_POLL_MS: '5',
      ...extra,
    };
    try {
      const { stdout, stderr } = await promisify(execFile)(join(process.cwd(), 'node_modules/.bin/tsx'), ['database/run-build.ts'], {
        env,
        timeout: 60_000,
      });
      return { code: 0, out: stdout, err: stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, err: e.stderr };
    }
  }

  async function tables(): Promise<string[]> {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<
        { name: string }[]
      >`select table_schema || '.' || table_name as name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`;
      return rows.map((r) => r.name).sort();
    } finally {
      await sql.end();
    }
  }

  const texts = (out: string) =>
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => parseRunnerLine(line));

  it('stops with exit 2 before the migrator when CreateDBSnapshot fails, the database untouched', async () => {
    const before = await tables();
    rds.fail('CreateDBSnapshot', {
      status: 400,
      code: 'SnapshotQuotaExceeded',
      message: 'Request would result in user exceeding the allowed number of DB snapshots.',
    });
    const run = await runBuild({ DEPLOYBOT_SNAPSHOT: 'instance:daadaar-prod' });
    expect(run.code).toBe(2);
    const reports = [...texts(run.out), ...texts(run.err)].filter((r) => r !== undefined);
    // Nothing of the migrate entry ran, not even its approval check: the two reports are the snapshot's.
    expect(reports).toHaveLength(2);
    expect(reports[0]?.progress).toMatchObject({ kind: 'snapshot', state: 'failed' });
    expect(reports[1]?.text).toMatch(
      /^Snapshot deploybot-prod-req1-\d{12} failed: CreateDBSnapshot: SnapshotQuotaExceededFault: Request would result in user exceeding the allowed number of DB snapshots\. Refusing to migrate/,
    );
    expect(rds.actions()).toEqual(['CreateDBSnapshot']);
    expect(await tables()).toEqual(before);
  }, 60_000);

  it('takes the snapshot, reports it available, and only then hands over to the migrate entry', async () => {
    const run = await runBuild({ DEPLOYBOT_SNAPSHOT: 'instance:daadaar-prod' });
    const reports = texts(run.out);
    expect(reports.map((r) => r?.progress && r.progress.kind === 'snapshot' && r.progress.state).filter(Boolean)).toEqual([
      'creating',
      'available',
    ]);
    expect(rds.actions()[0]).toBe('CreateDBSnapshot');
    // The migrate entry ran after it (and refused here: this build has no approved plan).
    expect(run.code).toBe(3);
    expect(run.err).toContain('No approved plan in the environment');
  }, 60_000);
});
