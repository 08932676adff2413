import { kindOf, type NodeKind, nodeOf } from './ast.ts';
import { LaterStatements } from './later-statements.ts';
import { statementLocks, strongest } from './lock-model.ts';
import {
  type Category,
  type CategoryCounts,
  emptyCounts,
  type Finding,
  type MigrationSource,
  type RelationLock,
  type Review,
  type ReviewedStatement,
} from './model.ts';
import { calledRoutines, nestedStatements } from './nested-statements.ts';
import { ownStepOf } from './own-step.ts';
import { loadSqlParser } from './parse.ts';
import type { Rule, RuleContext, StatementUnderReview } from './rule.ts';
import { RULES } from './rule-set.ts';
import { RunRoutines } from './run-routines.ts';
import { SchemaCatalog, type TargetCatalog } from './schema-catalog.ts';
import { SchemaContext } from './schema-context.ts';
import { SearchPath } from './search-path.ts';
import { splitMigration } from './split.ts';
import { lineIndex } from './sql-text.ts';

export interface ReviewOptions {
  /**
   * `migration` (default): each migration is judged as if earlier ones were applied long ago,
   * so only tables created in the same file count as new. Right for a history, where every
   * table was once new. `run`: the sources are one pending run, applied together in drizzle's
   * single transaction, so a table created by any earlier source in the run is new.
   */
  newTablesScope?: 'migration' | 'run';
  rules?: readonly Rule[];
  /**
   * Migrations the target has already applied: observed (not reviewed) first, so the review
   * knows each column's type before the pending set changes it.
   */
  history?: readonly MigrationSource[];
  /** The target's own column types and enum labels, when it was read: they override the history's. */
  targetCatalog?: TargetCatalog;
}

/**
 * Reviews migrations in the order drizzle would apply them. Every statement is either parsed
 * and checked by every rule, or reported `unreviewable`: nothing is skipped as "probably fine".
 */
export async function reviewMigrations(sources: readonly MigrationSource[], options: ReviewOptions = {}): Promise<Review> {
  await loadSqlParser();
  const rules = rulesByKind(options.rules ?? RULES);
  // One session runs the whole pending set, so a search_path change outlives its file.
  const path = new SearchPath();
  const catalog = new SchemaCatalog(path);
  for (const applied of options.history ?? []) for (const part of splitMigration(applied.sql)) catalog.observe(part.ast);
  if (options.targetCatalog) catalog.seed(options.targetCatalog);
  const split = sources.map((source) => splitMigration(source.sql));
  const runScope = options.newTablesScope === 'run';
  const run = new LaterStatements(split, runScope);
  const newSchema = () => new SchemaContext(path, (key) => catalog.existed(key));
  let schema = newSchema();
  let routines = new RunRoutines();
  const review: Review = { migrations: [], statements: [], summary: emptyCounts() };
  sources.forEach((source, m) => {
    if (!runScope) {
      schema = newSchema();
      routines = new RunRoutines();
    }
    const counts = emptyCounts();
    const lineOf = lineIndex(source.sql);
    const parts = split[m] ?? [];
    let position = 0;
    let ownSteps = 0;
    // drizzle runs a pending set in one transaction; a history's migrations each ran alone.
    const later = (kind?: NodeKind) => run.after(m, position, kind);
    const ruleContext: RuleContext = {
      isNewTable: (rel) => schema.isNewTable(rel),
      isTemporaryTable: (rel) => path.isTemporary(rel),
      catalog,
      later,
      routine: (name) => routines.routine(name),
    };
    parts.forEach((part, index) => {
      position = index;
      const stmt: StatementUnderReview = { sql: part.sql, ast: part.ast, error: part.error, misplacedMarker: part.misplacedMarker };
      const { findings, locks } = reviewStatement(stmt, { schema, catalog, routines, ctx: ruleContext }, rules);
      findings.unshift(...queryLayoutFindings(stmt, ruleContext, rules));
      tally(findings, counts);
      tally(findings, review.summary);
      const own = ownStepOf(stmt, () => later());
      if (own) ownSteps++;
      review.statements.push({
        file: source.file,
        migration: source.tag,
        index,
        line: lineOf(part.start),
        sql: part.sql,
        findings,
        locks,
        ...(part.queryStatements > 1 ? { query: { index: part.query, statements: part.queryStatements } } : {}),
        ...(own ? { ownStep: own.reason } : {}),
      } satisfies ReviewedStatement);
    });
    const queries = new Set(parts.map((p) => p.query)).size;
    review.migrations.push({
      tag: source.tag,
      file: source.file,
      when: source.when,
      hash: source.hash,
      statements: parts.length,
      queries,
      ...(ownSteps > 0 && ownSteps < parts.length ? { mixesSteps: true as const } : {}),
      counts,
    });
  });
  return review;
}

/**
 * Rules about how drizzle cuts the file into queries (`appliesTo: ['statement-breakpoint']`):
 * they judge where a statement sits, whatever its kind, so they run for every statement.
 */
function queryLayoutFindings(stmt: StatementUnderReview, ctx: RuleContext, rules: RulesByKind): Finding[] {
  return (rules.get('statement-breakpoint') ?? []).flatMap((rule) =>
    rule.check(stmt, ctx).map((message): Finding => ({ rule: rule.id, category: rule.category, message, help: rule.fix })),
  );
}

interface ReviewContext {
  schema: SchemaContext;
  catalog: SchemaCatalog;
  routines: RunRoutines;
  ctx: RuleContext;
}

// A function that calls itself, or a chain of bodies inside bodies, ends here; what lies deeper
// is reported unreviewable rather than followed forever.
const MAX_NESTING = 6;

/**
 * Judges a statement, then every statement it holds or sets off (nested-statements.ts,
 * run-routines.ts). A function's body and a rule's actions are judged where they are defined
 * but run later, so they neither take locks now nor change what the run has created.
 */
function reviewStatement(
  stmt: StatementUnderReview,
  review: ReviewContext,
  rules: RulesByKind,
  depth = 0,
  runsNow = true,
  chain: ReadonlySet<string> = new Set(),
): { findings: Finding[]; locks: ReviewedStatement['locks'] } {
  const { ctx } = review;
  let locks = runsNow ? statementLocks(stmt.ast, ctx.isNewTable) : [];
  const findings = runRules(stmt, ctx, rules, locks);
  if (runsNow) observe(review, stmt);
  const kind = stmt.ast ? kindOf(stmt.ast) : undefined;
  const definesLater = kind === 'CreateFunctionStmt' || kind === 'RuleStmt';
  const inner: { stmt: StatementUnderReview; runsNow: boolean; chain: ReadonlySet<string> }[] = nestedStatements(stmt).map((s) => ({
    stmt: s,
    runsNow: runsNow && !definesLater,
    chain,
  }));
  if (runsNow) inner.push(...setOff(stmt, review.routines, chain));
  if (inner.length > 0 && depth >= MAX_NESTING) {
    findings.push({
      rule: 'unreviewed-statement',
      category: 'unreviewable',
      message: `${stmt.inside ? `${capitalize(stmt.inside)}: ` : ''}Statements nested ${MAX_NESTING} levels deep (bodies calling bodies) are not followed further: review them by hand.`,
      help: 'Review the nested code by hand and say so in the approval reason.',
    });
    return { findings, locks: locks as ReviewedStatement['locks'] };
  }
  for (const next of inner) {
    const judged = reviewStatement(next.stmt, review, rules, depth + 1, next.runsNow, next.chain);
    if (judged.locks.length) locks = [...locks, ...judged.locks];
    findings.push(...judged.findings);
  }
  return { findings, locks: locks as ReviewedStatement['locks'] };
}

/** The bodies a statement runs now: routines of the run it calls, triggers of the run its write fires. */
function setOff(stmt: StatementUnderReview, routines: RunRoutines, chain: ReadonlySet<string>) {
  if (!stmt.ast || nodeOf(stmt.ast, 'CreateFunctionStmt')) return [];
  const label = (what: string) => (stmt.inside ? `${stmt.inside}, ${what}` : what);
  const runs: { stmt: StatementUnderReview; runsNow: boolean; chain: ReadonlySet<string> }[] = [];
  const follow = (name: string, what: string) => {
    const routine = routines.routine(name);
    if (!routine || chain.has(name)) return;
    const next = new Set(chain).add(name);
    for (const s of routine.body.statements) runs.push({ stmt: { ...s, inside: label(what) }, runsNow: true, chain: next });
  };
  for (const name of calledRoutines(stmt.ast)) follow(name, `calls "${name}"()`);
  for (const trigger of routines.triggersOn(stmt.ast))
    follow(trigger.function, `fires trigger "${trigger.name}" ("${trigger.function}"())`);
  return runs;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function observe(review: ReviewContext, stmt: StatementUnderReview): void {
  review.schema.observe(stmt.ast);
  review.catalog.observe(stmt.ast);
  review.routines.observe(stmt);
}

type RulesByKind = ReadonlyMap<string, readonly Rule[]>;

function rulesByKind(rules: readonly Rule[]): RulesByKind {
  const byKind = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const kind of rule.appliesTo) byKind.set(kind, [...(byKind.get(kind) ?? []), rule]);
  }
  return byKind;
}

function runRules(stmt: StatementUnderReview, ctx: RuleContext, rules: RulesByKind, locks: readonly RelationLock[]): Finding[] {
  const lock = strongest(locks);
  // Rules that share one fix (a type change's two findings, SET NOT NULL's two) give it once.
  const written = new Set<Rule['rewrite']>();
  const findings: Finding[] = [];
  const applicable = stmt.ast ? [...(rules.get(kindOf(stmt.ast)) ?? []), ...(rules.get('any') ?? [])] : (rules.get('unparsed') ?? []);
  for (const rule of applicable) {
    let messages: string[];
    try {
      messages = rule.check(stmt, ctx);
    } catch (error) {
      // A rule that trips over an unusual tree must not turn the statement into "no findings".
      const reason = error instanceof Error ? error.message : String(error);
      findings.push({
        rule: rule.id,
        category: 'unreviewable',
        message: `Rule ${rule.id} could not check this statement (${reason}): review it by hand.`,
        help: rule.fix,
      });
      continue;
    }
    if (messages.length === 0) continue;
    // A nested statement's fix is not the statement as written: its text may be its parent's.
    const steps = stmt.inside || written.has(rule.rewrite) ? undefined : rewriteSteps(rule, stmt, ctx);
    if (steps) written.add(rule.rewrite);
    for (const message of messages) {
      const finding: Finding = {
        rule: rule.id,
        category: rule.category,
        message: stmt.inside ? `${capitalize(stmt.inside)}: ${message}` : message,
        help: rule.fix,
      };
      if (lock) finding.lock = lock;
      if (steps) finding.steps = steps;
      findings.push(finding);
    }
  }
  return findings;
}

function rewriteSteps(rule: Rule, stmt: StatementUnderReview, ctx: RuleContext): Finding['steps'] {
  try {
    const steps = rule.rewrite?.(stmt, ctx);
    return steps?.length ? steps : undefined;
  } catch {
    return undefined; // the fix text still stands; a rewrite is a convenience
  }
}

function tally(findings: readonly Finding[], counts: CategoryCounts): void {
  for (const f of findings) counts[f.category satisfies Category]++;
}
