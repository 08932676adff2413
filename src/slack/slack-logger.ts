import { type Logger, LogLevel } from '@slack/web-api';
import type { Log } from '../log.ts';

// Bolt and @slack/web-api log through a Logger of their own interface (@slack/logger); left
// without one, each builds a ConsoleLogger that prints `[WARN]  web-api:WebClient:0 …` as plain
// text, past the JSON reader and past redaction. This adapter sends their lines into our Log.
//
// The threshold is the process's one LOG_LEVEL (createLog), not the library's setLevel: Bolt calls
// setLevel(INFO) on any logger whose getLevel() differs from its own default (bolt App.js,
// "Set logger"), which would hide the debug lines an operator asked for with LOG_LEVEL=debug.
// The level is still kept, so getLevel answers what was set.

/** A Slack library's logger that writes our JSON lines, each marked with the library it came from. */
export function slackLogger(log: Log, source: 'bolt' | 'web-api'): Logger {
  let level = LogLevel.INFO;
  let name: string | undefined;
  const emit =
    (write: Log['info']) =>
    (...parts: unknown[]): void => {
      const { msg, fields } = entry(parts);
      write(msg, { source, ...(name ? { logger: name } : {}), ...fields });
    };
  return {
    debug: emit(log.debug),
    info: emit(log.info),
    warn: emit(log.warn),
    error: emit(log.error),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    // web-api names each client's logger `web-api:WebClient:<n>` (web-api dist/logger.js, getLogger).
    setName: (next) => {
      name = next;
    },
  };
}

/**
 * The library's arguments as one message and fields: text parts joined, an Error kept as the
 * `error` field and anything else as `details`, so the Log redacts them as values (a circular
 * object never reaches JSON.stringify here).
 */
function entry(parts: unknown[]): { msg: string; fields: Record<string, unknown> } {
  const text: string[] = [];
  const details: unknown[] = [];
  let error: Error | undefined;
  for (const part of parts) {
    if (typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean') text.push(String(part));
    else if (part instanceof Error && !error) error = part;
    else if (part !== undefined) details.push(part);
  }
  const fields: Record<string, unknown> = {};
  if (error) fields.error = error;
  if (details.length) fields.details = details.length === 1 ? details[0] : details;
  return { msg: text.join(' ') || error?.message || '', fields };
}
