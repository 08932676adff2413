import type { PGlite } from '@electric-sql/pglite';
import type { LockMode, StatementTrace } from '../review/model.ts';

export type { StatementTrace };

// What the dry run saw each pending statement do, as Eugene does on a throw-away server: the
// relation locks the session holds (pg_locks, which PGlite reports like any PostgreSQL backend)
// and the relations whose relfilenode changed (a new file means the table was rewritten,
// https://www.postgresql.org/docs/current/storage-file-layout.html). Locks are held to the end
// of the transaction, so each statement's are those not held after the previous one. Only
// relations that existed before the pending set count, as in the review.

const MODES: Record<string, LockMode> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};

// Tables only: an index is locked and rebuilt with its table, and the review speaks of tables.
const USER_RELATIONS = `c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

export class LockTracer {
  readonly trace: StatementTrace[] = [];
  readonly #held = new Set<string>();

  private constructor(
    private readonly db: PGlite,
    /** oid -> relation name and relfilenode, for relations that existed before the pending set. */
    private readonly files: Map<number, { relation: string; file: number }>,
  ) {}

  static async start(db: PGlite): Promise<LockTracer> {
    const { rows } = await db.query<{ oid: number; relation: string; file: number }>(
      `select c.oid::int as oid, n.nspname || '.' || c.relname as relation, c.relfilenode::int as file
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_RELATIONS}`,
    );
    const tracer = new LockTracer(db, new Map(rows.map((r) => [r.oid, { relation: r.relation, file: r.file }])));
    for (const lock of await tracer.#locks()) tracer.#held.add(`${lock.relation}:${lock.mode}`);
    return tracer;
  }

  async after(migration: string, index: number): Promise<void> {
    const locks = (await this.#locks()).filter((l) => !this.#held.has(`${l.relation}:${l.mode}`));
    for (const l of locks) this.#held.add(`${l.relation}:${l.mode}`);
    const { rows } = await this.db.query<{ oid: number; relation: string; file: number }>(
      `select c.oid::int as oid, n.nspname || '.' || c.relname as relation, c.relfilenode::int as file
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = any($1::oid[])`,
      [[...this.files.keys()]],
    );
    const rewritten: string[] = [];
    for (const row of rows) {
      const before = this.files.get(row.oid);
      if (before && before.file !== row.file) {
        rewritten.push(row.relation);
        this.files.set(row.oid, { relation: row.relation, file: row.file });
      }
    }
    this.trace.push({ migration, index, locks, rewritten });
  }

  async #locks(): Promise<{ relation: string; mode: LockMode }[]> {
    const { rows } = await this.db.query<{ oid: number; mode: string }>(
      `select l.relation::int as oid, l.mode from pg_locks l
       where l.locktype = 'relation' and l.pid = pg_backend_pid() and l.granted`,
    );
    return rows.flatMap((r) => {
      const known = this.files.get(r.oid);
      const mode = MODES[r.mode];
      return known && mode ? [{ relation: known.relation, mode }] : [];
    });
  }
}
