import { kindOf, nodeOf } from './ast.ts';
import { readDoBlock } from './do-block.ts';
import {
  type Category,
  type CategoryCounts,
  emptyCounts,
  type Finding,
  type MigrationSource,
  type Review,
  type ReviewedStatement,
} from './model.ts';
import { loadSqlParser, parseSql } from './parse.ts';
import type { Rule, RuleContext, StatementUnderReview } from './rule.ts';
import { RULES } from './rule-set.ts';
import { SchemaContext } from './schema-context.ts';
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
}

/**
 * Reviews migrations in the order drizzle would apply them. Every statement is either parsed
 * and checked by every rule, or reported `unreviewable`: nothing is skipped as "probably fine".
 */
export async function reviewMigrations(sources: readonly MigrationSource[], options: ReviewOptions = {}): Promise<Review> {
  await loadSqlParser();
  const rules = rulesByKind(options.rules ?? RULES);
  let schema = new SchemaContext();
  const review: Review = { migrations: [], statements: [], summary: emptyCounts() };
  for (const source of sources) {
    if (options.newTablesScope !== 'run') schema = new SchemaContext();
    const counts = emptyCounts();
    const lineOf = lineIndex(source.sql);
    const split = splitMigration(source.sql);
    split.forEach((part, index) => {
      const findings = reviewStatement({ sql: part.sql, ast: part.ast, error: part.error }, schema, rules);
      tally(findings, counts);
      tally(findings, review.summary);
      review.statements.push({
        file: source.file,
        migration: source.tag,
        index,
        line: lineOf(part.start),
        sql: part.sql,
        findings,
      } satisfies ReviewedStatement);
    });
    review.migrations.push({ tag: source.tag, file: source.file, when: source.when, hash: source.hash, statements: split.length, counts });
  }
  return review;
}

function reviewStatement(stmt: StatementUnderReview, schema: SchemaContext, rules: RulesByKind): Finding[] {
  const doStmt = nodeOf(stmt.ast, 'DoStmt');
  const body = doStmt ? readDoBlock(doStmt, stmt.sql) : undefined;
  if (body) stmt.doBlock = { dynamicSql: body.dynamicSql, error: body.error };
  const findings = runRules(stmt, schema, rules);
  schema.observe(stmt.ast);
  for (const inner of body?.statements ?? []) {
    const parsed = parseSql(inner);
    const innerStatements: StatementUnderReview[] = parsed.ok
      ? parsed.statements.map((s) => ({ sql: inner.slice(s.start, s.end), ast: s.ast, insideDoBlock: true }))
      : [{ sql: inner, error: parsed.error, insideDoBlock: true }];
    for (const innerStmt of innerStatements) {
      findings.push(...runRules(innerStmt, schema, rules));
      schema.observe(innerStmt.ast);
    }
  }
  return findings;
}

type RulesByKind = ReadonlyMap<string, readonly Rule[]>;

function rulesByKind(rules: readonly Rule[]): RulesByKind {
  const byKind = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const kind of rule.appliesTo) byKind.set(kind, [...(byKind.get(kind) ?? []), rule]);
  }
  return byKind;
}

function runRules(stmt: StatementUnderReview, ctx: RuleContext, rules: RulesByKind): Finding[] {
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
    for (const message of messages) {
      findings.push({
        rule: rule.id,
        category: rule.category,
        message: stmt.insideDoBlock ? `Inside a DO block: ${message}` : message,
        help: rule.fix,
      });
    }
  }
  return findings;
}

function tally(findings: readonly Finding[], counts: CategoryCounts): void {
  for (const f of findings) counts[f.category satisfies Category]++;
}
