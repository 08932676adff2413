import type { PGlite } from '@electric-sql/pglite';
import type { Node } from 'libpg-query';
import type { MigrationSource } from '../review/model.ts';
import { loadSqlParser } from '../review/parse.ts';
import { splitMigration } from '../review/split.ts';
import type { DryRunContext } from './context.ts';
import { contribModules, createdExtensions, loadContrib, missingFromEmbedded } from './extensions.ts';
import { LockTracer, type StatementTrace } from './lock-trace.ts';
import { failsOnAnyRow, populateTables } from './populate.ts';

export type { StatementTrace };

// The dry run: replay the history the target has applied into an embedded PostgreSQL, then
// apply the pending set in one transaction as drizzle's migrator does, and say whether it
// executes. One PGlite instance per process (its start-up costs seconds); each run happens
// inside a transaction that is rolled back, so the instance is clean for the next one.

/** Where a run stopped: the statement, its file and 1-based line, and what PostgreSQL said. */
interface Stop {
  /** `setup` for the context's SQL, `history` for what the target already applied, `pending` for the set under review. */
  stage: 'setup' | 'history' | 'pending';
  tag: string;
  file: string;
  line: number;
  statement: string;
  error: string;
  code?: string;
  ms: number;
}

export type DryRunResult =
  | {
      ok: true;
      ms: number;
      migrations: number;
      statements: number;
      /** What each pending statement locked and rewrote, when the runner traces. */
      trace?: StatementTrace[];
      /** Tables that held a synthetic row while the pending set ran. */
      populated?: string[];
      /** A statement failed only on the synthetic rows' made-up values: real data may pass or fail. */
      notJudged?: Omit<Stop, 'ms'>;
    }
  | ({
      ok: false;
      status: 'failed';
      /** Set when only the synthetic rows made it fail, and any row would: "fails on a populated table". */
      populated?: string[];
    } & Stop)
  | ({
      ok: false;
      /** The embedded server lacks what the SQL needs (`extension "vector"`): not a verdict on the SQL. */
      status: 'unavailable';
      missing: string;
    } & Stop);

export interface DryRunner {
  run(history: readonly MigrationSource[], pending: readonly MigrationSource[], context?: DryRunContext): Promise<DryRunResult>;
}

interface PgError {
  message?: string;
  code?: string;
}

export interface DryRunnerOptions {
  /** Record the locks and rewrites of each pending statement (two catalog queries per statement). */
  trace?: boolean;
}

type Failure = Omit<Stop, 'stage' | 'ms'> & { ast?: Node; unavailable?: string };

export class PgliteDryRunner implements DryRunner {
  #db?: Promise<PGlite>;
  /** The contrib modules the shared instance was started with. */
  #modules = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DryRunnerOptions = {}) {}

  run(history: readonly MigrationSource[], pending: readonly MigrationSource[], context: DryRunContext = {}): Promise<DryRunResult> {
    const next = this.#queue.then(() => this.#runAlone(history, pending, context));
    this.#queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) await (await db).close();
  }

  async #runAlone(history: readonly MigrationSource[], pending: readonly MigrationSource[], context: DryRunContext): Promise<DryRunResult> {
    await loadSqlParser();
    const sqls = [context.setup?.sql ?? '', ...history.map((m) => m.sql), ...pending.map((m) => m.sql)];
    const modules = contribModules(createdExtensions(sqls));
    if (this.options.trace) return this.#traced(history, pending, context, modules);
    const db = await this.#instance(modules);
    await db.exec('BEGIN');
    const started = performance.now();
    try {
      const before = await prepare(db, history, context, true);
      if (before) return { ...before, ms: Math.round(performance.now() - started) };
      if (!context.populated || context.populated.length === 0) return (await applyPending(db, pending)).result;
      await db.exec('SAVEPOINT deploybot_before_rows');
      const { seeded } = await populateTables(db, context.populated);
      const withRows = await applyPending(db, pending, seeded);
      if (withRows.result.ok || seeded.length === 0) return withRows.result;
      await db.exec('ROLLBACK TO SAVEPOINT deploybot_before_rows');
      return judged(withRows, await applyPending(db, pending), seeded);
    } finally {
      await this.#reset(db);
    }
  }

  /** The shared instance, restarted with more contrib modules when a run needs one it lacks. */
  async #instance(modules: readonly string[]): Promise<PGlite> {
    if (this.#db && modules.some((m) => !this.#modules.has(m))) await this.close();
    if (!this.#db) {
      this.#modules = new Set([...this.#modules, ...modules]);
      this.#db = createPglite([...this.#modules]);
    }
    return this.#db;
  }

  /**
   * A traced run needs the history committed: a table the history created in the same
   * transaction is already held in ACCESS EXCLUSIVE, which would hide every pending statement's
   * lock on it. So it gets an instance of its own, discarded afterwards. The synthetic rows are
   * committed too (their ROW EXCLUSIVE would hide the pending set's); a failure they cause is
   * judged by an untraced run, which can take them back.
   */
  async #traced(
    history: readonly MigrationSource[],
    pending: readonly MigrationSource[],
    context: DryRunContext,
    modules: readonly string[],
  ): Promise<DryRunResult> {
    const db = await createPglite(modules);
    const started = performance.now();
    let seeded: string[] = [];
    try {
      const before = await prepare(db, history, context, false);
      if (before) return { ...before, ms: Math.round(performance.now() - started) };
      if (context.populated && context.populated.length > 0) {
        await db.exec('BEGIN');
        seeded = (await populateTables(db, context.populated)).seeded;
        await db.exec('COMMIT');
      }
      await db.exec('BEGIN');
      const { result } = await applyPending(db, pending, seeded, await LockTracer.start(db));
      if (result.ok || seeded.length === 0) return result;
    } finally {
      await db.close().catch(() => {});
    }
    const untraced = new PgliteDryRunner();
    try {
      return await untraced.run(history, pending, context);
    } finally {
      await untraced.close();
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

async function createPglite(modules: readonly string[]): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create({ extensions: await loadContrib(modules) });
}

/** search_path, setup and history; the stop that ended it, if any. */
async function prepare(
  db: PGlite,
  history: readonly MigrationSource[],
  context: DryRunContext,
  local: boolean,
): Promise<Extract<DryRunResult, { ok: false }> | undefined> {
  // set_config takes the list as a value: a search_path is never spliced into SQL text.
  if (context.searchPath) await db.query('select set_config($1, $2, $3)', ['search_path', context.searchPath, local]);
  const setup = context.setup;
  if (setup) {
    const failed = await execMigration(db, { tag: 'setup', file: setup.file, sql: setup.sql, hash: '' });
    if (failed) return stopped('setup', failed, 0);
  }
  for (const m of history) {
    const failed = await execMigration(db, m);
    if (failed) return stopped('history', failed, 0);
  }
  return undefined;
}

function stopped(stage: Stop['stage'], failure: Failure, ms: number): Extract<DryRunResult, { ok: false }> {
  const { ast: _ast, unavailable, ...where } = failure;
  const missing = unavailable ?? missingFromEmbedded({ code: failure.code, message: failure.error });
  return missing
    ? { ok: false, status: 'unavailable', missing, stage, ...where, ms }
    : { ok: false, status: 'failed', stage, ...where, ms };
}

/** A run's result and, when it stopped, the parsed statement it stopped at. */
interface Applied {
  result: DryRunResult;
  ast?: Node;
}

async function applyPending(
  db: PGlite,
  pending: readonly MigrationSource[],
  populated: string[] = [],
  tracer?: LockTracer,
): Promise<Applied> {
  const started = performance.now();
  let statements = 0;
  for (const m of pending) {
    const failed = await execMigration(db, m, tracer);
    if (failed) return { result: stopped('pending', failed, Math.round(performance.now() - started)), ast: failed.ast };
    statements += splitMigration(m.sql).length;
  }
  const ms = Math.round(performance.now() - started);
  return {
    result: {
      ok: true,
      ms,
      migrations: pending.length,
      statements,
      ...(tracer ? { trace: tracer.trace } : {}),
      ...(populated.length ? { populated } : {}),
    },
  };
}

/**
 * The pending set failed with synthetic rows in `seeded`; `empty` is the same run without them.
 * Failing at the same statement, the rows did not cause it. Otherwise the rows did: a statement
 * that would fail on any row fails the dry run, labelled so; one that judged the rows' made-up
 * values is not judged, and the run on empty tables speaks for the rest.
 */
function judged(withRows: Applied, empty: Applied, seeded: string[]): DryRunResult {
  const full = withRows.result;
  const bare = empty.result;
  if (full.ok) return full;
  if (!bare.ok && bare.file === full.file && bare.line === full.line) return bare;
  if (full.status === 'failed' && failsOnAnyRow(withRows.ast)) return { ...full, populated: seeded };
  if (!bare.ok) return bare;
  const { stage, tag, file, line, statement, error, code } = full;
  return { ...bare, populated: seeded, notJudged: { stage, tag, file, line, statement, error, code } };
}

async function execMigration(db: PGlite, m: MigrationSource, tracer?: LockTracer): Promise<Failure | undefined> {
  // The review's own split: the dry run executes exactly the statements the review showed.
  for (const [index, statement] of splitMigration(m.sql).entries()) {
    const at = { tag: m.tag, file: m.file, line: m.sql.slice(0, statement.start).split('\n').length, statement: statement.sql };
    // PGlite's scanner is PostgreSQL's: it would spend minutes on this text, inside the bot's deadline.
    if (statement.tooSlowToScan) return { ...at, error: `not run: ${statement.error}` };
    const serverSide = serverSideCopy(statement.ast);
    if (serverSide) return { ...at, error: `not run: ${serverSide} cannot run in embedded PostgreSQL`, unavailable: serverSide };
    try {
      await db.exec(statement.sql);
      await tracer?.after(m.tag, index);
    } catch (error) {
      const e = error as PgError;
      return { ...at, error: e.message ?? String(error), code: e.code, ast: statement.ast };
    }
  }
  return undefined;
}

/**
 * COPY to or from a server program or file runs on the database server as its OS user (superuser
 * or pg_execute_server_program / pg_read_server_files, https://www.postgresql.org/docs/15/sql-copy.html).
 * The embedded server has no such OS: PGlite 0.5 answers COPY … TO PROGRAM and then never answers
 * the next query (seen here: the instance hangs on the catalog read after ROLLBACK), so the dry
 * run says it could not judge the statement rather than run it.
 */
function serverSideCopy(ast: Node | undefined): string | undefined {
  const copy = ast && 'CopyStmt' in ast ? ast.CopyStmt : undefined;
  if (!copy) return undefined;
  const direction = copy.is_from ? 'FROM' : 'TO';
  if (copy.is_program) return `COPY … ${direction} PROGRAM`;
  if (copy.filename) return `COPY … ${direction} a server file`;
  return undefined;
}
