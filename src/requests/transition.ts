import type { RequestStore } from '../aws/request-store.ts';
import type { Decision } from './decisions.ts';
import type { RequestRecord } from './record.ts';

export type Transition<T> =
  | ({ ok: true; record: RequestRecord; previous: RequestRecord } & Omit<Extract<Decision<T>, { ok: true }>, 'ok' | 'next'>)
  | { ok: false; reason: string; record?: RequestRecord };

const ATTEMPTS = 8;

/**
 * Read, decide, write on the version read; on a conflict (someone else wrote in between) read
 * again and decide again. Two approvals clicked together thus both count; a Cancel racing an
 * Approve is decided against whichever write landed first, never against a stale picture.
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
    const { ok: _ok, next, ...extra } = decision;
    if ((await store.replace(next, record.version)) === 'written')
      return { ok: true, record: next, previous: record, ...extra } as Transition<T>;
  }
  return { ok: false, reason: 'Too many people changed this request at once; try again in a moment.' };
}
