import { randomUUID } from 'node:crypto';
import { type Decision, withThread } from '../requests/decisions.ts';
import type { RequestRecord } from '../requests/record.ts';
import type { RequestStore } from '../requests/store.ts';
import { transition } from '../requests/transition.ts';

// A request's thread holds two posts that must appear once however many handlers try at the
// same moment (build events delivered at least once and out of order, `/daadaar status`, the
// reconciler): the status message and the result reply; a break-glass request has a third, its
// announcement in the security channel. Reading the thread cannot decide who
// posts (two readers both see "nothing yet"), so a conditional write on the record does: the
// handler whose claim lands posts, records the post's ts and drops the claim; the others stand back.

type Thread = RequestRecord['thread'];

/** The posts of a request's thread that are claimed once, and where the record keeps each. */
const SLOTS = {
  status: { ts: 'statusTs', claim: 'statusClaim' },
  result: { ts: 'resultTs', claim: 'resultClaim' },
  /** Not in the thread: a break-glass request's announcement in its security channel. */
  security: { ts: 'securityTs', claim: 'securityClaim' },
} as const satisfies Record<string, { ts: keyof Thread; claim: keyof Thread }>;

export type ThreadPost = keyof typeof SLOTS;

export type PostOnce = 'posted' | 'already-posted' | 'claimed-elsewhere';

export interface PostOnceDeps {
  store: RequestStore;
  now: () => number;
  /** When a poster's claim counts as abandoned; the reconciler passes its staleness (src/reconciler/). */
  claimStaleMs?: number;
}

/** A claim older than this is taken to belong to a handler that died mid-post (unless the deps say otherwise). */
const CLAIM_STALE_MS = 90_000;

/**
 * Posts `slot` once for the request: `post` runs only for the handler whose claim is written, and
 * returns the post's ts, recorded with `alongside` (what else the record notes about the post). A
 * claim left by a handler that died mid-post goes stale and is taken over; a post that fails frees
 * the claim for the next try (Lambda's retry, the next event, the reconciler) and throws.
 */
export async function postOnce(
  record: RequestRecord,
  slot: ThreadPost,
  deps: PostOnceDeps,
  post: () => Promise<string | undefined>,
  alongside: Partial<Thread> = {},
): Promise<PostOnce> {
  const { ts: tsField, claim: claimField } = SLOTS[slot];
  const token = randomUUID();
  const claimed = await transition(deps.store, record.id, (r): Decision => {
    if (r.thread[tsField]) return { ok: false, reason: 'posted' };
    const claim = r.thread[claimField];
    if (claim && deps.now() - claim.at < (deps.claimStaleMs ?? CLAIM_STALE_MS)) return { ok: false, reason: 'claimed' };
    return { ok: true, next: withThread(r, { [claimField]: { token, at: deps.now() } }, deps.now()) };
  });
  if (!claimed.ok) return claimed.reason === 'posted' ? 'already-posted' : 'claimed-elsewhere';
  try {
    const ts = await post();
    await transition(deps.store, record.id, (r) => ({
      ok: true,
      next: withThread(r, { ...alongside, [tsField]: ts, [claimField]: undefined }, deps.now()),
    }));
    return 'posted';
  } catch (error) {
    await transition(
      deps.store,
      record.id,
      (r): Decision =>
        r.thread[claimField]?.token === token
          ? { ok: true, next: withThread(r, { [claimField]: undefined }, deps.now()) }
          : { ok: false, reason: 'not ours' },
    ).catch(() => undefined);
    throw error;
  }
}
