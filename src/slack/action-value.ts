import { signToken, verifyToken } from '../signed-token.ts';

// A button on a review message carries which request it is about, signed, so a forged or
// altered value is refused before anything is looked up. The signature proves the value came
// from this bot, not that it is still current: what a click may do is decided from the request
// record, never from the button.

export interface RequestRef {
  id: string;
  env: string;
}

/** The label of button values since v2; buttons already posted carry it, so it stays. */
const LABEL = 'v2';

export function signRef(ref: RequestRef, key: Buffer): string {
  return signToken(LABEL, { id: ref.id, env: ref.env }, key);
}

export type VerifiedRef = { ok: true; ref: RequestRef } | { ok: false; reason: string };

const REASON = {
  unsigned: 'the button carries no request this bot signed',
  altered: 'the request signature does not match (altered, or signed by another deployment)',
  unreadable: 'the request could not be read',
} as const;

export function verifyRef(value: string | undefined, key: Buffer): VerifiedRef {
  const verified = verifyToken(LABEL, value, key);
  if (!verified.ok) return { ok: false, reason: REASON[verified.problem] };
  const parsed = verified.payload as Partial<RequestRef> | null;
  if (typeof parsed?.id !== 'string' || typeof parsed.env !== 'string') return { ok: false, reason: REASON.unreadable };
  return { ok: true, ref: { id: parsed.id, env: parsed.env } };
}
