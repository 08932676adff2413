import { drizzleQueries } from '../src/review/drizzle-queries.ts';
import type { MigrationSource } from '../src/review/model.ts';
import { type OwnStep, ownStepOf } from '../src/review/own-step.ts';
import { loadSqlParser } from '../src/review/parse.ts';
import { type SplitStatement, splitMigration } from '../src/review/split.ts';

// The pending set cut into the steps the step runner (step-runner.ts) runs. A step is one of
// drizzle's queries (a `--> statement-breakpoint` piece, sent as drizzle-orm 0.45 sends it: its
// raw text in one simple-protocol query, src/review/drizzle-queries.ts), except a piece that
// holds a statement which must run alone (src/review/own-step.ts): that piece is cut into its
// statements, because a multi-statement simple query runs as one implicit transaction block
// (https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT), where
// CONCURRENTLY and VACUUM are refused just the same.

export interface Step {
  /** 0-based index, as the review numbers statements, of the step's first statement in its migration. */
  statement: number;
  /** Offset of the text in the migration file. */
  start: number;
  text: string;
  /** Set when the step runs alone, between two commits. */
  own?: OwnStep;
}

export interface MigrationSteps {
  migration: MigrationSource;
  steps: Step[];
}

/** Loads the SQL parser (about 40 ms once) and plans every pending migration, in order. */
export async function planSteps(pending: readonly MigrationSource[]): Promise<MigrationSteps[]> {
  await loadSqlParser();
  const split = pending.map((m) => splitMigration(m.sql));
  const runOrder = split.flat();
  let position = 0;
  return pending.map((migration, i) => {
    const statements = split[i] ?? [];
    const base = position;
    position += statements.length;
    const later = (k: number) => () => runOrder.slice(base + k + 1);
    const owns = statements.map((s, k) => ownStepOf(s, later(k)));
    return { migration, steps: stepsOf(migration.sql, statements, owns) };
  });
}

function stepsOf(file: string, statements: readonly SplitStatement[], owns: readonly (OwnStep | undefined)[]): Step[] {
  const steps: Step[] = [];
  for (const query of drizzleQueries(file)) {
    const inQuery = statements.map((s, k) => ({ s, k, own: owns[k] })).filter(({ s }) => s.query === query.index);
    const first = inQuery[0];
    // A piece of comments and blanks: drizzle sends it and Postgres does nothing with it.
    if (!first) continue;
    if (!inQuery.some((q) => q.own)) {
      steps.push({ statement: first.k, start: query.start, text: query.text });
      continue;
    }
    for (const { s, k, own } of inQuery) {
      const step: Step = { statement: k, start: s.start, text: s.sql };
      steps.push(own ? { ...step, own } : step);
    }
  }
  return steps;
}

export function hasOwnSteps(plan: readonly MigrationSteps[]): boolean {
  return plan.some((m) => m.steps.some((s) => s.own));
}
