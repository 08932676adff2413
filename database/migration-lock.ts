import type postgres from 'postgres';

// One migrator at a time. drizzle's migrator takes no lock of its own: two builds started
// together both read the same "last applied" row and both run the pending set. A session
// advisory lock (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS)
// held for the whole run serializes them; the second one polls with pg_try_advisory_lock, so
// it can say who holds the lock and give up after a bounded wait instead of queueing forever.
//
// Two int4 keys rather than one bigint, because pg_locks shows them as they are: classid = the
// first key, objid = the second, objsubid = 2 (docs: pg_locks, "advisory" lock type).
export const MIGRATION_LOCK_KEYS = [0x64616164, 0x6d696772] as const; // 'daad', 'migr'

/** What the migrator calls itself in pg_stat_activity, so the holder is recognisable. */
export const MIGRATOR_APPLICATION_NAME = 'daadaar-deploybot migrate';

export interface LockWait {
  /** How long to wait for another migrator before giving up. */
  waitMs: number;
  pollMs: number;
  log: (line: string) => void;
}

export type LockResult = { ok: true; waitedMs: number } | { ok: false; reason: string };

export async function acquireMigrationLock(sql: postgres.Sql, { waitMs, pollMs, log }: LockWait): Promise<LockResult> {
  const [k1, k2] = MIGRATION_LOCK_KEYS;
  const started = Date.now();
  let lastHolder = '';
  for (;;) {
    const [row] = await sql<{ locked: boolean }[]>`select pg_try_advisory_lock(${k1}::int, ${k2}::int) as locked`;
    if (row?.locked) return { ok: true, waitedMs: Date.now() - started };
    const holder = await describeLockHolder(sql);
    if (holder !== lastHolder) {
      log(`Waiting for the migration lock (up to ${seconds(waitMs)} s): held by ${holder}.`);
      lastHolder = holder;
    }
    const waited = Date.now() - started;
    if (waited >= waitMs) {
      return {
        ok: false,
        reason: `Another migrator still holds the migration lock after ${seconds(waited)} s: ${holder}. Nothing was applied; run again once it has finished.`,
      };
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, waitMs - waited)));
  }
}

export async function releaseMigrationLock(sql: postgres.Sql): Promise<void> {
  const [k1, k2] = MIGRATION_LOCK_KEYS;
  await sql`select pg_advisory_unlock(${k1}::int, ${k2}::int)`;
}

/** Who holds the lock, from pg_locks and pg_stat_activity, in one line. */
export async function describeLockHolder(sql: postgres.Sql): Promise<string> {
  const [k1, k2] = MIGRATION_LOCK_KEYS;
  const rows = await sql<
    {
      pid: number;
      application_name: string | null;
      client: string | null;
      backend_start: Date | null;
      state: string | null;
      query: string | null;
    }[]
  >`
    select a.pid, a.application_name, host(a.client_addr) as client, a.backend_start, a.state, left(a.query, 120) as query
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid::bigint = ${k1}::bigint and l.objid::bigint = ${k2}::bigint
      and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())`;
  const [h] = rows;
  if (!h) return 'a session that has just released it';
  const parts = [
    `pid ${h.pid}`,
    `application '${h.application_name || '?'}'`,
    h.client ? `from ${h.client}` : 'from a local socket',
    h.backend_start ? `connected since ${new Date(h.backend_start).toISOString()}` : '',
    h.state ? `now ${h.state}` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
