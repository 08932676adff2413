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
  /** Set when a weaker lock was taken earlier. */
  firstLocked?: { migration: string; line: number; mode: LockMode };
  size?: TableSize;
}

export function lockTimeline(review: Review): TimelineEntry[] {
  const total = review.statements.length;
  const byRelation = new Map<string, TimelineEntry>();
  review.statements.forEach((s, position) => {
    for (const lock of s.locks ?? []) {
      const held = byRelation.get(lock.relation);
      if (held && lockRank(held.mode) >= lockRank(lock.mode)) continue;
      byRelation.set(lock.relation, {
        relation: lock.relation,
        mode: lock.mode,
        blocks: blocksOf(lock.mode),
        from: { migration: s.migration, file: s.file, line: s.line },
        statementsAfter: total - position - 1,
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
    e.statementsAfter === 0 ? 'the last statement' : `${e.statementsAfter} statement${e.statementsAfter === 1 ? '' : 's'} later`;
  const earlier = e.firstLocked ? `; ${e.firstLocked.mode} since ${e.firstLocked.migration}:${e.firstLocked.line}` : '';
  const blocks = e.blocks === 'no reads or writes' ? 'blocks no reads or writes' : `blocks ${e.blocks}`;
  return `${e.mode} on "${name}" from ${e.from.migration}:${e.from.line} until the end of the run, ${later} (${blocks}${earlier})${e.size ? `: ${describeSize(e.size)}` : ''}`;
}
