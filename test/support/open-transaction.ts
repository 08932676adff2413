import type postgres from 'postgres';

/**
 * An application's transaction left open after `query`, as a busy service holds one: the locks
 * the query took (and, under `isolation level repeatable read`, its snapshot) stay held until
 * release(). `pid` is its backend, as pg_locks names it.
 */
export async function openTransaction(
  sql: postgres.Sql,
  query: string,
  isolation = '',
): Promise<{ pid: number; release: () => void; done: Promise<unknown> }> {
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let held: (pid: number) => void = () => {};
  const holds = new Promise<number>((r) => {
    held = r;
  });
  const done = sql.begin(isolation, async (tx) => {
    const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await tx.unsafe(query);
    held(row?.pid ?? 0);
    await released;
  });
  // A transaction that fails before it holds anything must fail the test, not hang it.
  const pid = await Promise.race([holds, done.then(() => Promise.reject(new Error(`the transaction ended before it held: ${query}`)))]);
  return { pid, release, done };
}
