import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { redact } from '../src/redact.ts';
import type { RunProgress } from '../src/run-progress.ts';

// After a run: does the live database now match database/schema.ts? drizzle-kit answers with
// the statements `drizzle-kit push` would send (none: it matches). It runs in a child process
// (database/live-schema-diff.ts, which says why) with no stdin, so a question drizzle-kit
// would ask at a terminal fails at once instead of waiting for a key, and with a time limit;
// whatever happens there, the migrator's process goes on and keeps its exit status.

export type SchemaCheck = { ok: true; matches: boolean; differences: string[] } | { ok: false; reason: string };

/** What the child prints on its last line, after RESULT_MARKER. */
export type LiveSchemaDiff = { ok: true; statements: string[] } | { ok: false; reason: string };
export const RESULT_MARKER = 'deploybot-live-schema-diff ';

/** The child's session settings, sent in the startup message (postgres.js `connection`). */
export const CHECK_SESSION = {
  application_name: 'deploybot-schema-check',
  // The guard that this check never changes the database, whatever drizzle-kit sends: every
  // transaction of the session is read-only, so a write fails with SQLSTATE 25006
  // (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-DEFAULT-TRANSACTION-READ-ONLY).
  // pushSchema's `apply()` is never called, but the guard does not rest on reading its code.
  default_transaction_read_only: true,
  // The catalog queries take milliseconds; a lock behind the run's last DDL must not hold the build.
  statement_timeout: 30_000,
} as const;

export interface SchemaCheckOptions {
  /** The program and arguments that run a TypeScript file: by default this process's own (bun, or node with tsx). */
  runtime?: readonly string[];
  timeoutMs?: number;
}

const CHILD = fileURLToPath(new URL('./live-schema-diff.ts', import.meta.url));
/** run-progress.ts refuses more items than this in one event. */
const MOST_DIFFERENCES = 20;
const LONGEST_DIFFERENCE = 200;
// A whole schema's CREATE statements are a few hundred kilobytes at most; past this the child is not ours.
const LONGEST_OUTPUT = 8 * 1024 * 1024;
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/**
 * The live schema at `databaseUrl` against the schema module at `schemaModule` (a file path:
 * the child imports it), read-only. `differences` are the heads of the statements that would
 * bring the database to the module, redacted, at most 20 (the last then says how many more).
 */
export async function checkLiveSchema(databaseUrl: string, schemaModule: string, options: SchemaCheckOptions = {}): Promise<SchemaCheck> {
  const [program, ...args] = options.runtime ?? [process.execPath, ...process.execArgv];
  const timeoutMs = options.timeoutMs ?? 120_000;
  const child = spawn(program as string, [...args, CHILD, schemaModule], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < LONGEST_OUTPUT) stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);

  if (exit.error) return { ok: false, reason: `could not start the check: ${exit.error.message}` };
  if (timedOut) return { ok: false, reason: `the check did not finish within ${Math.round(timeoutMs / 1000)} s` };
  const result = readResult(stdout);
  if (!result) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const last = lastLine(stderr);
    return { ok: false, reason: `the check ended (${how}) without a result${last ? `: ${safe(last, 300)}` : ''}` };
  }
  if (!result.ok) return { ok: false, reason: safe(result.reason, 300) };
  return { ok: true, matches: result.statements.length === 0, differences: differencesOf(result.statements) };
}

/** The runner's sentence and event for a check that answered. */
export function describeSchemaCheck(check: { matches: boolean; differences: string[] }): {
  text: string;
  event: RunProgress;
} {
  const event: RunProgress = { kind: 'schema', matches: check.matches, differences: check.differences };
  if (check.matches) return { text: 'The live schema matches database/schema.ts (drizzle-kit push has nothing to do).', event };
  const more = /^… and (\d+) more/.exec(check.differences.at(-1) ?? '');
  const count = more ? check.differences.length - 1 + Number(more[1]) : check.differences.length;
  return {
    text: `The live schema differs from database/schema.ts: drizzle-kit push would run ${count} statement(s) (not run): ${check.differences[0]}`,
    event,
  };
}

function differencesOf(statements: string[]): string[] {
  const heads = statements.map((s) => safe(s.replace(/\s+/g, ' ').trim(), LONGEST_DIFFERENCE));
  if (heads.length <= MOST_DIFFERENCES) return heads;
  const shown = heads.slice(0, MOST_DIFFERENCES - 1);
  return [...shown, `… and ${heads.length - shown.length} more`];
}

function readResult(stdout: string): LiveSchemaDiff | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (!line) return undefined;
  try {
    const value = JSON.parse(line.slice(RESULT_MARKER.length)) as LiveSchemaDiff;
    if (value.ok === true && Array.isArray(value.statements) && value.statements.every((s) => typeof s === 'string')) return value;
    if (value.ok === false && typeof value.reason === 'string') return value;
  } catch {}
  return undefined;
}

function lastLine(text: string): string | undefined {
  // drizzle-kit colours its messages for a terminal: the escapes mean nothing in a thread.
  const plain = text.replace(ANSI_ESCAPE, '');
  return plain
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
}

function safe(text: string, max: number): string {
  const masked = redact(text);
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}
