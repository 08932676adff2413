import { redactValue } from './redact.ts';

// Structured JSON logs, one line each; the fields carry the correlation ids (request id,
// build id, Slack channel) so a request can be followed across invocations. Fields are
// redacted before serialization, never after: a mask applied to serialized JSON can cut
// through an escaped quote and leave a line no log reader can parse.

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
      const entry = redactValue({ level: lvl, time: new Date().toISOString(), msg, ...base, ...fields });
      write(JSON.stringify(entry));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
