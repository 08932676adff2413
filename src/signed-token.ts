import { createHmac, timingSafeEqual } from 'node:crypto';

// One signed format for everything the bot hands out and takes back: button values
// (src/slack/action-value.ts) and deferred jobs (src/bot/jobs/job-envelope.ts).
//   <label>.<base64url JSON>.<base64url HMAC-SHA256 of "<label>.<body>">
// The label names the kind of token and sits inside the MAC, so a token of one kind is never
// accepted as another (a button value replayed as a job, or the reverse).

/** One key for both kinds, derived so the Slack signing secret does not serve two purposes verbatim. */
export function signingKey(signingSecret: string): Buffer {
  // The derivation label is part of every live button's MAC: changing it voids them all.
  return createHmac('sha256', signingSecret).update('deploybot action value v1').digest();
}

export function signToken(label: string, payload: unknown, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${label}.${body}.${mac(key, label, body).toString('base64url')}`;
}

export type VerifiedToken =
  | { ok: true; payload: unknown }
  /** `unsigned`: not a token of this label; `altered`: the MAC does not match; `unreadable`: signed, but not JSON. */
  | { ok: false; problem: 'unsigned' | 'altered' | 'unreadable' };

export function verifyToken(label: string, token: unknown, key: Buffer): VerifiedToken {
  const [given, body, signature, extra] = typeof token === 'string' ? token.split('.') : [];
  if (given !== label || !body || !signature || extra !== undefined) return { ok: false, problem: 'unsigned' };
  const expected = mac(key, label, body);
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, problem: 'altered' };
  try {
    return { ok: true, payload: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown };
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
}

function mac(key: Buffer, label: string, body: string): Buffer {
  return createHmac('sha256', key).update(`${label}.${body}`).digest();
}
