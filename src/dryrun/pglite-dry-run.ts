import type { PGlite } from '@electric-sql/pglite';
import type { MigrationSource } from '../review/model.ts';
import { loadSqlParser } from '../review/parse.ts';
import { type SplitStatement, splitMigration } from '../review/split.ts';
import { LockTracer, type StatementTrace } from './lock-trace.ts';

// The dry run: replay the history the target has applied into an embedded PostgreSQL, then
// apply the pending set in one transaction as drizzle's migrator does, and say whether it
// executes. One PGlite instance per process (its start-up costs seconds); each run happens
// inside a transaction that is rolled back, so the instance is clean for the next one.

export type DryRunResult =
  | {
      ok: true;
      ms: number;
      migrations: number;
      statements: number;
      /** What each pending statement locked and rewrote, when the runner traces. */
      trace?: StatementTrace[];
    }
  | {
      ok: false;
      /** `history` when replaying what the target already applied failed, `pending` for the set under review. */
      stage: 'history' | 'pending';
      tag: string;
      file: string;
      /** 1-based line of the failing statement in its file. */
      line: number;
      statement: string;
      error: string;
      code?: string;
      ms: number;
    };

export interface DryRunner {
  run(history: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult>;
}

interface PgError {
  message?: string;
  code?: string;
  position?: string;
}

export interface DryRunnerOptions {
  /** Record the locks and rewrites of each pending statement (two catalog queries per statement). */
  trace?: boolean;
}

export class PgliteDryRunner implements DryRunner {
  #db?: Promise<PGlite>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DryRunnerOptions = {}) {}

  run(history: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult> {
    const next = this.#queue.then(() => this.#runAlone(history, pending));
    this.#queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) await (await db).close();
  }

  async #runAlone(history: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult> {
    await loadSqlParser();
    if (this.options.trace) return this.#traced(history, pending);
    this.#db ??= import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create());
    const db = await this.#db;
    await db.exec('BEGIN');
    const started = performance.now();
    try {
      for (const m of history) {
        const failed = await execMigration(db, m);
        if (typeof failed !== 'number') return { ok: false, stage: 'history', ...failed, ms: Math.round(performance.now() - started) };
      }
      return await applyPending(db, pending);
    } finally {
      await this.#reset(db);
    }
  }

  /**
   * A traced run needs the history committed: a table the history created in the same
   * transaction is already held in ACCESS EXCLUSIVE, which would hide every pending statement's
   * lock on it. So it gets an instance of its own, discarded afterwards.
   */
  async #traced(history: readonly MigrationSource[], pending: readonly MigrationSource[]): Promise<DryRunResult> {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    const started = performance.now();
    try {
      for (const m of history) {
        const failed = await execMigration(db, m);
        if (typeof failed !== 'number') return { ok: false, stage: 'history', ...failed, ms: Math.round(performance.now() - started) };
      }
      await db.exec('BEGIN');
      return await applyPending(db, pending, await LockTracer.start(db));
    } finally {
      await db.close().catch(() => {});
    }
  }

  /** Roll back; if a migration escaped the transaction (its own COMMIT), start afresh next time. */
  async #reset(db: PGlite): Promise<void> {
    try {
      await db.exec('ROLLBACK');
      const left = await db.query<{ n: number }>(
        `select count(*)::int as n from pg_namespace where nspname not in ('public', 'information_schema') and nspname not like 'pg\\_%'`,
      );
      const tables = await db.query<{ n: number }>(`select count(*)::int as n from pg_class where relnamespace = 'public'::regnamespace`);
      if ((left.rows[0]?.n ?? 0) === 0 && (tables.rows[0]?.n ?? 0) === 0) return;
    } catch {
      // fall through: the instance is in an unknown state
    }
    this.#db = undefined;
    await db.close().catch(() => {});
  }
}

async function applyPending(db: PGlite, pending: readonly MigrationSource[], tracer?: LockTracer): Promise<DryRunResult> {
  const started = performance.now();
  let statements = 0;
  for (const m of pending) {
    const ran = await execMigration(db, m, tracer);
    if (typeof ran !== 'number') return { ok: false, stage: 'pending', ...ran, ms: Math.round(performance.now() - started) };
    statements += ran;
  }
  const ms = Math.round(performance.now() - started);
  return { ok: true, ms, migrations: pending.length, statements, ...(tracer ? { trace: tracer.trace } : {}) };
}

async function execMigration(
  db: PGlite,
  m: MigrationSource,
  tracer?: LockTracer,
): Promise<Omit<Extract<DryRunResult, { ok: false }>, 'ok' | 'stage' | 'ms'> | number> {
  // The review's own split: the dry run executes exactly the statements the review showed.
  const statements = splitMigration(m.sql);
  for (const [index, statement] of statements.entries()) {
    if (statement.tooSlowToScan) {
      // PGlite's scanner is PostgreSQL's: it would spend minutes on this text, inside the bot's deadline.
      return { ...failedAt(m, statement), error: `not run: ${statement.error}` };
    }
    try {
      await db.exec(statement.sql);
      await tracer?.after(m.tag, index);
    } catch (error) {
      const e = error as PgError;
      return { ...failedAt(m, statement), error: e.message ?? String(error), code: e.code };
    }
  }
  return statements.length;
}

function failedAt(m: MigrationSource, statement: SplitStatement): { tag: string; file: string; line: number; statement: string } {
  return { tag: m.tag, file: m.file, line: m.sql.slice(0, statement.start).split('\n').length, statement: statement.sql };
}
