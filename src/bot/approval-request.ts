import { createHmac, timingSafeEqual } from 'node:crypto';

// A request lives in Slack, not in a database: its state is signed into the buttons of the
// review message, so a click carries everything needed to decide, and a forged or altered
// value is refused. CodeBuild's build record holds the rest once a build starts.

export type RequestKind = 'migrate' | 'seed';

export interface ApprovalRequest {
  id: string;
  kind: RequestKind;
  env: string;
  requestedBy: string;
  /** sha256 of the reviewed migration set: the build refuses to run anything else. */
  setHash: string;
  createdAt: number;
  expiresAt: number;
  approvals: string[];
  /** Seeds only: CLEAN=true deletes every organization first. */
  clean?: boolean;
  /** Typed confirmation was given at request time (destructive findings, unknown pending set, CLEAN). */
  confirmed?: boolean;
}

const VERSION = 'v1';

export function signingKey(signingSecret: string): Buffer {
  // A key of its own, derived so one Slack secret does not serve two purposes verbatim.
  return createHmac('sha256', signingSecret).update('deploybot action value v1').digest();
}

export function signRequest(request: ApprovalRequest, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(request)).toString('base64url');
  const mac = createHmac('sha256', key).update(`${VERSION}.${body}`).digest('base64url');
  return `${VERSION}.${body}.${mac}`;
}

export type VerifiedRequest = { ok: true; request: ApprovalRequest } | { ok: false; reason: string };

export function verifyRequest(value: string | undefined, key: Buffer): VerifiedRequest {
  const [version, body, mac] = (value ?? '').split('.');
  if (version !== VERSION || !body || !mac) return { ok: false, reason: 'the button carries no request this bot signed' };
  const expected = createHmac('sha256', key).update(`${version}.${body}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the request signature does not match (altered, or signed by another deployment)' };
  }
  try {
    return { ok: true, request: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ApprovalRequest };
  } catch {
    return { ok: false, reason: 'the request could not be read' };
  }
}
