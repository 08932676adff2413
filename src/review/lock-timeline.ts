import { blocksOf, lockRank } from './lock-model.ts';
import type { LockMode, Review, TableSize } from './model.ts';
import { describeSize } from './table-size.ts';

// drizzle-orm applies every pending migration in one transaction (PgDialect.migrate in
// drizzle-orm/src/pg-core/dialect.ts), and PostgreSQL releases a table lock only at the end of
// the transaction (https://www.postgresql.org/docs/current/explicit-locking.html): a lock the
// first statement takes is held while every later statement runs. The timeline says, per table,
// from which statement it is locked in its strongest mode and for how many statements after.

export interface TimelineEntry {
  relation: string;
  mode: LockMode;
  blocks: string;
  /** Where the run first takes the lock in this mode. */
  from: { migration: string; file: string; line: number };
  /** Statements the run executes after that one, all while the lock is held. */
  statementsAfter: number;
  /**
   * Set when the lock is released before the end of the run: at the commit before an own step
   * (database/step-runner.ts), or, for an own step's lock, when that statement ends.
   */
  until?: { migration: string; line: number; ownStep: boolean };
  /** Set when a weaker lock was taken earlier. */
  firstLocked?: { migration: string; line: number; mode: LockMode };
  size?: TableSize;
}

export function lockTimeline(review: Review): TimelineEntry[] {
  const statements = review.statements;
  const total = statements.length;
  // The migrator commits before each statement it runs alone: where each transaction ends.
  const commitAt: number[] = new Array(total);
  for (let i = total - 1, next = total; i >= 0; i--) {
    commitAt[i] = next;
    if (statements[i]?.ownStep) next = i;
  }
  // A lock is held until its transaction commits, an own step's until it ends; a later
  // transaction's locks are another hold, shown when stronger or the first.
  const byRelation = new Map<string, TimelineEntry>();
  statements.forEach((s, position) => {
    const end = s.ownStep ? position + 1 : (commitAt[position] ?? total);
    const released = end < total ? statements[end] : undefined;
    for (const lock of s.locks ?? []) {
      const held = byRelation.get(lock.relation);
      if (held && lockRank(held.mode) >= lockRank(lock.mode)) continue;
      byRelation.set(lock.relation, {
        relation: lock.relation,
        mode: lock.mode,
        blocks: blocksOf(lock.mode),
        from: { migration: s.migration, file: s.file, line: s.line },
        statementsAfter: end - position - 1,
        ...(s.ownStep
          ? { until: { migration: s.migration, line: s.line, ownStep: true } }
          : released
            ? { until: { migration: released.migration, line: released.line, ownStep: false } }
            : {}),
        firstLocked: held ? (held.firstLocked ?? { migration: held.from.migration, line: held.from.line, mode: held.mode }) : undefined,
      });
    }
  });
  for (const size of review.tables ?? []) {
    const entry = byRelation.get(size.relation);
    if (entry) entry.size = size;
  }
  return [...byRelation.values()].sort(
    (a, b) => lockRank(b.mode) - lockRank(a.mode) || b.statementsAfter - a.statementsAfter || a.relation.localeCompare(b.relation),
  );
}

/** `ACCESS EXCLUSIVE on "users" from 0004_rename_biography:2 until the end of the run, 37 statements later (blocks reads and writes)`. */
export function describeTimelineEntry(e: TimelineEntry): string {
  const name = e.relation.startsWith('public.') ? e.relation.slice(7) : e.relation;
  const later =
    e.statementsAfter === 0
      ? e.until
        ? 'no statement later'
        : 'the last statement'
      : `${e.statementsAfter} statement${e.statementsAfter === 1 ? '' : 's'} later`;
  const earlier = e.firstLocked ? `; ${e.firstLocked.mode} since ${e.firstLocked.migration}:${e.firstLocked.line}` : '';
  const blocks = e.blocks === 'no reads or writes' ? 'blocks no reads or writes' : `blocks ${e.blocks}`;
  const until = !e.until
    ? `until the end of the run, ${later}`
    : e.until.ownStep
      ? 'while that statement runs alone (own step)'
      : `until the commit before ${e.until.migration}:${e.until.line} (own step), ${later}`;
  return `${e.mode} on "${name}" from ${e.from.migration}:${e.from.line} ${until} (${blocks}${earlier})${e.size ? `: ${describeSize(e.size)}` : ''}`;
}
