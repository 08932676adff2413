import type { Review } from '../review/model.ts';
import {
  DEFAULT_TIMEOUT_POLICY,
  describeTimeout,
  type StatementTimeouts,
  statementTimeouts,
  type TimeoutPolicy,
} from '../review/statement-timeouts.ts';

// The timeouts each pending statement runs with, chosen at review time (src/review/
// statement-timeouts.ts) and pinned in the plan: the sizes they depend on were read from the
// target then, and the build must not choose again from what it reads later. The approvers see
// these numbers; the plan's sha256 covers them; the runner applies them statement by statement.

export interface PinnedStatementTimeouts extends StatementTimeouts {
  /** Position of the migration in the pending set (0-based). */
  migration: number;
  /** The statement's 0-based index within its migration, as the review numbers them. */
  index: number;
}

export interface PinnedTimeouts {
  /** How long a wait may hold sessions queued behind the migrator (TimeoutPolicy.giveUpAfterMs). */
  giveUpAfterMs: number;
  /** What every statement not listed runs with. */
  default: StatementTimeouts;
  /** The statements whose timeouts differ from the default, in run order. */
  statements: PinnedStatementTimeouts[];
}

/** The timeouts of every statement the review holds; `pending` gives the migrations' run order. */
export function pinTimeouts(
  review: Pick<Review, 'statements' | 'tables'>,
  pending: readonly { tag: string }[],
  policy: TimeoutPolicy = DEFAULT_TIMEOUT_POLICY,
): PinnedTimeouts {
  const sizes = new Map((review.tables ?? []).map((t) => [t.relation, t.grade]));
  const position = new Map(pending.map((m, i) => [m.tag, i]));
  const fallback = statementTimeouts([], sizes, policy);
  // drizzle sends a `--> statement-breakpoint` piece as one query, and the runner sets the
  // timeouts once before it: every statement of a piece holding several gets the piece's
  // (the shortest wait; the longest run, none if any has none).
  const pieces = new Map<string, StatementTimeouts>();
  const pieceOf = (s: (typeof review.statements)[number]) => (s.query ? `${s.migration}\t${s.query.index}` : undefined);
  for (const s of review.statements) {
    const key = pieceOf(s);
    if (!key) continue;
    const chosen = statementTimeouts(s.locks ?? [], sizes, policy);
    const held = pieces.get(key);
    pieces.set(key, held ? widest(held, chosen) : chosen);
  }
  const statements: PinnedStatementTimeouts[] = [];
  for (const s of review.statements) {
    const migration = position.get(s.migration);
    if (migration === undefined) continue;
    const key = pieceOf(s);
    const chosen = (key && pieces.get(key)) || statementTimeouts(s.locks ?? [], sizes, policy);
    if (!sameTimeouts(chosen, fallback)) statements.push({ migration, index: s.index, ...chosen });
  }
  return { giveUpAfterMs: policy.giveUpAfterMs, default: fallback, statements };
}

function widest(a: StatementTimeouts, b: StatementTimeouts): StatementTimeouts {
  const none = a.statementTimeoutMs === 0 || b.statementTimeoutMs === 0;
  return {
    lockTimeoutMs: Math.min(a.lockTimeoutMs, b.lockTimeoutMs),
    statementTimeoutMs: none ? 0 : Math.max(a.statementTimeoutMs, b.statementTimeoutMs),
  };
}

/** One pair for the whole run, when one per statement does not fit the plan: the shortest lock wait, no run limit. */
export function collapseTimeouts(pinned: PinnedTimeouts): PinnedTimeouts {
  const lockTimeoutMs = Math.min(pinned.default.lockTimeoutMs, ...pinned.statements.map((s) => s.lockTimeoutMs));
  return { giveUpAfterMs: pinned.giveUpAfterMs, default: { lockTimeoutMs, statementTimeoutMs: 0 }, statements: [] };
}

export function timeoutsAt(pinned: PinnedTimeouts, migration: number, index: number): StatementTimeouts {
  const found = pinned.statements.find((s) => s.migration === migration && s.index === index);
  return found ? { lockTimeoutMs: found.lockTimeoutMs, statementTimeoutMs: found.statementTimeoutMs } : pinned.default;
}

/** `lock_timeout 3 s (2 statements), 10 s (41); statement_timeout 1 min (2), none (41)`. */
export function describePinnedTimeouts(pinned: PinnedTimeouts, statementCount: number): string {
  const count = (pick: (t: StatementTimeouts) => number) => {
    const tally = new Map<number, number>();
    for (const s of pinned.statements) tally.set(pick(s), (tally.get(pick(s)) ?? 0) + 1);
    const rest = statementCount - pinned.statements.length;
    if (rest > 0) tally.set(pick(pinned.default), (tally.get(pick(pinned.default)) ?? 0) + rest);
    return [...tally]
      .sort((a, b) => (a[0] === 0 ? 1 : b[0] === 0 ? -1 : a[0] - b[0]))
      .map(([ms, n]) => `${describeTimeout(ms)} (${n})`)
      .join(', ');
  };
  return `lock_timeout ${count((t) => t.lockTimeoutMs)}; statement_timeout ${count((t) => t.statementTimeoutMs)}`;
}

function sameTimeouts(a: StatementTimeouts, b: StatementTimeouts): boolean {
  return a.lockTimeoutMs === b.lockTimeoutMs && a.statementTimeoutMs === b.statementTimeoutMs;
}
