// What the build's own programs (the verifier, the migrator, the seed) say, as one JSON line
// each: {"deploybot":{…}}. The build's thread in Slack shows these lines and CodeBuild's phase
// lines, and only counts the rest (src/request-message/build-thread.ts), so what reaches the channel is
// what this module lets a runner say: its own sentences, and a Postgres error reduced to the
// fields that name things (SQLSTATE, constraint, table, column), never a row's values
// (database/postgres-error.ts). One module writes and reads the line; a report may carry one
// structured progress event (src/run-progress.ts owns its shapes).

import { boundedProgress, type RunProgress, readProgress } from './run-progress.ts';

export type RunnerSource = 'verify' | 'migrate' | 'seed';

/** A Postgres error without its values: `detail`, `hint`, `where` and parameters never get here. */
export interface PostgresReport {
  sqlstate: string;
  /** The message with every quoted value that is not a name the statement holds replaced. */
  message: string;
  constraint?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
}

export interface RunnerReport {
  source: RunnerSource;
  level: 'info' | 'error';
  /** A sentence the runner composed from its own parts (tags, hashes, counts, file:line). */
  text: string;
  postgres?: PostgresReport;
  progress?: RunProgress;
}

const MARKER = 'deploybot';
const VERSION = 1;
/** Longer texts are cut by the writer and refused by the reader. */
export const LONGEST_TEXT = 1200;
// A text, a Postgres report and a progress event at their bounds (run-progress.ts: 20 blockers of 600-character fields) fit.
const LONGEST_LINE = 48_000;
const LONGEST_NAME = 128;
const SOURCES: readonly string[] = ['verify', 'migrate', 'seed'];
const SQLSTATE = /^[0-9A-Z]{5}$/;
// Postgres identifiers (up to 63 bytes, any character when quoted): nothing that is not one.
const isName = (s: string) => s.length >= 1 && s.length <= LONGEST_NAME && ![...s].some((c) => c === '"' || c.charCodeAt(0) < 0x20);

export function formatRunnerLine(report: RunnerReport): string {
  const postgres = report.postgres && {
    ...report.postgres,
    message: cut(report.postgres.message, 300),
  };
  return JSON.stringify({
    [MARKER]: {
      v: VERSION,
      source: report.source,
      level: report.level,
      text: cut(report.text, LONGEST_TEXT),
      ...(postgres ? { postgres } : {}),
      ...(report.progress ? { progress: boundedProgress(report.progress) } : {}),
    },
  });
}

/** The report a log line holds, or undefined for any line that is not exactly one of ours. */
export function parseRunnerLine(line: string): RunnerReport | undefined {
  if (!line.startsWith(`{"${MARKER}":`) || line.length > LONGEST_LINE) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const body = (parsed as Record<string, unknown>)[MARKER] as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Object.keys(parsed as object).length !== 1) return undefined;
  if (!onlyKeys(body, ['v', 'source', 'level', 'text', 'postgres', 'progress'])) return undefined;
  const { v, source, level, text, postgres, progress } = body;
  if (v !== VERSION || typeof source !== 'string' || !SOURCES.includes(source)) return undefined;
  if ((level !== 'info' && level !== 'error') || typeof text !== 'string' || text.length > LONGEST_TEXT) return undefined;
  const report: RunnerReport = { source: source as RunnerSource, level, text };
  if (postgres !== undefined) {
    const pg = readPostgres(postgres);
    if (!pg) return undefined;
    report.postgres = pg;
  }
  if (progress !== undefined) {
    const event = readProgress(progress);
    if (!event) return undefined;
    report.progress = event;
  }
  return report;
}

function readPostgres(value: unknown): PostgresReport | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (!onlyKeys(v, ['sqlstate', 'message', 'constraint', 'schema', 'table', 'column', 'dataType'])) return undefined;
  if (typeof v.sqlstate !== 'string' || !SQLSTATE.test(v.sqlstate) || typeof v.message !== 'string' || v.message.length > 300)
    return undefined;
  const out: PostgresReport = { sqlstate: v.sqlstate, message: v.message };
  for (const key of ['constraint', 'schema', 'table', 'column', 'dataType'] as const) {
    const name = v[key];
    if (name === undefined) continue;
    if (typeof name !== 'string' || !isName(name)) return undefined;
    out[key] = name;
  }
  return out;
}

/** How a report reads in the thread: the runner's sentence, then the Postgres names. */
export function describeRunnerReport(report: RunnerReport): string {
  const mark = report.level === 'error' ? '✗' : '·';
  const pg = report.postgres;
  const names = pg
    ? [
        pg.constraint && `constraint ${pg.constraint}`,
        pg.table && `table ${pg.schema ? `${pg.schema}.` : ''}${pg.table}`,
        pg.column && `column ${pg.column}`,
        pg.dataType && `type ${pg.dataType}`,
      ].filter(Boolean)
    : [];
  // The migrator's sentence already names the error; another runner's may not.
  const postgres =
    pg && !report.text.includes(`SQLSTATE ${pg.sqlstate}`)
      ? `\n  SQLSTATE ${pg.sqlstate}${names.length ? ` (${names.join(', ')})` : ''}: ${pg.message}`
      : '';
  return `${mark} ${report.source}: ${report.text}${postgres}`;
}

/** Prints a runner's reports as the build's thread reads them: info on stdout, errors on stderr. */
export function runnerReporter(
  source: RunnerSource,
  out: (line: string) => unknown = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => unknown = (line) => process.stderr.write(`${line}\n`),
): {
  info(text: string): void;
  error(text: string, postgres?: PostgresReport): void;
  /** A progress event with the sentence a reader without the structure still understands. */
  progress(text: string, event: RunProgress): void;
} {
  return {
    info: (text) => {
      out(formatRunnerLine({ source, level: 'info', text }));
    },
    progress: (text, event) => {
      out(formatRunnerLine({ source, level: 'info', text, progress: event }));
    },
    error: (text, postgres) => {
      err(formatRunnerLine({ source, level: 'error', text, ...(postgres ? { postgres } : {}) }));
    },
  };
}

/**
 * A stream for a program that writes plain lines (the verifier's `main(argv, out, err)`): each
 * line it writes becomes one report.
 */
export function reportStream(report: (text: string) => void): { write(chunk: string): boolean } {
  let pending = '';
  return {
    write(chunk: string) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) report(line);
      return true;
    },
  };
}

function onlyKeys(value: object, allowed: readonly string[]): boolean {
  return Object.keys(value).every((k) => allowed.includes(k));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
