import { kindOf, nodeOf } from './ast.ts';
import { readDoBlock } from './do-block.ts';
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
import { loadSqlParser, parseSql } from './parse.ts';
import type { Rule, RuleContext, StatementUnderReview } from './rule.ts';
import { RULES } from './rule-set.ts';
import { SchemaCatalog, type TargetCatalog } from './schema-catalog.ts';
import { SchemaContext } from './schema-context.ts';
import { SearchPath } from './search-path.ts';
import { type SplitStatement, splitMigration } from './split.ts';
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
  const newSchema = () => new SchemaContext(path, (key) => catalog.existed(key));
  let schema = newSchema();
  const review: Review = { migrations: [], statements: [], summary: emptyCounts() };
  sources.forEach((source, m) => {
    if (!runScope) schema = newSchema();
    const counts = emptyCounts();
    const lineOf = lineIndex(source.sql);
    const parts = split[m] ?? [];
    let position = 0;
    // drizzle runs a pending set in one transaction; a history's migrations each ran alone.
    const later = () => laterStatements(runScope ? split.slice(m) : [parts], position);
    const ruleContext: RuleContext = { isNewTable: (rel) => schema.isNewTable(rel), catalog, later };
    parts.forEach((part, index) => {
      position = index;
      const stmt: StatementUnderReview = { sql: part.sql, ast: part.ast, error: part.error, misplacedMarker: part.misplacedMarker };
      const { findings, locks } = reviewStatement(stmt, { schema, catalog, ctx: ruleContext }, rules);
      findings.unshift(...queryLayoutFindings(stmt, ruleContext, rules));
      tally(findings, counts);
      tally(findings, review.summary);
      review.statements.push({
        file: source.file,
        migration: source.tag,
        index,
        line: lineOf(part.start),
        sql: part.sql,
        findings,
        locks,
        ...(part.queryStatements > 1 ? { query: { index: part.query, statements: part.queryStatements } } : {}),
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

function laterStatements(run: readonly SplitStatement[][], index: number): StatementUnderReview[] {
  const [first = [], ...rest] = run;
  return [...first.slice(index + 1), ...rest.flat()].map((p) => ({ sql: p.sql, ast: p.ast, error: p.error }));
}

interface ReviewContext {
  schema: SchemaContext;
  catalog: SchemaCatalog;
  ctx: RuleContext;
}

function reviewStatement(stmt: StatementUnderReview, review: ReviewContext, rules: RulesByKind) {
  const { ctx } = review;
  const doStmt = nodeOf(stmt.ast, 'DoStmt');
  const body = doStmt ? readDoBlock(doStmt, stmt.sql) : undefined;
  if (body) stmt.doBlock = { dynamicSql: body.dynamicSql, error: body.error };
  let locks = statementLocks(stmt.ast, ctx.isNewTable);
  const findings = runRules(stmt, ctx, rules, locks);
  observe(review, stmt.ast);
  for (const inner of body?.statements ?? []) {
    const parsed = parseSql(inner);
    const innerStatements: StatementUnderReview[] = parsed.ok
      ? parsed.statements.map((s) => ({ sql: inner.slice(s.start, s.end), ast: s.ast, insideDoBlock: true }))
      : [{ sql: inner, error: parsed.error, insideDoBlock: true }];
    for (const innerStmt of innerStatements) {
      const innerLocks = statementLocks(innerStmt.ast, ctx.isNewTable);
      if (innerLocks.length) locks = [...locks, ...innerLocks];
      findings.push(...runRules(innerStmt, ctx, rules, innerLocks));
      observe(review, innerStmt.ast);
    }
  }
  return { findings, locks: locks as ReviewedStatement['locks'] };
}

function observe(review: ReviewContext, ast: StatementUnderReview['ast']): void {
  review.schema.observe(ast);
  review.catalog.observe(ast);
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
  for (const rule of rules.get(stmt.ast ? kindOf(stmt.ast) : 'unparsed') ?? []) {
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
    const steps = written.has(rule.rewrite) ? undefined : rewriteSteps(rule, stmt, ctx);
    if (steps) written.add(rule.rewrite);
    for (const message of messages) {
      const finding: Finding = {
        rule: rule.id,
        category: rule.category,
        message: stmt.insideDoBlock ? `Inside a DO block: ${message}` : message,
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
