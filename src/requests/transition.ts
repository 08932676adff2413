import { randomUUID } from 'node:crypto';
import type { Decision } from './decisions.ts';
import type { RequestRecord } from './record.ts';
import type { RequestStore } from './store.ts';

export type Transition<T> =
  | ({ ok: true; record: RequestRecord; previous: RequestRecord } & Omit<Extract<Decision<T>, { ok: true }>, 'ok' | 'next'>)
  | { ok: false; reason: string; record?: RequestRecord };

const ATTEMPTS = 8;
/** Enough that writes landing after ours (thread bookkeeping, a reconciler's check) do not hide it. */
const WRITE_IDS_KEPT = 16;

/**
 * Read, decide, write on the version read; on a conflict (someone else wrote in between) read
 * again and decide again. Two approvals clicked together thus both count; a Cancel racing an
 * Approve is decided against whichever write landed first, never against a stale picture.
 *
 * Each write carries a fresh id. The SDK retries a write whose answer was lost (a throttle or a
 * dropped connection after DynamoDB applied it); the retry then fails its own version condition.
 * A conflict, or an error, is therefore checked against the record: if it holds this write's id,
 * the write happened and its writer is the winner (it alone may call StartBuild after
 * open → starting).
 */
export async function transition<T = object>(
  store: RequestStore,
  id: string,
  decide: (record: RequestRecord) => Decision<T>,
): Promise<Transition<T>> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await store.get(id);
    if (!record) return { ok: false, reason: 'This request is not in the request store (it was never posted, or has been deleted).' };
    const decision = decide(record);
    if (!decision.ok) return { ok: false, reason: decision.reason, record };
    const { ok: _ok, next: decided, ...extra } = decision;
    const writeId = randomUUID();
    const next: RequestRecord = { ...decided, writeIds: [...(record.writeIds ?? []), writeId].slice(-WRITE_IDS_KEPT) };
    const won = { ok: true, record: next, previous: record, ...extra } as Transition<T>;
    let outcome: 'written' | 'conflict';
    try {
      outcome = await store.replace(next, record.version);
    } catch (error) {
      if (await holdsWrite(store, id, writeId)) return won;
      throw error;
    }
    if (outcome === 'written' || (await holdsWrite(store, id, writeId))) return won;
  }
  return { ok: false, reason: 'Too many people changed this request at once; try again in a moment.' };
}

/** Whether the stored record went through the write with this id (ids are unique per write). */
async function holdsWrite(store: RequestStore, id: string, writeId: string): Promise<boolean> {
  const stored = await store.get(id).catch(() => undefined);
  return stored?.writeIds?.includes(writeId) === true;
}
