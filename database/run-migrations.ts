import postgres from 'postgres';
import { checkAgainstApproved } from '../src/history/approved-plan.ts';
import { timeoutsAt } from '../src/history/pinned-timeouts.ts';
import type { ImageDigest, MigratePlan } from '../src/history/plan.ts';
import type { AppliedRow } from '../src/history/target-plan.ts';
import { readTargetSnapshot, snapshotPlan } from '../src/history/target-snapshot.ts';
import { redact } from '../src/redact.ts';
import type { MigrationSource } from '../src/review/model.ts';
import { lineIndex } from '../src/review/sql-text.ts';
import { DEFAULT_TIMEOUT_POLICY, type StatementTimeouts } from '../src/review/statement-timeouts.ts';
import type { RunProgress } from '../src/run-progress.ts';
import type { PostgresReport } from '../src/runner-report.ts';
import { formatFailure, locateFailure, sqlstateOf } from './migration-failure.ts';
import { acquireMigrationLock, MIGRATOR_APPLICATION_NAME, releaseMigrationLock } from './migration-lock.ts';
import { reducePostgresError } from './postgres-error.ts';
import { describeBlockers, type RunningStatement, startRunMonitor } from './run-monitor.ts';
import { hasOwnSteps, planSteps } from './step-plan.ts';
import { applySteps, type StatementInfo, type StepRun, sessionLost } from './step-runner.ts';

// Applies pending migrations as drizzle-orm's own migrator does (every pending migration in one
// transaction), through the step runner (step-runner.ts), which takes out of that transaction
// only the statements Postgres refuses inside one (src/review/own-step.ts), politely:
// - one migrator at a time (a session advisory lock, see migration-lock.ts);
// - `lock_timeout` on every statement, so a migration stuck behind a long transaction fails
//   after a few seconds instead of queueing every reader and writer of the table behind its
//   ACCESS EXCLUSIVE request for as long as it waits
//   (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-LOCK-TIMEOUT);
// - on lock_not_available (SQLSTATE 55P03) the whole run, rolled back by then, is retried a
//   bounded number of times with a growing pause, as GitLab's `with_lock_retries` does at the
//   transaction level (gitlab-org/gitlab#339115), unless an own step already committed part of
//   it: then the run stops, and the next one (reviewed against the new pending set) resumes;
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
  /** Where `step` progress events go (runnerReporter's `progress`): one before each statement. */
  progress?: (text: string, event: RunProgress) => void;
  /** Called before each statement, after its progress event. */
  onStatement?: (info: StatementInfo) => void;
  /** Per-statement timeouts (statementIndex as the review numbers statements in the migration). */
  timeouts?: (migrationTag: string, statementIndex: number) => Partial<StatementTimeouts> | undefined;
}

export interface MigratorSettings {
  lockTimeoutMs: number;
  attempts: number;
  /** Pause before the second attempt; doubled before each later one. */
  retryDelayMs: number;
  /** How long to wait for another migrator's advisory lock. */
  lockWaitMs: number;
  lockPollMs: number;
  /** For a plan without pinned timeouts: how long a wait may hold sessions queued behind it (database/run-monitor.ts). */
  giveUpAfterMs: number;
  /** The run monitor's poll and heartbeat periods. */
  monitorPollMs: number;
  heartbeatMs: number;
}

export const DEFAULT_SETTINGS: MigratorSettings = {
  lockTimeoutMs: 5000,
  attempts: 4,
  retryDelayMs: 2000,
  lockWaitMs: 300_000,
  lockPollMs: 1000,
  giveUpAfterMs: DEFAULT_TIMEOUT_POLICY.giveUpAfterMs,
  monitorPollMs: 1000,
  // The thread updates at most every 5 s (src/status/build-progress.ts): a heartbeat as often.
  heartbeatMs: 5000,
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
const QUERY_CANCELED = '57014';

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
  // Set when the session died: postgres.js must not be sent anything more on it (step-runner.ts).
  let lost = false;
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
    const plan = await planSteps(pending);
    for (const m of plan) {
      const own = m.steps.filter((s) => s.own);
      const note =
        own.length > 0
          ? `; ${own.length} own step${own.length === 1 ? '' : 's'}: ${own.map((s) => `statement ${s.statement + 1} (${s.own?.reason})`).join(', ')}`
          : '';
      log(`Applying ${m.migration.tag} (sha256 ${m.migration.hash.slice(0, 12)})${note}`);
    }
    const timeouts = options.timeouts ?? pinnedTimeouts(options.approved, pending);
    const started = performance.now();
    const reserved = await client.reserve();
    let run: StepRun;
    let running: RunningStatement | undefined;
    const [backend] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const monitor = startRunMonitor({
      databaseUrl: options.databaseUrl,
      backendPid: backend?.pid ?? 0,
      current: () => running,
      emit: (text, event) => options.progress?.(text, event),
      attempt,
      giveUpAfterMs: options.approved?.timeouts?.giveUpAfterMs ?? settings.giveUpAfterMs,
      pollMs: settings.monitorPollMs,
      heartbeatMs: settings.heartbeatMs,
    });
    let watched: Awaited<ReturnType<typeof monitor.stop>> = {};
    try {
      run = await applySteps(reserved, plan, {
        log,
        ...(timeouts ? { timeouts } : {}),
        onStatement: (info) => {
          running = {
            migration: info.migration,
            step: info.step,
            steps: info.steps,
            statement: redact(oneLine(info.statement)),
            startedAt: performance.now(),
          };
          const elapsedMs = Math.round(performance.now() - started);
          const statement = redact(oneLine(info.statement));
          options.progress?.(`Step ${info.step}/${info.steps} (${info.mode}) of ${info.migration}: ${statement}`, {
            kind: 'step',
            migration: info.migration,
            step: info.step,
            steps: info.steps,
            mode: info.mode,
            statement,
            elapsedMs,
          });
          options.onStatement?.(info);
        },
      });
    } finally {
      running = undefined;
      watched = await monitor.stop();
      reserved.release();
    }
    if (!run.ok) {
      lost = run.sessionLost;
      const failure = await locateFailure(run.error, pending);
      // A step cut out of a drizzle piece is not a piece locateFailure knows: place it by the plan.
      const planned = plan.find((m) => m.migration.tag === run.migration);
      const step = planned?.steps.find((s) => s.statement === run.statement);
      if (!failure.file && planned && step) {
        failure.file = planned.migration.file;
        failure.line = lineIndex(planned.migration.sql)(step.start);
        failure.statement = oneLine(step.text);
      }
      const where = `${run.migration} statement ${run.statement + 1}`;
      // The monitor cancelled the statement (57014) rather than hold the sessions queued behind it.
      if (watched.gaveUp && sqlstateOf(run.error) === QUERY_CANCELED && !run.progressed) {
        const { waitedMs, blockers } = watched.gaveUp;
        return {
          kind: 'lock-timeout',
          reason: `Gave up after waiting ${(waitedMs / 1000).toFixed(1)} s for a lock at ${where} while sessions queued behind it: ${describeBlockers(blockers)}.`,
        };
      }
      if (sqlstateOf(run.error) === LOCK_NOT_AVAILABLE && !run.progressed) {
        const at = failure.file ? ` at ${failure.file}${failure.line ? `:${failure.line}` : ''}` : '';
        const waited = timeouts?.(run.migration, run.statement)?.lockTimeoutMs ?? settings.lockTimeoutMs;
        return {
          kind: 'lock-timeout',
          reason: `lock_timeout (${waited} ms) reached${at}: ${failure.statement ?? failure.message}.`,
        };
      }
      const outcome = run.progressed
        ? `Committed before it: ${run.committed.length ? run.committed.join(', ') : 'no whole migration'}, and the steps of ${run.migration} that ran before it (drizzle.__deploybot_steps). The next run resumes at ${where}.`
        : 'The transaction was rolled back: nothing was applied.';
      return fail('migration', `${formatFailure(failure)}\n${outcome}`, failure.postgres);
    }
    const ms = Math.round(performance.now() - started);
    const check = await checkHistoryAfter(client, snapshot.rows, pending);
    if (!check.ok) return fail('check', check.reason);
    // Said, not only checked: the thread's log tail shows the history ended where the plan said.
    log(
      `__drizzle_migrations holds the ${snapshot.rows.length} rows it had plus the ${pending.length} planned, in order${options.approved ? ': the approved plan' : ''}.`,
    );
    const tags = pending.map((m) => m.tag);
    const own = plan.reduce((n, m) => n + m.steps.filter((s) => s.own).length, 0);
    const how = hasOwnSteps(plan)
      ? `with ${own} own step${own === 1 ? '' : 's'} between transactions${run.resumed ? ` (resumed: ${run.resumed} step${run.resumed === 1 ? '' : 's'} done by a previous run)` : ''}`
      : 'in one transaction';
    log(`Applied ${tags.length} migration${tags.length === 1 ? '' : 's'} ${how} in ${ms} ms: ${tags.join(', ')}.`);
    return done({ ok: true, applied: tags, ms, attempts: attempt });
  } catch (error) {
    // I/O that failed (connection refused, dropped), or a query of our own: a value for the entry to print.
    lost ||= sessionLost(error);
    const postgres = reducePostgresError(error);
    if (postgres) return fail('migration', `Cannot migrate: ${postgres.message} (SQLSTATE ${postgres.sqlstate}).`, postgres);
    return fail('migration', `Cannot migrate: ${redact((error as Error).message ?? String(error))}`);
  } finally {
    // The advisory lock of a session that died was released with it.
    if (locked && !lost) await releaseMigrationLock(client).catch(() => {});
    await client.end({ timeout: lost ? 0 : 5 });
  }
}

/**
 * The timeouts the approvers saw, pinned in the plan by pending position and statement index
 * (src/history/pinned-timeouts.ts); the connection's MIGRATION_LOCK_TIMEOUT_MS is for a plan
 * without them and for local runs. The plan was just checked against this pending set.
 */
function pinnedTimeouts(
  approved: MigratePlan | undefined,
  pending: readonly MigrationSource[],
): ((tag: string, index: number) => StatementTimeouts) | undefined {
  const pinned = approved?.timeouts;
  if (!pinned) return undefined;
  const position = new Map(pending.map((m, i) => [m.tag, i]));
  return (tag, index) => timeoutsAt(pinned, position.get(tag) ?? -1, index);
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

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
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
    giveUpAfterMs: read('MIGRATION_GIVE_UP_AFTER_MS', DEFAULT_SETTINGS.giveUpAfterMs),
    monitorPollMs: DEFAULT_SETTINGS.monitorPollMs,
    heartbeatMs: DEFAULT_SETTINGS.heartbeatMs,
  };
  const bad = Object.values(values).find((v) => typeof v === 'string');
  if (typeof bad === 'string') return { ok: false, reason: bad };
  return { ok: true, settings: values as MigratorSettings };
}
