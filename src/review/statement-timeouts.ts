import { blocksOf, lockRank } from './lock-model.ts';
import type { RelationLock, SizeGrade } from './model.ts';

// How long each statement may wait for its lock and how long it may run, chosen from what the
// review already knows: the strongest lock it takes on an existing table and that table's size.
//
// lock_timeout: a statement waiting for a lock queues every later request for the table
// behind its own (https://www.postgresql.org/docs/current/explicit-locking.html: lock requests
// are granted in order), so the wait is what traffic feels. The more the lock blocks, the
// shorter the wait allowed; the runner rolls back and retries with backoff (GitLab's
// `with_lock_retries`, gitlab-org/gitlab#339115, does the same at the transaction level).
// statement_timeout: once a blocking lock is held, the statement's run time is the outage; it is
// bounded by what the table's size makes plausible. A statement that blocks neither reads nor
// writes (CREATE INDEX CONCURRENTLY, a batched UPDATE's row locks) may run as long as it needs:
// cutting it would waste the work and protect no one.
// (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT)

export interface TimeoutPolicy {
  /** lock_timeout, by what the statement's strongest lock blocks. */
  lockTimeoutMs: { readsAndWrites: number; writes: number; neither: number };
  /** statement_timeout of a statement whose lock blocks reads or writes, by the locked table's size; 0 is none. */
  statementTimeoutMs: Record<SizeGrade, number>;
  /**
   * How long the run may wait for a lock while other sessions queue behind it before the
   * migrator's watch (database/run-monitor.ts) cancels the attempt, whatever its lock_timeout.
   */
  giveUpAfterMs: number;
}

export const DEFAULT_TIMEOUT_POLICY: TimeoutPolicy = {
  // ACCESS EXCLUSIVE stops every reader queued behind the request: 3 s is a pause a web request survives.
  lockTimeoutMs: { readsAndWrites: 3000, writes: 5000, neither: 10_000 },
  statementTimeoutMs: { small: 60_000, medium: 600_000, large: 1_800_000, unknown: 600_000 },
  // As long as the longest lock_timeout of a statement that blocks traffic: queued traffic
  // never waits longer behind the migrator than a statement may wait for its lock.
  giveUpAfterMs: 5000,
};

export interface StatementTimeouts {
  lockTimeoutMs: number;
  /** 0: no statement_timeout. */
  statementTimeoutMs: number;
}

/** The timeouts of one statement, from its locks and the sizes of the tables they are on. */
export function statementTimeouts(
  locks: readonly RelationLock[],
  sizes: ReadonlyMap<string, SizeGrade>,
  policy: TimeoutPolicy = DEFAULT_TIMEOUT_POLICY,
): StatementTimeouts {
  const strongest = locks.reduce<RelationLock | undefined>((a, b) => (a && lockRank(a.mode) >= lockRank(b.mode) ? a : b), undefined);
  const blocks = strongest ? blocksOf(strongest.mode) : 'no reads or writes';
  if (blocks === 'no reads or writes') return { lockTimeoutMs: policy.lockTimeoutMs.neither, statementTimeoutMs: 0 };
  const lockTimeoutMs = blocks === 'reads and writes' ? policy.lockTimeoutMs.readsAndWrites : policy.lockTimeoutMs.writes;
  // The largest table it blocks decides how long it may plausibly run.
  const grades = locks.filter((l) => blocksOf(l.mode) !== 'no reads or writes').map((l) => sizes.get(l.relation) ?? 'unknown');
  const allowed = grades.map((g) => policy.statementTimeoutMs[g]);
  return { lockTimeoutMs, statementTimeoutMs: allowed.includes(0) ? 0 : Math.max(...allowed) };
}

/** `3 s`, `10 min`, `none`. */
export function describeTimeout(ms: number): string {
  if (ms === 0) return 'none';
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
