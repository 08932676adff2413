import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { checkAgainstApproved } from '../src/history/approved-plan.ts';
import type { ImageDigest, MigratePlan } from '../src/history/plan.ts';
import type { AppliedRow } from '../src/history/target-plan.ts';
import { readTargetSnapshot, snapshotPlan } from '../src/history/target-snapshot.ts';
import { redact } from '../src/redact.ts';
import type { MigrationSource } from '../src/review/model.ts';
import type { PostgresReport } from '../src/runner-report.ts';
import { formatFailure, locateFailure, sqlstateOf } from './migration-failure.ts';
import { acquireMigrationLock, MIGRATOR_APPLICATION_NAME, releaseMigrationLock } from './migration-lock.ts';
import { reducePostgresError } from './postgres-error.ts';

// Applies pending migrations with drizzle-orm's own migrator (every pending migration in one
// transaction), politely:
// - one migrator at a time (a session advisory lock, see migration-lock.ts);
// - `lock_timeout` on every statement, so a migration stuck behind a long transaction fails
//   after a few seconds instead of queueing every reader and writer of the table behind its
//   ACCESS EXCLUSIVE request for as long as it waits
//   (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-LOCK-TIMEOUT);
// - on lock_not_available (SQLSTATE 55P03) the whole run, rolled back by then, is retried a
//   bounded number of times with a growing pause, as GitLab's `with_lock_retries` does at the
//   transaction level (gitlab-org/gitlab#339115);
// - under the lock, before anything runs, the target is checked against the approved plan, and
//   after the run __drizzle_migrations must hold exactly the history plus the pending set.

export interface MigrateOptions {
  databaseUrl: string;
  migrationsFolder: string;
  log?: (line: string) => void;
  /** The approved plan. Absent only for local use (`--local`): then whatever is pending runs. */
  approved?: MigratePlan;
  /** The digest of the image this runs in, compared with the approved plan's. */
  imageDigest?: ImageDigest;
  settings?: Partial<MigratorSettings>;
}

export interface MigratorSettings {
  lockTimeoutMs: number;
  attempts: number;
  /** Pause before the second attempt; doubled before each later one. */
  retryDelayMs: number;
  /** How long to wait for another migrator's advisory lock. */
  lockWaitMs: number;
  lockPollMs: number;
}

export const DEFAULT_SETTINGS: MigratorSettings = {
  lockTimeoutMs: 5000,
  attempts: 4,
  retryDelayMs: 2000,
  lockWaitMs: 300_000,
  lockPollMs: 1000,
};

export type MigrationRun =
  | { ok: true; applied: string[]; ms: number; attempts: number }
  | {
      ok: false;
      stage: 'plan' | 'lock' | 'migration' | 'check';
      /** Safe to print: a Postgres error is reduced to its names and SQLSTATE, never a row's values. */
      reason: string;
      attempts: number;
      postgres?: PostgresReport;
    };

const LOCK_NOT_AVAILABLE = '55P03';

export async function runMigrations(options: MigrateOptions): Promise<MigrationRun> {
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const log = options.log ?? console.log;
  let delay = settings.retryDelayMs;
  for (let attempt = 1; ; attempt++) {
    const run = await attemptRun(options, settings, log, attempt);
    if (run.kind === 'done') return run.result;
    if (attempt >= settings.attempts) {
      return {
        ok: false,
        stage: 'migration',
        attempts: attempt,
        reason: `${run.reason} Gave up after ${attempt} attempts; nothing was applied.`,
      };
    }
    log(`Attempt ${attempt} of ${settings.attempts}: ${run.reason} Rolled back; retrying in ${(delay / 1000).toFixed(1)} s.`);
    await new Promise((r) => setTimeout(r, delay));
    delay *= 2;
  }
}

type Attempt = { kind: 'done'; result: MigrationRun } | { kind: 'lock-timeout'; reason: string };

async function attemptRun(
  options: MigrateOptions,
  settings: MigratorSettings,
  log: (line: string) => void,
  attempt: number,
): Promise<Attempt> {
  const done = (result: MigrationRun): Attempt => ({ kind: 'done', result });
  const fail = (stage: 'plan' | 'lock' | 'migration' | 'check', reason: string, postgres?: PostgresReport) =>
    done({ ok: false, stage, reason, attempts: attempt, ...(postgres ? { postgres } : {}) });
  // One connection: the advisory lock is held by the session that runs the migrations.
  const client = postgres(options.databaseUrl, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: MIGRATOR_APPLICATION_NAME, lock_timeout: settings.lockTimeoutMs },
  });
  let locked = false;
  try {
    const lock = await acquireMigrationLock(client, { waitMs: settings.lockWaitMs, pollMs: settings.lockPollMs, log });
    if (!lock.ok) return fail('lock', lock.reason);
    locked = true;
    const read = await readTargetSnapshot(options.databaseUrl, options.migrationsFolder);
    if (!read.ok) return fail('plan', read.reason);
    const { snapshot } = read;
    const missing = snapshot.target.drift.find((d) => d.kind === 'missing-file');
    if (missing) return fail('plan', missing.message);
    // drizzle itself never notices these; the review showed them, the log should too.
    if (attempt === 1) for (const d of snapshot.target.drift) log(`Warning (${d.kind}): ${d.message}`);
    if (options.approved) {
      const check = checkAgainstApproved(options.approved, snapshotPlan(snapshot, options.imageDigest ?? null));
      if (!check.ok) return fail('plan', check.reason);
      if (attempt === 1) log('The target still matches the approved plan.');
    }
    const pending = snapshot.target.pending;
    if (pending.length === 0) {
      log(`Nothing to apply: all ${snapshot.migrations.length} migrations are applied.`);
      return done({ ok: true, applied: [], ms: 0, attempts: attempt });
    }
    for (const m of pending) log(`Applying ${m.tag} (sha256 ${m.hash.slice(0, 12)})`);
    const started = performance.now();
    try {
      await migrate(drizzle(client), { migrationsFolder: options.migrationsFolder });
    } catch (error) {
      const failure = await locateFailure(error, pending);
      if (sqlstateOf(error) === LOCK_NOT_AVAILABLE) {
        const where = failure.file ? ` at ${failure.file}:${failure.line}` : '';
        return {
          kind: 'lock-timeout',
          reason: `lock_timeout (${settings.lockTimeoutMs} ms) reached${where}: ${failure.statement ?? failure.message}.`,
        };
      }
      return fail('migration', `${formatFailure(failure)}\nThe transaction was rolled back: nothing was applied.`, failure.postgres);
    }
    const ms = Math.round(performance.now() - started);
    const check = await checkHistoryAfter(client, snapshot.rows, pending);
    if (!check.ok) return fail('check', check.reason);
    const tags = pending.map((m) => m.tag);
    log(`Applied ${tags.length} migration${tags.length === 1 ? '' : 's'} in one transaction in ${ms} ms: ${tags.join(', ')}.`);
    return done({ ok: true, applied: tags, ms, attempts: attempt });
  } catch (error) {
    // I/O that failed (connection refused, dropped), or a query of our own: a value for the entry to print.
    const postgres = reducePostgresError(error);
    if (postgres) return fail('migration', `Cannot migrate: ${postgres.message} (SQLSTATE ${postgres.sqlstate}).`, postgres);
    return fail('migration', `Cannot migrate: ${redact((error as Error).message ?? String(error))}`);
  } finally {
    if (locked) await releaseMigrationLock(client).catch(() => {});
    await client.end({ timeout: 5 });
  }
}

/**
 * drizzle reports nothing about what it ran. Still under the lock, the history must be the one
 * read before plus one row per pending migration, in order: anything else means something
 * other than this run wrote to it, or drizzle applied a different set than planned.
 */
async function checkHistoryAfter(
  client: postgres.Sql,
  before: readonly AppliedRow[],
  pending: readonly MigrationSource[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const after = await client<{ id: number; hash: string; created_at: string }[]>`
    select id, hash, created_at from drizzle.__drizzle_migrations order by created_at asc, id asc`;
  const expected = [...before.map((r) => `${r.hash}@${r.createdAt}`), ...pending.map((m) => `${m.hash}@${m.when}`)];
  const actual = after.map((r) => `${r.hash}@${Number(r.created_at)}`);
  if (actual.length === expected.length && actual.every((v, i) => v === expected[i])) return { ok: true };
  return {
    ok: false,
    reason: `__drizzle_migrations did not end at the planned history: expected ${before.length} + ${pending.length} rows, found ${after.length} (rows differ from position ${firstDifference(actual, expected) + 1}). Inspect the table before running again.`,
  };
}

function firstDifference(a: string[], b: string[]): number {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i === -1 ? Math.min(a.length, b.length) : i;
}

/** MIGRATION_LOCK_TIMEOUT_MS, MIGRATION_ATTEMPTS, MIGRATION_RETRY_DELAY_MS, MIGRATION_LOCK_WAIT_SECONDS. */
export function settingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; settings: MigratorSettings } | { ok: false; reason: string } {
  const read = (name: string, fallback: number, scale = 1): number | string => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n > 0 ? n * scale : `${name}=${raw} is not a positive whole number`;
  };
  const values = {
    lockTimeoutMs: read('MIGRATION_LOCK_TIMEOUT_MS', DEFAULT_SETTINGS.lockTimeoutMs),
    attempts: read('MIGRATION_ATTEMPTS', DEFAULT_SETTINGS.attempts),
    retryDelayMs: read('MIGRATION_RETRY_DELAY_MS', DEFAULT_SETTINGS.retryDelayMs),
    lockWaitMs: read('MIGRATION_LOCK_WAIT_SECONDS', DEFAULT_SETTINGS.lockWaitMs / 1000, 1000),
    lockPollMs: DEFAULT_SETTINGS.lockPollMs,
  };
  const bad = Object.values(values).find((v) => typeof v === 'string');
  if (typeof bad === 'string') return { ok: false, reason: bad };
  return { ok: true, settings: values as MigratorSettings };
}
