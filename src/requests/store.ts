import type { BuildRunClaim, EnvironmentLock, RequestRecord } from './record.ts';

// Where request records, their review bodies, the environment locks and the ids of jobs already
// run are kept: the contract the bot, the status reporter and the reconciler write through,
// beside the record it stores (./record.ts). Every write is conditional (on the version read, an
// absent item or the lock's holder), so two handlers racing on one request cannot both win
// (./transition.ts). The DynamoDB implementation, its table and items: src/aws/request-store.ts.

export interface RequestStore {
  /** Fails if the id exists: ids are fresh uuids, so that is a bug, not a race. */
  create(record: RequestRecord, body: string): Promise<void>;
  get(id: string): Promise<RequestRecord | undefined>;
  body(id: string): Promise<string | undefined>;
  /** One conditional write: stores `next` only if the stored version is still `expectedVersion`. */
  replace(next: RequestRecord, expectedVersion: number): Promise<'written' | 'conflict'>;
  /**
   * The build's one claim on its request: sets `buildRun` and bumps the version, only if the
   * stored version is still `expectedVersion` and no claim is set. An UpdateItem of those two
   * attributes alone, so the build's role needs no right to write the record itself.
   */
  claimBuildRun(id: string, claim: BuildRunClaim, expectedVersion: number): Promise<'claimed' | 'conflict'>;
  /** Newest first. */
  recent(env: string, limit: number): Promise<RequestRecord[]>;
  /** Unsettled requests whose next look was due at or before `at`, the longest-waiting first. */
  due(at: number, limit: number): Promise<RequestRecord[]>;
  /** Takes the environment's lock unless someone else holds an unexpired one. */
  acquireLock(lock: EnvironmentLock, now: number): Promise<{ ok: true } | { ok: false; holder: EnvironmentLock }>;
  readLock(env: string): Promise<EnvironmentLock | undefined>;
  /** Moves the holder's lock expiry (a started build holds it until it ends). */
  extendLock(env: string, requestId: string, expiresAt: number): Promise<void>;
  /** Frees the lock if `requestId` still holds it; a lock taken over since is left alone. */
  releaseLock(env: string, requestId: string): Promise<void>;
  /** Records a deferred job's id: true the first time, false ever after (kept until `keepUntil`). */
  claimJobId(id: string, keepUntil: number): Promise<boolean>;
}
