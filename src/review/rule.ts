import type { AlterTableCmd, AlterTableStmt, Node, RangeVar } from 'libpg-query';
import { type NodeKind, nodeOf, nodesOf, qualifiedName } from './ast.ts';
import type { Category } from './model.ts';

/** A statement as the rules see it: parsed, or the reason it could not be. */
export interface StatementUnderReview {
  sql: string;
  ast?: Node;
  /** Parser error when `ast` is absent. */
  error?: string;
  /** Set when the statement sits inside a DO block; messages say so. */
  insideDoBlock?: boolean;
  /** For a DO statement: whether its body could be fully understood. */
  doBlock?: { dynamicSql: boolean; error?: string };
}

export interface RuleContext {
  /** True when the table was created earlier in the reviewed set: nobody reads it yet. */
  isNewTable(rel: RangeVar | undefined): boolean;
}

export interface Rule {
  /** kebab-case, stable: it appears in JSON output and in --fail-on reasoning. */
  id: string;
  category: Category;
  /**
   * Statement kinds the rule inspects (`unparsed`: statements the parser rejected). The engine
   * calls a rule only for these, so a rule that reads another kind must list it here; its
   * examples, run through the engine, prove the list is complete.
   */
  appliesTo: readonly (NodeKind | 'unparsed')[];
  /** A few words for headings. */
  title: string;
  /** One line: the lock it takes or the data it loses. */
  why: string;
  /** What to do instead. */
  fix: string;
  /** Each `flagged` example must make this rule fire; each `accepted` one must not. */
  examples: { flagged: readonly string[]; accepted: readonly string[] };
  /** Messages for this statement; empty when the rule does not apply. */
  check(stmt: StatementUnderReview, ctx: RuleContext): string[];
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** The ALTER TABLE and its sub-commands, when the statement is one. */
export function alterTable(
  stmt: StatementUnderReview,
): { table: AlterTableStmt; relation: RangeVar | undefined; cmds: AlterTableCmd[] } | undefined {
  const table = nodeOf(stmt.ast, 'AlterTableStmt');
  if (!table || (table.objtype !== undefined && table.objtype !== 'OBJECT_TABLE')) return undefined;
  return { table, relation: table.relation, cmds: nodesOf(table.cmds, 'AlterTableCmd') };
}

/** Sub-commands of an ALTER TABLE on a table that existed before this set. */
export function alterExistingTable(
  stmt: StatementUnderReview,
  ctx: RuleContext,
): { relation: RangeVar | undefined; cmds: AlterTableCmd[] } | undefined {
  const alter = alterTable(stmt);
  if (!alter || ctx.isNewTable(alter.relation)) return undefined;
  return alter;
}

/** Each ALTER COLUMN ... TYPE on a table that existed before this run: column and table label. */
export function typeChangesOnExistingTable(
  stmt: StatementUnderReview,
  ctx: RuleContext,
): { relation: RangeVar | undefined; cmd: AlterTableCmd }[] {
  const alter = alterExistingTable(stmt, ctx);
  if (!alter) return [];
  return alter.cmds.filter((c) => c.subtype === 'AT_AlterColumnType').map((cmd) => ({ relation: alter.relation, cmd }));
}

/** Names a DROP statement removes, when it removes objects of one of the given kinds. */
export function droppedNames(
  stmt: StatementUnderReview,
  kinds: readonly string[],
): { kind: string; names: string[]; drop: import('libpg-query').DropStmt } | undefined {
  const drop = nodeOf(stmt.ast, 'DropStmt');
  if (!drop?.removeType || !kinds.includes(drop.removeType)) return undefined;
  const names = (drop.objects ?? []).map((o) => {
    const list = nodeOf(o, 'List');
    if (list) return qualifiedName(list.items);
    const type = nodeOf(o, 'TypeName');
    if (type) return qualifiedName(type.names);
    return nodeOf(o, 'String')?.sval ?? '?';
  });
  return { kind: drop.removeType, names, drop };
}

export function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
