import { kindOf, type NodeKind } from './ast.ts';
import type { StatementUnderReview } from './rule.ts';
import type { SplitStatement } from './split.ts';

// What a rule sees of the statements after the one it judges (RuleContext.later). A rule asks
// for every ALTER TABLE (row security looks for a policy that follows), so handing each call a
// fresh copy of the rest of the run made a review quadratic: 50,000 statements took 106 s. The
// statements are indexed once by their top-level kind; a caller that names the kind it looks for
// gets only those. The whole rest is for the rare rule that must read everything after it.

export class LaterStatements {
  readonly #flat: StatementUnderReview[];
  /** Where each migration's first statement sits in `#flat`. */
  readonly #starts: number[];
  readonly #runScope: boolean;
  #byKind?: Map<NodeKind, number[]>;

  /** `runScope`: the migrations run in one transaction (drizzle's pending set); else each runs alone. */
  constructor(split: readonly (readonly SplitStatement[])[], runScope: boolean) {
    this.#runScope = runScope;
    this.#flat = [];
    this.#starts = [];
    for (const parts of split) {
      this.#starts.push(this.#flat.length);
      for (const p of parts) this.#flat.push({ sql: p.sql, ast: p.ast, error: p.error });
    }
    this.#starts.push(this.#flat.length);
  }

  /** The statements after statement `index` of migration `m` in the same transaction, optionally only those of one kind. */
  after(m: number, index: number, kind?: NodeKind): readonly StatementUnderReview[] {
    const from = (this.#starts[m] ?? 0) + index + 1;
    const end = this.#runScope ? this.#flat.length : (this.#starts[m + 1] ?? this.#flat.length);
    if (kind === undefined) return this.#flat.slice(from, end);
    const positions = this.#kinds().get(kind) ?? [];
    const out: StatementUnderReview[] = [];
    for (let i = firstAtLeast(positions, from); i < positions.length; i++) {
      const at = positions[i] as number;
      if (at >= end) break;
      out.push(this.#flat[at] as StatementUnderReview);
    }
    return out;
  }

  #kinds(): Map<NodeKind, number[]> {
    if (this.#byKind) return this.#byKind;
    const byKind = new Map<NodeKind, number[]>();
    this.#flat.forEach((s, i) => {
      if (!s.ast) return;
      const kind = kindOf(s.ast);
      const list = byKind.get(kind);
      if (list) list.push(i);
      else byKind.set(kind, [i]);
    });
    this.#byKind = byKind;
    return byKind;
  }
}

function firstAtLeast(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
