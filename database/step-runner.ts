import type postgres from 'postgres';
import type { ConcurrentIndex } from '../src/review/own-step.ts';
import type { StatementTimeouts } from '../src/review/statement-timeouts.ts';
import type { StepMode } from '../src/run-progress.ts';
import type { MigrationSteps, Step } from './step-plan.ts';

// Applies the pending set as drizzle-orm 0.45's PgDialect.migrate does
// (node_modules/drizzle-orm/pg-core/dialect.js): CREATE SCHEMA / CREATE TABLE IF NOT EXISTS
// for drizzle.__drizzle_migrations outside the transaction, then in ONE transaction every
// pending migration's queries, each followed by its row (hash, created_at = the journal's
// `when`). Same order, same rows, same single transaction, except for own steps
// (src/review/own-step.ts): the transaction commits before one, the statement runs alone in
// autocommit, and a new transaction opens after it. A migration's row is still written only
// after all its steps ran, so drizzle (which reads the newest row) sees it applied only then.
//
// Progress inside a migration that has own steps is kept in drizzle.__deploybot_steps:
// a transactional step's row is written in its transaction (atomic with what it did), an own
// step's right after it succeeds. A rerun skips the recorded steps and resumes at the first
// one that did not finish. The rows of a migration go in the transaction that writes its
// __drizzle_migrations row. A run without own steps never creates that table.
//
// A CREATE INDEX CONCURRENTLY can succeed and its row still be lost (the session killed between
// the two). So its start is written first, in drizzle.__deploybot_step_starts: a rerun that finds
// the index VALID and a start for that step knows the earlier run built it, records the step
// and goes on, where running the CREATE again would fail with "already exists".

export interface StatementInfo {
  migration: string;
  /** 1-based over every step of the run, skipped ones included. */
  step: number;
  steps: number;
  mode: StepMode;
  statement: string;
  backendPid: number;
}

export interface StepRunOptions {
  /** Called before each statement runs. */
  onStatement?: (info: StatementInfo) => void;
  /** Per statement (the review's 0-based index in its migration); applied with SET LOCAL, or SET for an own step. */
  timeouts?: (migrationTag: string, statementIndex: number) => Partial<StatementTimeouts> | undefined;
  /** Steps skipped because a previous run recorded them, and invalid indexes dropped before a rebuild. */
  log?: (line: string) => void;
}

export type StepRun =
  | { ok: true; applied: string[]; ownSteps: number; resumed: number }
  | {
      ok: false;
      error: unknown;
      /** The migration whose step failed, and the step's statement index. */
      migration: string;
      statement: number;
      mode: StepMode;
      /** Migrations whose rows were committed before the failure: they stay applied. */
      committed: string[];
      /** True when anything (a migration, a step) was committed before the failure. */
      progressed: boolean;
      /** The session died (killed, the server restarted): send it nothing more, end the client. */
      sessionLost: boolean;
    };

const MIGRATIONS = '"drizzle"."__drizzle_migrations"';
const STEPS = '"drizzle"."__deploybot_steps"';
const STARTS = '"drizzle"."__deploybot_step_starts"';
const TIMEOUT_SETTINGS = { lockTimeoutMs: 'lock_timeout', statementTimeoutMs: 'statement_timeout' } as const;

/** Runs on `sql`, one reserved connection (a session: the transaction and the autocommit steps share it). */
export async function applySteps(
  sql: postgres.ReservedSql,
  plan: readonly MigrationSteps[],
  options: StepRunOptions = {},
): Promise<StepRun> {
  const log = options.log ?? (() => {});
  let inTransaction = false;
  let ranSinceBegin = false;
  let overridden = new Set<string>();
  let uncommitted: string[] = [];
  const committed: string[] = [];
  let progressed = false;
  let ownSteps = 0;
  let resumed = 0;
  let number = 0;
  const begin = async () => {
    if (inTransaction) return;
    await sql.unsafe('begin');
    inTransaction = true;
    ranSinceBegin = false;
  };
  const commit = async () => {
    if (!inTransaction) return;
    await sql.unsafe('commit');
    inTransaction = false;
    overridden = new Set();
    committed.push(...uncommitted);
    progressed ||= ranSinceBegin;
    uncommitted = [];
  };
  const record = (hash: string, statement: number) =>
    sql`insert into drizzle.__deploybot_steps (hash, statement) values (${hash}, ${statement})`;

  let at: { migration: string; statement: number; mode: StepMode } = { migration: '', statement: 0, mode: 'transaction' };
  const mixed = new Set(plan.filter((m) => m.steps.some((s) => s.own)).map((m) => m.migration.hash));
  const total = plan.reduce((n, m) => n + m.steps.length, 0);
  let done = new Set<string>();
  let started = new Set<string>();
  let pid = 0;
  try {
    await sql.unsafe('CREATE SCHEMA IF NOT EXISTS "drizzle"');
    await sql.unsafe(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    if (mixed.size > 0) ({ done, started } = await stepsRecorded(sql));
    pid = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]?.pid ?? 0;
    for (const { migration, steps } of plan) {
      const recorded = mixed.has(migration.hash);
      for (const step of steps) {
        number++;
        if (done.has(stepKey(migration.hash, step.statement))) {
          resumed++;
          log(`Skipping ${migration.tag} statement ${step.statement + 1}: a previous run completed it.`);
          continue;
        }
        const mode: StepMode = step.own ? 'own-step' : 'transaction';
        at = { migration: migration.tag, statement: step.statement, mode };
        const info = { migration: migration.tag, step: number, steps: total, mode, statement: step.text, backendPid: pid };
        const timeouts = options.timeouts?.(migration.tag, step.statement);
        if (step.own) {
          await commit();
          ownSteps++;
          const key = stepKey(migration.hash, step.statement);
          if (step.own.index) {
            const state = await indexState(sql, step.own.index);
            if (state?.valid && started.has(key)) {
              log(`Index ${state.name} was built by a run that stopped before recording it: keeping it.`);
              await record(migration.hash, step.statement);
              progressed = true;
              resumed++;
              continue;
            }
            if (state && !state.valid) {
              log(`Index ${state.name} is INVALID, left by a failed concurrent build: dropping it to build it again.`);
              // DROP INDEX CONCURRENTLY takes no lock that blocks the table's readers or writers.
              await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${state.name}`);
            }
            // Only a build of ours is started: a VALID index no run started (made by hand) is left
            // to fail the CREATE with "already exists", as drizzle would, on every run.
            if (!state?.valid)
              await sql`insert into drizzle.__deploybot_step_starts (hash, statement) values (${migration.hash}, ${step.statement}) on conflict do nothing`;
          }
          await runAlone(sql, step, timeouts, () => options.onStatement?.(info));
          progressed = true;
          await record(migration.hash, step.statement);
        } else {
          await begin();
          overridden = await setLocalTimeouts(sql, timeouts, overridden);
          options.onStatement?.(info);
          ranSinceBegin = true;
          await sql.unsafe(step.text);
          if (recorded) await record(migration.hash, step.statement);
        }
      }
      at = { migration: migration.tag, statement: steps.at(-1)?.statement ?? 0, mode: 'transaction' };
      await begin();
      ranSinceBegin = true;
      await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.when ?? 0})`;
      if (recorded) {
        await sql`delete from drizzle.__deploybot_steps where hash = ${migration.hash}`;
        await sql`delete from drizzle.__deploybot_step_starts where hash = ${migration.hash}`;
      }
      uncommitted.push(migration.tag);
    }
    await commit();
  } catch (error) {
    const lost = sessionLost(error);
    // A lost session has nothing left to roll back, and postgres.js 3.4.9 must not write to it
    // again: a query on a reserved connection whose backend died throws from a timer, past
    // every catch, and ends the process (porsager/postgres#1208).
    if (inTransaction && !lost) await sql.unsafe('rollback');
    return { ok: false, error, ...at, committed, progressed, sessionLost: lost };
  }
  return { ok: true, applied: committed, ownSteps, resumed };
}

/**
 * postgres.js's own codes for a closed socket, and the SQLSTATEs a server sends as it ends the
 * session: class 57P (operator intervention: pg_terminate_backend is 57P01) and class 08
 * (connection exception), https://www.postgresql.org/docs/15/errcodes-appendix.html.
 */
export function sessionLost(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('CONNECTION_') || code.startsWith('57P') || code.startsWith('08');
}

/** Done and started steps by (hash, statement); creates the tables on the first run that has own steps. */
async function stepsRecorded(sql: postgres.ReservedSql): Promise<{ done: Set<string>; started: Set<string> }> {
  await sql.unsafe(
    `CREATE TABLE IF NOT EXISTS ${STEPS} (hash text NOT NULL, statement integer NOT NULL, done_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (hash, statement))`,
  );
  await sql.unsafe(
    `CREATE TABLE IF NOT EXISTS ${STARTS} (hash text NOT NULL, statement integer NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (hash, statement))`,
  );
  const done = await sql<{ hash: string; statement: number }[]>`select hash, statement from drizzle.__deploybot_steps`;
  const started = await sql<{ hash: string; statement: number }[]>`select hash, statement from drizzle.__deploybot_step_starts`;
  return {
    done: new Set(done.map((r) => stepKey(r.hash, r.statement))),
    started: new Set(started.map((r) => stepKey(r.hash, r.statement))),
  };
}

function stepKey(hash: string, statement: number): string {
  return `${hash}#${statement}`;
}

/**
 * SET (not SET LOCAL: there is no transaction) before, RESET after, so the session returns to
 * the connection's own settings (the startup packet's lock_timeout is the RESET value,
 * https://www.postgresql.org/docs/15/sql-reset.html).
 */
async function runAlone(
  sql: postgres.ReservedSql,
  step: Step,
  timeouts: Partial<StatementTimeouts> | undefined,
  announce: () => void,
): Promise<void> {
  const set = Object.entries(TIMEOUT_SETTINGS).filter(([key]) => timeouts?.[key as keyof StatementTimeouts] !== undefined);
  for (const [key, name] of set) await sql.unsafe(`SET ${name} = ${milliseconds(timeouts?.[key as keyof StatementTimeouts])}`);
  const reset = async () => {
    for (const [, name] of set) await sql.unsafe(`RESET ${name}`);
  };
  try {
    announce();
    await sql.unsafe(step.text);
  } catch (error) {
    // Nothing more may be sent to a session that died (see applySteps).
    if (!sessionLost(error)) await reset();
    throw error;
  }
  await reset();
}

/**
 * SET LOCAL lasts until the transaction ends, so a statement without its own value gets the
 * session's back with SET LOCAL ... TO DEFAULT (https://www.postgresql.org/docs/15/sql-set.html).
 */
async function setLocalTimeouts(
  sql: postgres.ReservedSql,
  timeouts: Partial<StatementTimeouts> | undefined,
  overridden: Set<string>,
): Promise<Set<string>> {
  const now = new Set<string>();
  for (const [key, name] of Object.entries(TIMEOUT_SETTINGS)) {
    const value = timeouts?.[key as keyof StatementTimeouts];
    if (value !== undefined) {
      await sql.unsafe(`SET LOCAL ${name} = ${milliseconds(value)}`);
      now.add(name);
    } else if (overridden.has(name)) {
      await sql.unsafe(`SET LOCAL ${name} TO DEFAULT`);
    }
  }
  return now;
}

function milliseconds(value: number | undefined): string {
  // Interpolated into SET, which takes no bind parameters: only a whole number gets there.
  if (value === undefined || !Number.isInteger(value) || value < 0) throw new Error(`not a timeout in ms: ${value}`);
  return `'${value}ms'`;
}

/**
 * Where a CREATE INDEX CONCURRENTLY step's index stands: absent, VALID, or INVALID. A failed build
 * (a duplicate key, a cancel, a killed session) leaves the index behind marked INVALID
 * (pg_index.indisvalid = false), and the same CREATE then fails with "already exists"
 * (https://www.postgresql.org/docs/15/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY): the
 * documented way out is to drop it and build again. `name` is schema-qualified and quoted.
 */
async function indexState(sql: postgres.ReservedSql, index: ConcurrentIndex): Promise<{ name: string; valid: boolean } | undefined> {
  const table = index.schema ? `${quoteIdent(index.schema)}.${quoteIdent(index.table)}` : quoteIdent(index.table);
  const [found] = await sql<{ schema: string; valid: boolean }[]>`
    select n.nspname as schema, i.indisvalid as valid
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    where c.relname = ${index.name} and i.indrelid = to_regclass(${table})`;
  return found ? { name: `${quoteIdent(found.schema)}.${quoteIdent(index.name)}`, valid: found.valid } : undefined;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
