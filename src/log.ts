import { redact } from './redact.ts';

// Structured JSON logs, one line each, redacted; the fields carry the correlation ids
// (request id, build id, Slack channel) so a request can be followed across invocations.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLog(
  base: Record<string, unknown> = {},
  level: Level = (process.env.LOG_LEVEL as Level) ?? 'info',
  write: (line: string) => unknown = (line) => process.stdout.write(`${line}\n`),
): Log {
  const min = ORDER[level] ?? ORDER.info;
  const emit =
    (lvl: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[lvl] < min) return;
      write(redact(JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...base, ...fields }, errorsAsText)));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
