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

let warningLog: Log | undefined;

/**
 * Node's process warnings as log lines, once per process (the composition roots in
 * src/handlers/ call it where they create their Log). Node prints a warning with a listener of
 * its own (lib/internal/process/warning.js, onWarning): plain text on stderr, several lines for
 * one warning. The AWS SDK's NodeVersionSupportWarning (@aws-sdk/core, emitted through
 * process.emitWarning by the first client on Node < 22) is seven such lines. It is kept, as one
 * warn line: package.json asks for Node 22, so it tells a developer something true, once per
 * process; Lambda runs nodejs22.x and never emits it. Removing Node's listener has the effect of
 * `--no-warnings`, which a Lambda entry cannot pass to the runtime that starts it.
 * The last caller's Log is used: `npm run dev` imports the reconciler's Lambda entry, whose
 * module runs first, and the warnings are still the dev server's.
 */
export function routeProcessWarnings(log: Log): void {
  if (!warningLog) {
    process.removeAllListeners('warning');
    process.on('warning', (warning: Error & { code?: string; detail?: string }) => {
      warningLog?.warn(warning.message, { warning: warning.name, code: warning.code, detail: warning.detail });
    });
  }
  warningLog = log;
}
