import postgres from 'postgres';
import { redact } from '../src/redact.ts';
import type { Blocker, RunProgress } from '../src/run-progress.ts';

// Watches the migrator's session from a second connection while it runs, and says what
// Postgres knows and the log cannot: who the migrator waits for, how many sessions queue
// behind it, and how far a long statement has got.
//
// - Once a second (pollMs), pg_locks says whether the migrator's backend waits for a lock
//   (granted = false), pg_blocking_pids() who holds or queues ahead for it, and
//   pg_stat_activity what those sessions are (https://www.postgresql.org/docs/15/functions-info.html,
//   https://www.postgresql.org/docs/15/view-pg-locks.html). Sessions whose blocking pids include
//   the migrator queue behind it: every one of them is traffic the migration holds up.
// - A wait that holds other sessions queued behind the migrator for giveUpAfterMs ends the
//   attempt: pg_cancel_backend() cancels the migrator's statement (SQLSTATE 57014), which the
//   runner treats as a lock timeout, rolled back and retried later, rather than keep the
//   traffic behind it waiting. A wait nobody queues behind costs nothing and is left to the
//   statement's lock_timeout.
// - Every heartbeatMs, a heartbeat: the statement, how long it has run and waited, and for an
//   index build or a CLUSTER / VACUUM FULL the phase and blocks done from
//   pg_stat_progress_create_index / pg_stat_progress_cluster, with a linear estimate of the rest
//   (https://www.postgresql.org/docs/15/progress-reporting.html).
// A monitor that cannot read (its connection fails) stops saying things; it never stops the run.

export interface RunningStatement {
  migration: string;
  step: number;
  steps: number;
  statement: string;
  /** performance.now() when it started. */
  startedAt: number;
}

export interface MonitorOptions {
  databaseUrl: string;
  /** The migrator's backend (pg_backend_pid() of its session). */
  backendPid: number;
  current: () => RunningStatement | undefined;
  emit: (text: string, event: RunProgress) => void;
  attempt: number;
  giveUpAfterMs: number;
  pollMs?: number;
  heartbeatMs?: number;
  /** How often a continuing wait is reported again (the first time at once). */
  blockedEveryMs?: number;
}

export interface MonitorOutcome {
  /** Set when the monitor cancelled the migrator's statement. */
  gaveUp?: { statement: string; waitedMs: number; blockers: Blocker[] };
}

export interface RunMonitor {
  stop(): Promise<MonitorOutcome>;
}

export const MONITOR_APPLICATION_NAME = 'daadaar-deploybot monitor';
const QUERY_HEAD = 200;

export function startRunMonitor(options: MonitorOptions): RunMonitor {
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const blockedEveryMs = options.blockedEveryMs ?? 5000;
  const sql = postgres(options.databaseUrl, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
    connection: { application_name: MONITOR_APPLICATION_NAME, statement_timeout: Math.max(500, pollMs) },
  });
  const outcome: MonitorOutcome = {};
  let stopped = false;
  let waitingSince: number | undefined;
  let queuedSince: number | undefined;
  let waitedBefore = 0;
  let lastBlockedAt = -Infinity;
  let lastHeartbeatAt = performance.now();
  let watched: RunningStatement | undefined;

  const tick = async () => {
    const running = options.current();
    if (running !== watched) {
      watched = running;
      waitingSince = undefined;
      queuedSince = undefined;
      waitedBefore = 0;
      lastBlockedAt = -Infinity;
    }
    if (!running) return;
    const now = performance.now();
    const wait = await readWait(sql, options.backendPid);
    if (wait) {
      waitingSince ??= now;
      const waitedMs = Math.round(now - waitingSince);
      queuedSince = wait.queued > 0 ? (queuedSince ?? now) : undefined;
      if (queuedSince !== undefined && now - queuedSince >= options.giveUpAfterMs && !outcome.gaveUp) {
        await sql`select pg_cancel_backend(${options.backendPid})`;
        outcome.gaveUp = { statement: running.statement, waitedMs, blockers: wait.blockers };
        options.emit(
          `Gave up waiting for ${wait.mode} after ${seconds(waitedMs)} s, ${wait.queued} session${wait.queued === 1 ? '' : 's'} queued behind it for the threshold of ${seconds(options.giveUpAfterMs)} s: ${describeBlockers(wait.blockers)}.`,
          {
            kind: 'gave-up',
            migration: running.migration,
            statement: running.statement,
            waitedMs,
            thresholdMs: options.giveUpAfterMs,
            attempt: options.attempt,
            blockers: wait.blockers,
          },
        );
        return;
      }
      if (now - lastBlockedAt >= blockedEveryMs) {
        lastBlockedAt = now;
        options.emit(
          `Waiting ${seconds(waitedMs)} s for ${wait.mode} on ${running.migration}: ${describeBlockers(wait.blockers)}; ${wait.queued} session${wait.queued === 1 ? '' : 's'} queued behind the migration.`,
          {
            kind: 'blocked',
            migration: running.migration,
            statement: running.statement,
            lockMode: wait.mode,
            waitedMs,
            queued: wait.queued,
            blockers: wait.blockers,
          },
        );
      }
    } else if (waitingSince !== undefined) {
      waitedBefore += now - waitingSince;
      waitingSince = undefined;
      queuedSince = undefined;
    }
    if (now - lastHeartbeatAt >= heartbeatMs) {
      lastHeartbeatAt = now;
      const lockWaitMs = Math.round(waitedBefore + (waitingSince === undefined ? 0 : now - waitingSince));
      const elapsedMs = Math.round(now - running.startedAt);
      const progress = await readStepProgress(sql, options.backendPid);
      const estimateMs = progress && estimateRemainingMs(elapsedMs - lockWaitMs, progress.blocksDone, progress.blocksTotal);
      options.emit(
        `Still running step ${running.step}/${running.steps} of ${running.migration} after ${seconds(elapsedMs)} s${progress ? ` (${progress.phase}${progress.blocksTotal ? `, ${Math.floor((100 * progress.blocksDone) / progress.blocksTotal)}% of blocks` : ''})` : ''}.`,
        {
          kind: 'heartbeat',
          migration: running.migration,
          step: running.step,
          steps: running.steps,
          statement: running.statement,
          elapsedMs,
          lockWaitMs,
          ...(progress ? { phase: progress.phase, blocksDone: progress.blocksDone, blocksTotal: progress.blocksTotal } : {}),
          ...(estimateMs !== undefined ? { estimateMs } : {}),
        },
      );
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        await tick();
      } catch {
        // A monitor that cannot read says nothing more this round; the run goes on without it.
      }
      const rest = pollMs - (performance.now() - started);
      if (rest > 0 && !stopped) await new Promise((r) => setTimeout(r, rest));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      await sql.end({ timeout: 2 }).catch(() => {});
      return outcome;
    },
  };
}

interface LockWaitState {
  mode: string;
  blockers: Blocker[];
  /** Sessions waiting for a lock the migrator holds or waits for. */
  queued: number;
}

async function readWait(sql: postgres.Sql, pid: number): Promise<LockWaitState | undefined> {
  const [waiting] = await sql<{ mode: string }[]>`
    select mode from pg_locks where pid = ${pid} and not granted limit 1`;
  if (!waiting) return undefined;
  const rows = await sql<
    { pid: number; application_name: string | null; state: string | null; transaction_ms: number | null; query: string | null }[]
  >`
    select a.pid, a.application_name, a.state,
           (extract(epoch from (now() - a.xact_start)) * 1000)::float8 as transaction_ms,
           left(a.query, ${QUERY_HEAD}) as query
      from pg_stat_activity a
     where a.pid = any(pg_blocking_pids(${pid}))
     order by a.xact_start nulls last
     limit 20`;
  const [queue] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`;
  return {
    mode: waiting.mode,
    queued: queue?.n ?? 0,
    blockers: rows.map((r) => ({
      pid: r.pid,
      application: r.application_name || '(no application_name)',
      state: r.state ?? 'unknown',
      transactionMs: r.transaction_ms === null ? null : Math.round(r.transaction_ms),
      // A query's text can hold a secret (a password literal, a connection string): redacted, one line.
      query: redact((r.query ?? '').replace(/\s+/g, ' ').trim()),
    })),
  };
}

export interface StepProgress {
  phase: string;
  blocksDone: number;
  blocksTotal: number;
}

/** What pg_stat_progress_create_index or pg_stat_progress_cluster says of the backend, if anything. */
export async function readStepProgress(sql: postgres.Sql, pid: number): Promise<StepProgress | undefined> {
  const [row] = await sql<{ phase: string; blocks_done: string; blocks_total: string }[]>`
    select phase, blocks_done, blocks_total from pg_stat_progress_create_index where pid = ${pid}
    union all
    select phase, heap_blks_scanned, heap_blks_total from pg_stat_progress_cluster where pid = ${pid}
    limit 1`;
  if (!row) return undefined;
  return { phase: row.phase, blocksDone: Number(row.blocks_done), blocksTotal: Number(row.blocks_total) };
}

/** The rest of a scan at the pace so far; undefined until there is a pace to go by. */
export function estimateRemainingMs(runningMs: number, blocksDone: number, blocksTotal: number): number | undefined {
  if (blocksDone <= 0 || blocksTotal <= 0 || runningMs <= 0 || blocksDone > blocksTotal) return undefined;
  return Math.round((runningMs * (blocksTotal - blocksDone)) / blocksDone);
}

export function describeBlockers(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'no session holds it any more (the queue ahead is moving)';
  return blockers
    .map(
      (b) =>
        `pid ${b.pid} (${b.application}, ${b.state}${b.transactionMs === null ? '' : `, transaction open ${seconds(b.transactionMs)} s`}): ${b.query || '(no query)'}`,
    )
    .join('; ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
