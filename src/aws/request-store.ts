import { randomUUID } from 'node:crypto';
import { BUDGET, sdkTimeouts } from '../deadline.ts';
import { dueSince } from '../requests/reconcile.ts';
import type { BuildRunClaim, EnvironmentLock, RequestRecord } from '../requests/record.ts';
import type { RequestStore } from '../requests/store.ts';
import { lazySdk } from './lazy-sdk.ts';

// The request store: one DynamoDB table (DEPLOYBOT_TABLE), written only with conditional
// writes. The endpoint comes from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB,
// else AWS_ENDPOINT_URL), which is how `npm run dev` and the tests point it at dynalite.
//
// Items (key pk + sk; index byEnv on gsi1pk + gsi1sk; sparse index due on duePk + dueSk, set
// only while a request is unsettled, sorted by when the reconciler should look at it next
// (src/requests/reconcile.ts): a run reads what is due, never the whole table; TTL `ttl`):
//   REQUEST#<id> / REQUEST   the request record
//   REQUEST#<id> / BODY      the review message's blocks as posted (rendered once, kept)
//   LOCK#<env>   / LOCK      the one open request of an environment
//   JOB#<id>     / JOB       a deferred job that ran (src/bot/jobs/job-envelope.ts), until its TTL

/** Kept after the request ends: the audit trail outlives the request by this long. */
export const RETENTION_DAYS = 400;

export const TABLE_SCHEMA = {
  keys: { partition: 'pk', sort: 'sk' },
  index: { name: 'byEnv', partition: 'gsi1pk', sort: 'gsi1sk' },
  dueIndex: { name: 'due', partition: 'duePk', sort: 'dueSk' },
  ttlAttribute: 'ttl',
} as const;

/**
 * The table's keys and index, as CreateTable (the dev server, tests) and CloudFormation (the
 * bot's stack, scripts/infrastructure/bot-stack.ts) both take them: one definition for both.
 */
export const REQUEST_TABLE_KEYS = {
  AttributeDefinitions: [
    TABLE_SCHEMA.keys.partition,
    TABLE_SCHEMA.keys.sort,
    TABLE_SCHEMA.index.partition,
    TABLE_SCHEMA.index.sort,
    TABLE_SCHEMA.dueIndex.partition,
    TABLE_SCHEMA.dueIndex.sort,
  ].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
  KeySchema: [
    { AttributeName: TABLE_SCHEMA.keys.partition, KeyType: 'HASH' as const },
    { AttributeName: TABLE_SCHEMA.keys.sort, KeyType: 'RANGE' as const },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: TABLE_SCHEMA.index.name,
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.index.partition, KeyType: 'HASH' as const },
        { AttributeName: TABLE_SCHEMA.index.sort, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
    {
      IndexName: TABLE_SCHEMA.dueIndex.name,
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.dueIndex.partition, KeyType: 'HASH' as const },
        { AttributeName: TABLE_SCHEMA.dueIndex.sort, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
  ],
};

/** One partition: unsettled requests are few (open, running, or ending) at any time. */
const DUE_PARTITION = 'DUE';

const loadDynamo = lazySdk(() => import('@aws-sdk/client-dynamodb'));
const loadDocument = lazySdk(() => import('@aws-sdk/lib-dynamodb'));

type Doc = Awaited<ReturnType<typeof loadDocument>>;
type DocClient = ReturnType<Doc['DynamoDBDocumentClient']['from']>;

const requestKey = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' });
const bodyKey = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'BODY' });
const lockKey = (env: string) => ({ pk: `LOCK#${env}`, sk: 'LOCK' });
const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });

export class DynamoRequestStore implements RequestStore {
  #client?: Promise<{ doc: Doc; client: DocClient }>;

  /** `endpoint` only where one process talks to several stores (tests); else the SDK's variables decide. */
  constructor(
    readonly tableName: string,
    private readonly options: { region?: string; endpoint?: string } = {},
  ) {}

  #connect(): Promise<{ doc: Doc; client: DocClient }> {
    this.#client ??= Promise.all([loadDynamo(), loadDocument()]).then(([dynamo, doc]) => {
      const base = new dynamo.DynamoDBClient({
        region: this.options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        endpoint: this.options.endpoint,
        ...sdkTimeouts(BUDGET.dynamo),
      });
      return { doc, client: doc.DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }) };
    });
    return this.#client;
  }

  async create(record: RequestRecord, body: string): Promise<void> {
    const { doc, client } = await this.#connect();
    const writeId = randomUUID();
    const first = { ...record, writeIds: [writeId] };
    let created: boolean;
    try {
      created = await conditionally(
        client.send(
          new doc.PutCommand({ TableName: this.tableName, Item: toItem(first), ConditionExpression: 'attribute_not_exists(pk)' }),
        ),
      );
    } catch (error) {
      // The answer was lost (throttled retries, a dropped connection): the record may be there.
      if ((await this.get(record.id).catch(() => undefined))?.writeIds?.[0] !== writeId) throw error;
      created = true;
    }
    // The SDK retried a put whose answer was lost: the item it finds is its own.
    if (!created && (await this.get(record.id))?.writeIds?.[0] !== writeId) throw new Error(`request ${record.id} already exists`);
    await client.send(new doc.PutCommand({ TableName: this.tableName, Item: { ...bodyKey(record.id), blocks: body, ttl: ttlOf(record) } }));
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    const { doc, client } = await this.#connect();
    const got = await client.send(new doc.GetCommand({ TableName: this.tableName, Key: requestKey(id), ConsistentRead: true }));
    return got.Item ? fromItem(got.Item) : undefined;
  }

  async body(id: string): Promise<string | undefined> {
    const { doc, client } = await this.#connect();
    const got = await client.send(new doc.GetCommand({ TableName: this.tableName, Key: bodyKey(id), ConsistentRead: true }));
    return typeof got.Item?.blocks === 'string' ? got.Item.blocks : undefined;
  }

  async replace(next: RequestRecord, expectedVersion: number): Promise<'written' | 'conflict'> {
    const { doc, client } = await this.#connect();
    const written = await conditionally(
      client.send(
        new doc.PutCommand({
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
    return written ? 'written' : 'conflict';
  }

  async claimBuildRun(id: string, claim: BuildRunClaim, expectedVersion: number): Promise<'claimed' | 'conflict'> {
    const { doc, client } = await this.#connect();
    const claimed = await conditionally(
      client.send(
        new doc.UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(id),
          UpdateExpression: 'SET #buildRun = :claim, #version = :next',
          ConditionExpression: '#version = :expected AND attribute_not_exists(#buildRun)',
          ExpressionAttributeNames: { '#buildRun': BUILD_RUN_ATTRIBUTE, '#version': 'version' },
          ExpressionAttributeValues: {
            ':claim': { buildId: claim.buildId, at: claim.at },
            ':expected': expectedVersion,
            ':next': expectedVersion + 1,
          },
        }),
      ),
    );
    return claimed ? 'claimed' : 'conflict';
  }

  async recent(env: string, limit: number): Promise<RequestRecord[]> {
    const { doc, client } = await this.#connect();
    const got = await client.send(
      new doc.QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE_SCHEMA.index.name,
        KeyConditionExpression: 'gsi1pk = :env',
        ExpressionAttributeValues: { ':env': `ENV#${env}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (got.Items ?? []).map(fromItem);
  }

  async due(at: number, limit: number): Promise<RequestRecord[]> {
    const { doc, client } = await this.#connect();
    const got = await client.send(
      new doc.QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE_SCHEMA.dueIndex.name,
        KeyConditionExpression: 'duePk = :due AND dueSk <= :at',
        ExpressionAttributeValues: { ':due': DUE_PARTITION, ':at': `${dueSortKey(at)}#~` },
        Limit: limit,
      }),
    );
    return (got.Items ?? []).map(fromItem);
  }

  async acquireLock(lock: EnvironmentLock, now: number): Promise<{ ok: true } | { ok: false; holder: EnvironmentLock }> {
    const { doc, client } = await this.#connect();
    const taken = await conditionally(
      client.send(
        new doc.PutCommand({
          TableName: this.tableName,
          Item: { ...lockKey(lock.env), ...lock, ttl: lockTtl(lock.expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR requestId = :id',
          ExpressionAttributeValues: { ':now': now, ':id': lock.requestId },
        }),
      ),
    );
    if (taken) return { ok: true };
    const holder = await this.readLock(lock.env);
    // Freed between the write and the read: the caller may simply try again.
    return holder ? { ok: false, holder } : this.acquireLock(lock, now);
  }

  async readLock(env: string): Promise<EnvironmentLock | undefined> {
    const { doc, client } = await this.#connect();
    const got = await client.send(new doc.GetCommand({ TableName: this.tableName, Key: lockKey(env), ConsistentRead: true }));
    if (!got.Item) return undefined;
    const { env: e, requestId, holder, kind, expiresAt, takenAt } = got.Item as EnvironmentLock;
    return { env: e, requestId, holder, kind, expiresAt, ...(takenAt === undefined ? {} : { takenAt }) };
  }

  async extendLock(env: string, requestId: string, expiresAt: number): Promise<void> {
    const { doc, client } = await this.#connect();
    await conditionally(
      client.send(
        new doc.UpdateCommand({
          TableName: this.tableName,
          Key: lockKey(env),
          UpdateExpression: 'SET expiresAt = :at, #ttl = :ttl',
          ConditionExpression: 'requestId = :id',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':at': expiresAt, ':ttl': lockTtl(expiresAt), ':id': requestId },
        }),
      ),
    );
  }

  async releaseLock(env: string, requestId: string): Promise<void> {
    const { doc, client } = await this.#connect();
    await conditionally(
      client.send(
        new doc.DeleteCommand({
          TableName: this.tableName,
          Key: lockKey(env),
          ConditionExpression: 'requestId = :id',
          ExpressionAttributeValues: { ':id': requestId },
        }),
      ),
    );
  }

  async claimJobId(id: string, keepUntil: number): Promise<boolean> {
    const { doc, client } = await this.#connect();
    // DynamoDB deletes expired items lazily (within days); one still there only refuses a job
    // the age check refuses anyway.
    return conditionally(
      client.send(
        new doc.PutCommand({
          TableName: this.tableName,
          Item: { ...jobKey(id), ttl: Math.ceil(keepUntil / 1000) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}

/** A conditional write: true if it was made, false if its condition did not hold; other errors throw. */
async function conditionally(sending: Promise<unknown>): Promise<boolean> {
  try {
    await sending;
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** A lock item outlives its expiry by a day before DynamoDB's TTL removes it (expired locks are taken over anyway). */
function lockTtl(expiresAt: number): number {
  return Math.ceil(expiresAt / 1000) + 86_400;
}

function ttlOf(record: RequestRecord): number {
  return Math.ceil(record.createdAt / 1000) + RETENTION_DAYS * 86_400;
}

function toItem(record: RequestRecord): Record<string, unknown> {
  return {
    ...requestKey(record.id),
    gsi1pk: `ENV#${record.env}`,
    gsi1sk: `${new Date(record.createdAt).toISOString()}#${record.id}`,
    ttl: ttlOf(record),
    record: JSON.stringify(record),
    version: record.version,
    state: record.state,
    [BUILD_RUN_ATTRIBUTE]: record.buildRun,
    ...due(record),
  };
}

/**
 * The build's claim lives beside the record, not inside its JSON: the build writes it with an
 * UpdateItem of that attribute and the version alone (claimBuildRun). Reading merges it back;
 * every later whole-record write carries it on, and one based on a version read before the
 * claim loses on the version.
 */
const BUILD_RUN_ATTRIBUTE = 'buildRun';

/** The sparse index's attributes: present while the request is unsettled, absent after. */
function due(record: RequestRecord): Record<string, string> {
  const since = dueSince(record);
  return since === undefined ? {} : { duePk: DUE_PARTITION, dueSk: `${dueSortKey(since)}#${record.id}` };
}

/** Milliseconds, zero-padded so that the string order is the time order. */
function dueSortKey(at: number): string {
  return String(Math.max(0, Math.floor(at))).padStart(16, '0');
}

// The record travels as one JSON attribute: its shape is ours to evolve, and DynamoDB only
// needs the version (the write condition) and the keys beside it.
function fromItem(item: Record<string, unknown>): RequestRecord {
  const { setHash, ...stored } = JSON.parse(String(item.record)) as RequestRecord & { setHash?: string };
  // Records written before the rename kept the plan sha256 as `setHash`; they live RETENTION_DAYS.
  const record: RequestRecord = { ...stored, planSha256: stored.planSha256 ?? (setHash as string) };
  const claim = item[BUILD_RUN_ATTRIBUTE] as BuildRunClaim | undefined;
  if (!claim) return record;
  return { ...record, buildRun: { buildId: String(claim.buildId), at: Number(claim.at) }, version: Number(item.version) };
}

/** Creates the table if it is missing: `npm run dev` and tests only; the Lambdas never do. */
export async function ensureRequestTable(tableName: string, endpoint?: string): Promise<void> {
  const dynamo = await loadDynamo();
  const client = new dynamo.DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1', endpoint, ...sdkTimeouts(10_000) });
  try {
    await client.send(new dynamo.DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(
    new dynamo.CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...REQUEST_TABLE_KEYS,
    }),
  );
  for (let i = 0; i < 50; i++) {
    const described = await client.send(new dynamo.DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
