import type { AlterTableCmd, AlterTableStmt, Node, RangeVar } from 'libpg-query';
import { type NodeKind, nodeOf, nodesOf, qualifiedName, tableKey } from './ast.ts';
import { type CastInput, type CastVerdict, judgeCast } from './cast-safety.ts';
import { type ColumnType, columnType, describeType } from './column-type.ts';
import type { Category, RewriteStep } from './model.ts';
import type { RunRoutine } from './run-routines.ts';
import type { SchemaCatalog } from './schema-catalog.ts';

/** A statement as the rules see it: parsed, or the reason it could not be. */
export interface StatementUnderReview {
  sql: string;
  ast?: Node;
  /** Parser error when `ast` is absent. */
  error?: string;
  /**
   * Where the statement sits when it is not a top-level one ("inside a DO block", "calls
   * \"f\"()"): messages start with it, and no rewrite is offered for it.
   */
  inside?: string;
  /** Why the `--> statement-breakpoint` that opens this statement's query is not where drizzle-kit writes it. */
  misplacedMarker?: string;
}

export interface RuleContext {
  /** True when the table was created earlier in the reviewed set: nobody reads it yet. */
  isNewTable(rel: RangeVar | undefined): boolean;
  /** True when the name means a temporary table the run created (and has not dropped): it holds only the run's rows. */
  isTemporaryTable(rel: RangeVar | undefined): boolean;
  /** Column types, enum labels and checks as the history so far has built them. */
  readonly catalog: SchemaCatalog;
  /**
   * The statements after this one that run in the same transaction (drizzle: the same run); with
   * a kind, only the statements of that top-level kind (cheap: ask for the kind you look for).
   */
  later(kind?: NodeKind): readonly StatementUnderReview[];
  /** A function or procedure the run created before this statement (unqualified, lower-case name). */
  routine(name: string): RunRoutine | undefined;
}

export interface Rule {
  /** kebab-case, stable: it appears in JSON output and in --fail-on reasoning. */
  id: string;
  category: Category;
  /**
   * Statement kinds the rule inspects (`unparsed`: statements the parser rejected; `any`: every
   * parsed statement, for rules about what a statement holds, such as the functions it calls;
   * `statement-breakpoint`: every statement, for where drizzle's markers cut the file). The
   * engine calls a rule only for these, so a rule that reads another kind must list it here;
   * its examples, run through the engine, prove the list is complete.
   */
  appliesTo: readonly (NodeKind | 'unparsed' | 'any' | 'statement-breakpoint')[];
  /** A few words for headings. */
  title: string;
  /** One line: the lock it takes or the data it loses. */
  why: string;
  /** What to do instead. */
  fix: string;
  /** Where the line is drawn and why, for the rule docs: what the rule deliberately leaves alone. */
  notes?: string;
  /** Each `flagged` example must make this rule fire; each `accepted` one must not. */
  examples: { flagged: readonly string[]; accepted: readonly string[] };
  /** Messages for this statement; empty when the rule does not apply. */
  check(stmt: StatementUnderReview, ctx: RuleContext): string[];
  /**
   * The fix as concrete steps for this statement: the SQL to run instead, in order. Called only
   * when `check` fired; undefined when the fix cannot be written out for it.
   */
  rewrite?(stmt: StatementUnderReview, ctx: RuleContext): RewriteStep[] | undefined;
}

/**
 * An example may begin with history the target applied earlier (so the rule sees the column's
 * type): `-- applied earlier`, that SQL, `-- pending`, then the statement under review.
 */
export function splitExample(example: string): { applied?: string; pending: string } {
  const match = /^-- applied earlier\n([\s\S]*?)\n-- pending\n([\s\S]*)$/.exec(example);
  return match ? { applied: match[1], pending: match[2] ?? '' } : { pending: example };
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

export interface TypeChange {
  relation: RangeVar | undefined;
  cmd: AlterTableCmd;
  from: ColumnType | undefined;
  to: ColumnType | undefined;
  verdict: CastVerdict;
}

const judged = new WeakMap<StatementUnderReview, TypeChange[]>();

/** Each type change on an existing table, judged from the type the column has now (once per statement). */
export function judgedTypeChanges(stmt: StatementUnderReview, ctx: RuleContext): TypeChange[] {
  const alter = nodeOf(stmt.ast, 'AlterTableStmt');
  if (!alter?.cmds?.some((c) => nodeOf(c, 'AlterTableCmd')?.subtype === 'AT_AlterColumnType')) return [];
  let changes = judged.get(stmt);
  if (!changes) {
    changes = judgeTypeChanges(stmt, ctx);
    judged.set(stmt, changes);
  }
  return changes;
}

function judgeTypeChanges(stmt: StatementUnderReview, ctx: RuleContext): TypeChange[] {
  return typeChangesOnExistingTable(stmt, ctx).map(({ relation, cmd }) => {
    const def = nodeOf(cmd.def, 'ColumnDef');
    const to = columnType(def?.typeName);
    const column = ctx.catalog.column(relation, cmd.name);
    const from = column?.type;
    if (!to)
      return {
        relation,
        cmd,
        from,
        to,
        verdict: judgeCast({ from: undefined, to: { name: '?', mods: [], array: false }, using: 'expression' }),
      };
    const toEnumValues = ctx.catalog.enumValues(to.name);
    const verdict = judgeCast({
      from,
      to,
      using: usingKind(def?.raw_default, cmd.name, to),
      toEnumValues,
      fromEnumValues: from ? ctx.catalog.enumValues(from.name) : undefined,
      formerEnum: column?.formerEnum,
      enumRecreation:
        toEnumValues && ctx.catalog.enumRecreated(to.name)
          ? { step: 'back', name: describeType(to) }
          : enumRecreatedLater(relation, cmd.name, to, ctx),
    });
    if (verdict.class === 'clean' && def?.collClause)
      return { relation, cmd, from, to, verdict: { ...verdict, reason: 'only the collation changes (indexes on the column are rebuilt)' } };
    return { relation, cmd, from, to, verdict };
  });
}

/**
 * drizzle-kit removes enum values by turning each column of the enum into text, dropping the
 * type, creating it with the remaining labels and casting the column back
 * (AlterTypeDropValueConvertor in drizzle-kit 0.31's api.js). A change to text followed, in the
 * same run, by that drop, that create and a cast of the same column back is its first step.
 */
function enumRecreatedLater(
  relation: RangeVar | undefined,
  column: string | undefined,
  to: ColumnType,
  ctx: RuleContext,
): CastInput['enumRecreation'] {
  if (to.name !== 'text' || to.array) return undefined;
  const later = ctx.later();
  const key = (n: string) => (n.includes('.') ? n : `public.${n}`);
  let dropped: string | undefined;
  let created = false;
  for (const s of later) {
    const drop = nodeOf(s.ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TYPE' && !dropped) dropped = key(qualifiedName(nodeOf(drop.objects?.[0], 'TypeName')?.names));
    const create = nodeOf(s.ast, 'CreateEnumStmt');
    if (create && dropped && key(qualifiedName(create.typeName)) === dropped) created = true;
    const alter = created ? nodeOf(s.ast, 'AlterTableStmt') : undefined;
    if (!alter || tableKey(alter.relation) !== tableKey(relation)) continue;
    for (const cmd of nodesOf(alter.cmds, 'AlterTableCmd')) {
      const back =
        cmd.subtype === 'AT_AlterColumnType' && cmd.name === column ? columnType(nodeOf(cmd.def, 'ColumnDef')?.typeName) : undefined;
      if (back && back.name === dropped) return { step: 'to-text', name: describeType({ ...back, array: false }) };
    }
  }
  return undefined;
}

function usingKind(expr: Node | undefined, column: string | undefined, to: ColumnType): 'none' | 'cast' | 'expression' {
  if (!expr) return 'none';
  const isColumn = (n: Node | undefined) => {
    const fields = nodesOf(nodeOf(n, 'ColumnRef')?.fields, 'String');
    return fields.length > 0 && fields[fields.length - 1]?.sval === column;
  };
  if (isColumn(expr)) return 'cast';
  const cast = nodeOf(expr, 'TypeCast');
  // drizzle-kit writes `USING "col"::text::"type"` for some changes: any value has a text form.
  const viaText = nodeOf(cast?.arg, 'TypeCast');
  if (
    cast &&
    viaText &&
    columnType(viaText.typeName)?.name === 'text' &&
    isColumn(viaText.arg) &&
    columnType(cast.typeName)?.name === to.name
  )
    return 'cast';
  const castTo = columnType(cast?.typeName);
  if (cast && isColumn(cast.arg) && castTo && castTo.name === to.name && castTo.array === to.array) return 'cast';
  return 'expression';
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
    const routine = nodeOf(o, 'ObjectWithArgs');
    if (routine) return qualifiedName(routine.objname);
    return nodeOf(o, 'String')?.sval ?? '?';
  });
  return { kind: drop.removeType, names, drop };
}

export function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
