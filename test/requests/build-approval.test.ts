import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestStore } from '../../src/aws/request-store.ts';
import { type BuildIdentity, claimApprovedRun } from '../../src/requests/build-approval.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { LocalDynamo } from '../support/local-dynamo.ts';
import { approvedRecord } from '../support/request-records.ts';

// The build's approval, read from and claimed on the real request store (dynalite through the
// SDK): what the record must say for a build to run, and that one claim is all there is.
const PLAN = 'v1;migrate;applied=0000_init:1700000000000;pending=0001_x';
const SHA = 'ab'.repeat(32);

describe('a build claims its approved request once', () => {
  const dynamo = new LocalDynamo();
  let store: DynamoRequestStore;
  let n = 0;

  beforeAll(async () => {
    await dynamo.start();
    store = new DynamoRequestStore(await dynamo.table(), { endpoint: dynamo.url });
  });
  afterAll(() => dynamo.stop());

  /** A fresh request in the store, and the build that would run it. */
  async function request(changes: Partial<RequestRecord> = {}): Promise<{ record: RequestRecord; build: BuildIdentity }> {
    const record = approvedRecord({ id: `req-${++n}`, plan: PLAN, planSha256: SHA, ...changes });
    await store.create(record, '[]');
    const build: BuildIdentity = {
      requestId: record.id,
      buildId: `daadaar-migrations:0000-${n}`,
      projectEnv: 'prod',
      env: 'prod',
      run: { kind: 'migrate' },
      plan: PLAN,
      planSha256: SHA,
    };
    return { record, build };
  }

  it('claims a starting request with its approvals, plan, environment and kind, and the record shows it', async () => {
    const { record, build } = await request();
    const claimed = await claimApprovedRun(store, build, 1_000);
    expect(claimed).toMatchObject({ ok: true, record: { buildRun: { buildId: build.buildId, at: 1_000 } } });
    const stored = await store.get(record.id);
    expect(stored?.buildRun).toEqual({ buildId: build.buildId, at: 1_000 });
    expect(stored?.version).toBe(record.version + 1);
    expect(stored?.state).toBe('starting');
  });

  it('claims a started request when this is the build it started', async () => {
    const { build } = await request({ state: 'started' });
    const started = await request({
      state: 'started',
      build: { id: 'daadaar-migrations:other', region: 'us-east-1', status: 'IN_PROGRESS', startedAt: 1 },
    });
    expect((await claimApprovedRun(store, build, 1)).ok).toBe(true);
    const other = await claimApprovedRun(store, started.build, 1);
    expect(other).toEqual({
      ok: false,
      reason: `Not approved: request ${started.record.id} started build daadaar-migrations:other, not this build ${started.build.buildId}. Nothing was run.`,
    });
  });

  it('refuses a second build of the same request, and the same build retried', async () => {
    const { record, build } = await request();
    expect((await claimApprovedRun(store, build, 1)).ok).toBe(true);
    const second = await claimApprovedRun(store, { ...build, buildId: 'daadaar-migrations:second' }, 2);
    expect(second).toEqual({
      ok: false,
      reason: `Not approved: request ${record.id} already ran in build ${build.buildId} (a request runs once; request it again). Nothing was run.`,
    });
    expect((await claimApprovedRun(store, build, 3)).ok).toBe(false);
    expect((await store.get(record.id))?.buildRun).toEqual({ buildId: build.buildId, at: 1 });
  });

  it('lets exactly one of two builds racing for the same request through', async () => {
    const { record, build } = await request();
    const builds = Array.from({ length: 6 }, (_, i) => ({ ...build, buildId: `daadaar-migrations:racer-${i}` }));
    const results = await Promise.all(builds.map((b) => claimApprovedRun(store, b, 5)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = builds[results.findIndex((r) => r.ok)];
    expect((await store.get(record.id))?.buildRun?.buildId).toBe(winner?.buildId);
  });

  it.each<[string, Partial<RequestRecord>, Partial<BuildIdentity>, string]>([
    ['an open request', { state: 'open' }, {}, 'is open, not approved for a build'],
    ['a cancelled request', { state: 'cancelled' }, {}, 'is cancelled, not approved for a build'],
    ['a finished request', { state: 'succeeded' }, {}, 'is succeeded, not approved for a build'],
    ['missing approvals', { approvalsRequired: 2 }, {}, 'has 1 of 2 approvals'],
    ["the requester's own approval", { approvals: [{ user: 'U0REQUESTER', at: 1 }] }, {}, 'has 0 of 1 approvals'],
    ['another plan sha256', {}, { planSha256: 'cd'.repeat(32) }, `this build's plan ${'cd'.repeat(32)} is not the plan ${SHA}`],
    ['another plan text', { plan: `${PLAN};x` }, {}, 'is not the plan'],
    ["another environment's request", { env: 'staging' }, {}, 'is for staging; this project belongs to prod'],
    ['a build claiming another environment', {}, { env: 'staging' }, 'this project belongs to prod (the build says staging)'],
    [
      'a seed CLEAN build of a migration',
      {},
      { run: { kind: 'seed', clean: true } },
      'approved migrate; this build would run seed (CLEAN=true)',
    ],
    [
      'a build that skips the snapshot the request was approved with',
      { snapshot: { kind: 'instance', id: 'daadaar-prod' } },
      {},
      'was approved with snapshot instance:daadaar-prod; this build says none',
    ],
    [
      'a build that snapshots another database',
      { snapshot: { kind: 'instance', id: 'daadaar-prod' } },
      { snapshot: { kind: 'cluster', id: 'daadaar-prod' } },
      'this build says cluster:daadaar-prod',
    ],
    [
      'CLEAN=true of a seed approved without it',
      { kind: 'seed', clean: false },
      { run: { kind: 'seed', clean: true } },
      'approved seed (CLEAN=false)',
    ],
  ])('refuses %s, and claims nothing', async (_, changes, buildChanges, reason) => {
    const { record, build } = await request(changes);
    const result = await claimApprovedRun(store, { ...build, ...buildChanges }, 1);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
    const stored = await store.get(record.id);
    expect(stored?.buildRun).toBeUndefined();
    expect(stored?.version).toBe(record.version);
  });

  it('claims a request approved with a snapshot when the build took that snapshot, the decision kept in the store', async () => {
    const snapshot = { kind: 'cluster', id: 'daadaar-aurora' } as const;
    const { record, build } = await request({ snapshot });
    expect(await claimApprovedRun(store, { ...build, snapshot }, 1)).toMatchObject({ ok: true });
    expect((await store.get(record.id))?.snapshot).toEqual(snapshot);
  });

  it("runs a break-glass request on its requester's confirmation alone, and refuses one never confirmed", async () => {
    const glass = { securityChannel: 'C0SECURITY1', acknowledgeWithinHours: 24 };
    const confirmed = await request({ approvalsRequired: 0, approvals: [], breakGlass: { ...glass, confirmedAt: 1 } });
    expect((await claimApprovedRun(store, confirmed.build, 1)).ok).toBe(true);
    const unconfirmed = await request({ approvalsRequired: 0, approvals: [], breakGlass: glass });
    expect(await claimApprovedRun(store, unconfirmed.build, 1)).toEqual({
      ok: false,
      reason: `Not approved: break-glass request ${unconfirmed.record.id} was not confirmed by its requester. Nothing was run.`,
    });
    const untyped = await request({ approvalsRequired: 0, approvals: [], confirmed: false, breakGlass: { ...glass, confirmedAt: 1 } });
    expect((await claimApprovedRun(store, untyped.build, 1)).ok).toBe(false);
    const seed = await request({
      kind: 'seed',
      clean: false,
      approvalsRequired: 0,
      approvals: [],
      breakGlass: { ...glass, confirmedAt: 1 },
    });
    const seedRun = await claimApprovedRun(store, { ...seed.build, run: { kind: 'seed', clean: false } }, 1);
    expect(seedRun).toMatchObject({ ok: false, reason: expect.stringContaining('break-glass runs migrations only') });
    // Without break-glass the same record has no approvals at all.
    const plain = await request({ approvalsRequired: 0, approvals: [] });
    expect(await claimApprovedRun(store, plain.build, 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('has 0 of 0 approvals'),
    });
  });

  it('refuses a request that is not in the table', async () => {
    const { build } = await request();
    expect(await claimApprovedRun(store, { ...build, requestId: 'req-nobody' }, 1)).toEqual({
      ok: false,
      reason: 'Not approved: request req-nobody is not in the request table. Nothing was run.',
    });
  });

  it('keeps the claim through the bot’s later writes, and a write from before the claim loses on the version', async () => {
    const { record, build } = await request();
    const before = await store.get(record.id);
    if (!before) throw new Error('no record');
    expect((await claimApprovedRun(store, build, 7)).ok).toBe(true);
    // The reporter moving the request on from what it read before the claim: refused, read again.
    expect(await store.replace({ ...before, state: 'started', version: before.version + 1 }, before.version)).toBe('conflict');
    const fresh = await store.get(record.id);
    if (!fresh) throw new Error('no record');
    expect(await store.replace({ ...fresh, state: 'succeeded', version: fresh.version + 1 }, fresh.version)).toBe('written');
    expect((await store.get(record.id))?.buildRun).toEqual({ buildId: build.buildId, at: 7 });
  });

  it('reads a record stored before the rename, whose plan sha256 is under `setHash`, and claims it', async () => {
    const { record, build } = await request();
    // The shape records had until the field was renamed: kept RETENTION_DAYS, so still read.
    const { planSha256, ...rest } = record;
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.url }));
    await doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: `REQUEST#${record.id}`, sk: 'REQUEST' },
        UpdateExpression: 'SET #r = :old',
        ExpressionAttributeNames: { '#r': 'record' },
        ExpressionAttributeValues: { ':old': JSON.stringify({ ...rest, setHash: planSha256 }) },
      }),
    );
    const stored = await store.get(record.id);
    expect(stored?.planSha256).toBe(SHA);
    expect(stored).not.toHaveProperty('setHash');
    expect(await claimApprovedRun(store, build, 2_000)).toMatchObject({ ok: true });
    // A build with another plan is still refused against the old record.
    const other = await request();
    await doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: `REQUEST#${other.record.id}`, sk: 'REQUEST' },
        UpdateExpression: 'SET #r = :old',
        ExpressionAttributeNames: { '#r': 'record' },
        ExpressionAttributeValues: { ':old': JSON.stringify({ ...other.record, planSha256: undefined, setHash: 'ee'.repeat(32) }) },
      }),
    );
    const refused = await claimApprovedRun(store, other.build, 2_000);
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? '' : refused.reason).toContain(`is not the plan ${'ee'.repeat(32)}`);
  });
});
