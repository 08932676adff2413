import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, runMigrations } from '../../database/run-migrations.ts';
import { estimateRemainingMs, MONITOR_APPLICATION_NAME, readStepProgress } from '../../database/run-monitor.ts';
import type { RunProgress } from '../../src/run-progress.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { drizzleFolder } from '../support/migration-folders.ts';
import { openTransaction } from '../support/open-transaction.ts';

// The migrator's watch from a second connection, against real PostgreSQL: a session that holds
// a lock in an open transaction while the migrator waits for it, traffic that queues behind the
// migrator, and a statement that runs long.

type Seen = { at: number; text: string; event: RunProgress };

describe('the run monitor', () => {
  let db: TestDatabase;
  let app: postgres.Sql;

  beforeEach(async () => {
    db = await createTestDatabase();
    app = postgres(db.url, { max: 3, onnotice: () => {}, connection: { application_name: 'reporting-worker' } });
    await app`create table orders (id serial primary key, customer int not null)`;
    await app`insert into orders (customer) select g from generate_series(1, 1000) g`;
  });
  afterEach(async () => {
    await app.end({ timeout: 1 });
    await db.drop();
  });

  /** ACCESS SHARE on orders in an open transaction whose last query carries a secret. */
  const holdOrders = () => openTransaction(app, "select count(*) from orders where 'postgres://report:hunter2@db.internal/prod' <> ''");

  it('names who blocks the migrator within seconds, counts the traffic queued behind it, and gives up at the threshold', async () => {
    const folder = drizzleFolder([{ tag: '0000_orders_note', sql: 'ALTER TABLE "orders" ADD COLUMN "note" text;' }]);
    const blocker = await holdOrders();
    const seen: Seen[] = [];
    const started = performance.now();
    let queued: Promise<unknown> | undefined;
    try {
      const run = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: folder,
        // lock_timeout far away: what ends the wait here is the monitor.
        settings: { ...DEFAULT_SETTINGS, attempts: 1, lockTimeoutMs: 60_000, giveUpAfterMs: 1500, monitorPollMs: 200, heartbeatMs: 60_000 },
        log: () => {},
        progress: (text, event) => {
          seen.push({ at: performance.now() - started, text, event });
          // Traffic arrives once the migrator waits: it queues behind the ACCESS EXCLUSIVE request.
          // (postgres.js sends a query only when it is awaited or executed.)
          if (event.kind === 'blocked' && !queued) queued = app`select count(*) from orders`.execute();
        },
      });
      expect(run).toMatchObject({ ok: false, stage: 'migration' });
      if (!run.ok) {
        expect(run.reason).toContain(`Gave up after waiting`);
        expect(run.reason).toContain(`pid ${blocker.pid} (reporting-worker, idle in transaction`);
      }
    } finally {
      blocker.release();
      await blocker.done;
    }
    const blocked = seen.find((s) => s.event.kind === 'blocked');
    expect(blocked, JSON.stringify(seen)).toBeDefined();
    expect(blocked?.at).toBeLessThan(5000);
    if (blocked?.event.kind !== 'blocked') return;
    expect(blocked.event.lockMode).toBe('AccessExclusiveLock');
    expect(blocked.event.blockers).toEqual([
      expect.objectContaining({ pid: blocker.pid, application: 'reporting-worker', state: 'idle in transaction' }),
    ]);
    // Its last query held a connection string: never in an event.
    expect(JSON.stringify(seen)).not.toContain('hunter2');
    expect(blocked.event.blockers[0]?.query).toContain('select count(*) from orders');
    const gaveUp = seen.find((s) => s.event.kind === 'gave-up');
    expect(gaveUp?.event).toMatchObject({ kind: 'gave-up', thresholdMs: 1500, attempt: 1 });
    if (gaveUp?.event.kind === 'gave-up') expect(gaveUp.event.blockers[0]?.pid).toBe(blocker.pid);
    // It gave up because the reader queued behind the migrator, and says so.
    expect(gaveUp?.text).toMatch(/1 session queued behind it for the threshold of 1\.5 s/);
    // The queued reader got through once the migrator stopped waiting; the blocker's transaction was untouched.
    await expect(queued).resolves.toBeDefined();
    const columns = await app`select 1 from information_schema.columns where table_name = 'orders' and column_name = 'note'`;
    expect(columns).toHaveLength(0);
  }, 60_000);

  it('leaves a wait nobody queues behind to the lock_timeout, and says who blocked', async () => {
    const folder = drizzleFolder([{ tag: '0000_orders_note', sql: 'ALTER TABLE "orders" ADD COLUMN "note" text;' }]);
    const blocker = await holdOrders();
    const seen: RunProgress[] = [];
    try {
      const run = await runMigrations({
        databaseUrl: db.url,
        migrationsFolder: folder,
        settings: { ...DEFAULT_SETTINGS, attempts: 1, lockTimeoutMs: 2500, giveUpAfterMs: 500, monitorPollMs: 200, heartbeatMs: 60_000 },
        log: () => {},
        progress: (_text, event) => seen.push(event),
      });
      expect(run).toMatchObject({ ok: false });
      if (!run.ok) expect(run.reason).toContain('lock_timeout (2500 ms) reached');
    } finally {
      blocker.release();
      await blocker.done;
    }
    expect(seen.some((e) => e.kind === 'blocked')).toBe(true);
    expect(seen.some((e) => e.kind === 'gave-up')).toBe(false);
  }, 60_000);

  it('sends a heartbeat while a statement runs, and closes its connection when the run ends', async () => {
    const folder = drizzleFolder([{ tag: '0000_slow', sql: 'SELECT pg_sleep(1.2);' }]);
    const seen: RunProgress[] = [];
    const run = await runMigrations({
      databaseUrl: db.url,
      migrationsFolder: folder,
      settings: { ...DEFAULT_SETTINGS, monitorPollMs: 100, heartbeatMs: 300 },
      log: () => {},
      progress: (_text, event) => seen.push(event),
    });
    expect(run).toMatchObject({ ok: true });
    const beats = seen.filter((e) => e.kind === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatchObject({ kind: 'heartbeat', migration: '0000_slow', step: 1, steps: 1, lockWaitMs: 0 });
    const elapsed = beats.map((b) => (b.kind === 'heartbeat' ? b.elapsedMs : 0));
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(seen.some((e) => e.kind === 'blocked')).toBe(false);
    const monitors = await app`select 1 from pg_stat_activity where application_name = ${MONITOR_APPLICATION_NAME}`;
    expect(monitors).toHaveLength(0);
  }, 60_000);

  it("reads an index build's phase and blocks from pg_stat_progress_create_index", async () => {
    // CREATE INDEX CONCURRENTLY waits for transactions that could write the table before it
    // builds, and reports that wait as a phase: with a writer's transaction held open, the build
    // is certainly under way when it is read (https://www.postgresql.org/docs/15/progress-reporting.html#CREATE-INDEX-PHASES).
    const writer = await openTransaction(app, 'insert into orders (customer) values (0)');
    const builder = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await builder<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const building = builder`create index concurrently orders_customer_idx on orders (customer)`.execute();
      let progress: Awaited<ReturnType<typeof readStepProgress>>;
      const until = performance.now() + 20_000;
      while (!progress && performance.now() < until) progress = await readStepProgress(app, row?.pid ?? 0);
      expect(progress?.phase).toBe('waiting for writers before build');
      expect(progress?.blocksTotal).toBeGreaterThanOrEqual(progress?.blocksDone ?? 0);
      writer.release();
      await writer.done;
      await building;
    } finally {
      writer.release();
      await builder.end();
    }
    expect(await readStepProgress(app, 0)).toBeUndefined();
  }, 60_000);

  it('estimates the rest of a scan at the pace so far, and nothing without a pace', () => {
    expect(estimateRemainingMs(10_000, 250, 1000)).toBe(30_000);
    expect(estimateRemainingMs(10_000, 0, 1000)).toBeUndefined();
    expect(estimateRemainingMs(0, 10, 1000)).toBeUndefined();
    expect(estimateRemainingMs(10_000, 1000, 1000)).toBe(0);
  });
});
