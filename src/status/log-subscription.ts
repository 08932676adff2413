import { gunzipSync } from 'node:zlib';

// What a CloudWatch Logs subscription filter hands a Lambda function: `{ awslogs: { data } }`,
// data being base64 of gzip of `{ messageType, owner, logGroup, logStream, subscriptionFilters,
// logEvents: [{ id, timestamp, message }] }`; CloudWatch first sends a CONTROL_MESSAGE to check
// the destination is reachable (CloudWatch Logs User Guide, "Using CloudWatch Logs subscription
// filters": "Lambda function ... Example"). Anyone who may invoke the function can send this
// shape, so it is read as untrusted input: bounded before and after inflating, or refused.

/** Lambda's payload limit for an asynchronous invocation, which is how CloudWatch Logs invokes: 256 KB. */
export const LONGEST_DATA = 256 * 1024;
/**
 * A subscription batch holds at most what one PutLogEvents call may carry: 1,048,576 bytes of
 * messages plus 26 bytes per event, 10,000 events (CloudWatch Logs API Reference, PutLogEvents).
 * JSON escaping (a runner line's quotes double) and each event's id and timestamp add to that,
 * up to about 2.5 MB; more than 4 MB inflated is refused as not CloudWatch's.
 */
export const LONGEST_INFLATED = 4 * 1024 * 1024;
const MOST_EVENTS = 10_000;

export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface LogBatch {
  logGroup: string;
  logStream: string;
  logEvents: LogEvent[];
}

export type ReadLogBatch = { ok: true; kind: 'data'; batch: LogBatch } | { ok: true; kind: 'control' } | { ok: false; reason: string };

/** Whether an invocation is a subscription delivery at all (then it is read by readLogSubscription). */
export function isLogSubscription(input: unknown): input is { awslogs: unknown } {
  return typeof input === 'object' && input !== null && Object.hasOwn(input, 'awslogs');
}

export function readLogSubscription(input: unknown): ReadLogBatch {
  if (!isLogSubscription(input)) return { ok: false, reason: 'not a CloudWatch Logs subscription delivery' };
  const data = (input.awslogs as { data?: unknown } | null)?.data;
  if (typeof data !== 'string') return { ok: false, reason: 'awslogs.data is not a string' };
  if (data.length > LONGEST_DATA) return { ok: false, reason: `awslogs.data is ${data.length} characters, more than ${LONGEST_DATA}` };
  let text: string;
  try {
    // maxOutputLength stops inflating at the bound instead of after it (Node zlib docs, "Class: Options").
    text = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: LONGEST_INFLATED }).toString('utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      ok: false,
      reason: code === 'ERR_BUFFER_TOO_LARGE' ? `awslogs.data inflates past ${LONGEST_INFLATED} bytes` : 'awslogs.data is not gzip',
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'awslogs.data is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'awslogs.data is not an object' };
  const body = parsed as Record<string, unknown>;
  if (body.messageType === 'CONTROL_MESSAGE') return { ok: true, kind: 'control' };
  if (body.messageType !== 'DATA_MESSAGE') return { ok: false, reason: `unexpected messageType ${String(body.messageType)}` };
  const { logGroup, logStream, logEvents } = body;
  if (typeof logGroup !== 'string' || typeof logStream !== 'string') return { ok: false, reason: 'logGroup or logStream missing' };
  if (!Array.isArray(logEvents) || logEvents.length > MOST_EVENTS) return { ok: false, reason: 'logEvents is not a bounded list' };
  const events: LogEvent[] = [];
  for (const e of logEvents) {
    const { id, timestamp, message } = (e ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof timestamp !== 'number' || !Number.isFinite(timestamp) || typeof message !== 'string')
      return { ok: false, reason: 'a log event lacks id, timestamp or message' };
    events.push({ id, timestamp, message });
  }
  return { ok: true, kind: 'data', batch: { logGroup, logStream, logEvents: events } };
}
