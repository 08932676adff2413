import { createHmac, timingSafeEqual } from 'node:crypto';

// A button on a review message carries which request it is about, signed, so a forged or
// altered value is refused before anything is looked up. The signature proves the value came
// from this bot, not that it is still current: what a click may do is decided from the request
// record, never from the button.

export interface RequestRef {
  id: string;
  env: string;
}

const VERSION = 'v2';

export function signingKey(signingSecret: string): Buffer {
  // A key of its own, derived so one Slack secret does not serve two purposes verbatim.
  return createHmac('sha256', signingSecret).update('deploybot action value v1').digest();
}

export function signRef(ref: RequestRef, key: Buffer): string {
  const body = Buffer.from(JSON.stringify({ id: ref.id, env: ref.env })).toString('base64url');
  const mac = createHmac('sha256', key).update(`${VERSION}.${body}`).digest('base64url');
  return `${VERSION}.${body}.${mac}`;
}

export type VerifiedRef = { ok: true; ref: RequestRef } | { ok: false; reason: string };

export function verifyRef(value: string | undefined, key: Buffer): VerifiedRef {
  const [version, body, mac] = (value ?? '').split('.');
  if (version !== VERSION || !body || !mac) return { ok: false, reason: 'the button carries no request this bot signed' };
  const expected = createHmac('sha256', key).update(`${version}.${body}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the request signature does not match (altered, or signed by another deployment)' };
  }
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<RequestRef>;
    if (typeof parsed.id !== 'string' || typeof parsed.env !== 'string') return { ok: false, reason: 'the request could not be read' };
    return { ok: true, ref: { id: parsed.id, env: parsed.env } };
  } catch {
    return { ok: false, reason: 'the request could not be read' };
  }
}
