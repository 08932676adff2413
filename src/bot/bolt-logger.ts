import { type Logger, LogLevel } from '@slack/bolt';
import type { Log } from '../log.ts';

/** Routes Bolt's own logging into the structured, redacted log. */
export function boltLogger(log: Log): Logger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug(text(msg), { source: 'bolt' }),
    info: (...msg) => log.info(text(msg), { source: 'bolt' }),
    warn: (...msg) => log.warn(text(msg), { source: 'bolt' }),
    error: (...msg) => log.error(text(msg), { source: 'bolt' }),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
