import type { AlterTableCmd, ColumnDef, Constraint, Node, RangeVar, TypeName } from 'libpg-query';
import { kindOf, nodeOf, nodesOf, qualifiedName, tableKey } from './ast.ts';
import { type ColumnType, columnType } from './column-type.ts';
import { RoutineCatalog, type TargetFunction } from './routine-catalog.ts';
import { SearchPath } from './search-path.ts';

// What the reviewed history says the schema looks like: column types, enum labels and NOT NULL
// checks, so a type change can be judged from the type it starts from. Built by observing every
// statement in order (the applied history first, when it is known), never by guessing.

interface ColumnState {
  type: ColumnType;
  /** Set when an enum column was turned into text: drizzle-kit's first step in removing enum values. */
  formerEnum?: { name: string; values: string[] };
}

interface CheckState {
  /** The column when the check is exactly `col IS NOT NULL`. */
  notNullColumn?: string;
  validated: boolean;
}

/** Types are worked out only when a rule asks: most columns are never altered. */
interface StoredColumn {
  typeName?: TypeName;
  type?: ColumnType;
  formerEnum?: ColumnState['formerEnum'];
}

interface TableState {
  columns: Map<string, StoredColumn>;
  checks: Map<string, CheckState>;
}

/** The statement kinds that change what the catalog knows; every other kind is skipped at once. */
const OBSERVED = new Set<string>([
  'CreateStmt',
  'CreateTableAsStmt',
  'AlterTableStmt',
  'RenameStmt',
  'DropStmt',
  'CreateEnumStmt',
  'AlterEnumStmt',
  'CreateFunctionStmt',
]);

/** Column types and enum labels as the target's own catalog states them (src/db/applied-migrations.ts). */
export interface TargetCatalog {
  columns: { relation: string; column: string; type: ColumnType }[];
  enums: { name: string; labels: string[] }[];
  /** Functions outside pg_catalog, with their declared volatility (absent from older readers). */
  functions?: TargetFunction[];
}

export class SchemaCatalog {
  readonly #tables = new Map<string, TableState>();
  readonly #enums = new Map<string, string[]>();
  /** Enums dropped and then created again under the same name (drizzle-kit's enum value removal). */
  readonly #droppedEnums = new Set<string>();
  readonly #recreatedEnums = new Set<string>();
  /** Functions the schema holds: their volatility, and whether only a trigger can call them. */
  readonly routines = new RoutineCatalog();
  /** Set once the target's own catalog was read: a table it lacks did not exist. */
  #complete = false;

  /** `path` says which table an unqualified name means as the run goes (shared with the SchemaContext). */
  constructor(private readonly path: SearchPath = new SearchPath()) {}

  column(rel: RangeVar | undefined, name: string | undefined): ColumnState | undefined {
    const key = this.path.resolve(rel);
    const stored = name === undefined || key === undefined ? undefined : this.#tables.get(key)?.columns.get(name);
    return stored ? resolve(stored) : undefined;
  }

  /** Whether the table (`schema.name`) exists now: undefined when only the history was seen, which may miss tables. */
  existed(key: string): boolean | undefined {
    if (this.#tables.has(key)) return true;
    return this.#complete ? false : undefined;
  }

  enumValues(typeName: string): string[] | undefined {
    return this.#enums.get(typeName);
  }

  /** Whether the enum (`schema.name`) was dropped and created again: its labels before are the column's to know. */
  enumRecreated(typeName: string): boolean {
    return this.#recreatedEnums.has(typeName);
  }

  /** Whether a validated `CHECK (col IS NOT NULL)` stands on the table: SET NOT NULL then skips its scan (PG 12+). */
  hasValidatedNotNullCheck(rel: RangeVar | undefined, column: string | undefined): boolean {
    const key = this.path.resolve(rel);
    const table = key === undefined ? undefined : this.#tables.get(key);
    return [...(table?.checks.values() ?? [])].some((c) => c.validated && c.notNullColumn === column);
  }

  /** The target's catalog is the truth the pending run starts from: it overrides what the history implied. */
  seed(target: TargetCatalog): void {
    this.#complete = true;
    this.routines.seed(target.functions ?? []);
    for (const e of target.enums) this.#enums.set(e.name, [...e.labels]);
    for (const c of target.columns) {
      let table = this.#tables.get(c.relation);
      if (!table) {
        table = { columns: new Map(), checks: new Map() };
        this.#tables.set(c.relation, table);
      }
      table.columns.set(c.column, { type: c.type });
    }
  }

  observe(ast: Node | undefined): void {
    if (!ast || !OBSERVED.has(kindOf(ast))) return;
    this.routines.observe(ast);
    const create = nodeOf(ast, 'CreateStmt');
    if (create) {
      const table: TableState = { columns: new Map(), checks: new Map() };
      for (const col of nodesOf(create.tableElts, 'ColumnDef')) this.#addColumn(table, col);
      for (const con of nodesOf(create.tableElts, 'Constraint')) addCheck(table, con);
      this.#created(create.relation, create.if_not_exists, table);
      return;
    }
    const createAs = nodeOf(ast, 'CreateTableAsStmt');
    if (createAs) {
      // Its columns come from a query: the table is known to exist, its types are not.
      this.#created(createAs.into?.rel, createAs.if_not_exists, { columns: new Map(), checks: new Map() });
      return;
    }
    const alter = nodeOf(ast, 'AlterTableStmt');
    if (alter) {
      const table = this.#table(alter.relation);
      if (table) for (const cmd of nodesOf(alter.cmds, 'AlterTableCmd')) this.#alter(table, cmd);
      return;
    }
    const rename = nodeOf(ast, 'RenameStmt');
    if (rename?.newname) {
      const key = this.path.resolve(rename.relation) ?? tableKey(rename.relation);
      const table = this.#table(rename.relation);
      if (rename.renameType === 'OBJECT_TABLE' && table) {
        this.#tables.delete(key);
        this.#tables.set(tableKey({ ...rename.relation, relname: rename.newname }), table);
      } else if (rename.renameType === 'OBJECT_COLUMN' && table && rename.subname) {
        const col = table.columns.get(rename.subname);
        table.columns.delete(rename.subname);
        if (col) table.columns.set(rename.newname, col);
      }
      return;
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
      for (const list of nodesOf(drop.objects, 'List')) this.#tables.delete(withSchema(qualifiedName(list.items)));
    } else if (drop?.removeType === 'OBJECT_TYPE') {
      for (const o of drop.objects ?? []) {
        const name = withSchema(qualifiedName(nodeOf(o, 'TypeName')?.names));
        this.#enums.delete(name);
        this.#droppedEnums.add(name);
      }
    }
    const createEnum = nodeOf(ast, 'CreateEnumStmt');
    if (createEnum) {
      const name = withSchema(qualifiedName(createEnum.typeName));
      if (this.#droppedEnums.has(name)) this.#recreatedEnums.add(name);
      this.#enums.set(
        name,
        nodesOf(createEnum.vals, 'String').map((s) => s.sval ?? ''),
      );
    }
    const alterEnum = nodeOf(ast, 'AlterEnumStmt');
    if (alterEnum?.newVal !== undefined) {
      const values = this.#enums.get(withSchema(qualifiedName(alterEnum.typeName)));
      if (!values) return;
      if (alterEnum.oldVal !== undefined) values.splice(values.indexOf(alterEnum.oldVal), 1, alterEnum.newVal);
      else values.push(alterEnum.newVal);
    }
  }

  #created(rel: RangeVar | undefined, ifNotExists: boolean | undefined, table: TableState): void {
    const key = this.path.created(rel);
    // A temporary table is not the permanent one of the same name; IF NOT EXISTS on a table
    // that may exist changes nothing, so what it declares must not replace what is known.
    if (!key || key.startsWith('pg_temp.')) return;
    if (ifNotExists && this.existed(key) !== false) return;
    this.#tables.set(key, table);
  }

  /**
   * The table a statement names; when an unqualified name may no longer mean `public`'s table,
   * `public`'s is forgotten, so its types are unknown (and judged as such) from then on.
   */
  #table(rel: RangeVar | undefined): TableState | undefined {
    const key = this.path.resolve(rel);
    if (key === undefined) {
      this.#tables.delete(tableKey(rel));
      return undefined;
    }
    return this.#tables.get(key);
  }

  #addColumn(table: TableState, col: ColumnDef | undefined): void {
    if (!col?.colname || !col.typeName) return;
    table.columns.set(col.colname, { typeName: col.typeName });
    for (const con of nodesOf(col.constraints, 'Constraint')) addCheck(table, con);
  }

  #alter(table: TableState, cmd: AlterTableCmd): void {
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        this.#addColumn(table, nodeOf(cmd.def, 'ColumnDef'));
        break;
      case 'AT_DropColumn':
        if (cmd.name) table.columns.delete(cmd.name);
        break;
      case 'AT_AlterColumnType': {
        const type = columnType(nodeOf(cmd.def, 'ColumnDef')?.typeName);
        const stored = cmd.name ? table.columns.get(cmd.name) : undefined;
        const before = stored ? resolve(stored) : undefined;
        if (!cmd.name || !type) break;
        const values = before ? this.#enums.get(before.type.name) : undefined;
        const formerEnum = before && values ? { name: before.type.name, values: [...values] } : before?.formerEnum;
        table.columns.set(cmd.name, { type, formerEnum: this.#enums.has(type.name) ? undefined : formerEnum });
        break;
      }
      case 'AT_AddConstraint': {
        const con = nodeOf(cmd.def, 'Constraint');
        if (con) addCheck(table, con);
        break;
      }
      case 'AT_ValidateConstraint': {
        const check = cmd.name ? table.checks.get(cmd.name) : undefined;
        if (check) check.validated = true;
        break;
      }
      case 'AT_DropConstraint':
        if (cmd.name) table.checks.delete(cmd.name);
        break;
    }
  }
}

function resolve(stored: StoredColumn): ColumnState | undefined {
  stored.type ??= columnType(stored.typeName);
  return stored.type ? { type: stored.type, formerEnum: stored.formerEnum } : undefined;
}

function addCheck(table: TableState, con: Constraint): void {
  if (con.contype !== 'CONSTR_CHECK') return;
  const test = nodeOf(con.raw_expr, 'NullTest');
  const fields = nodesOf(nodeOf(test?.arg, 'ColumnRef')?.fields, 'String');
  const notNullColumn = test?.nulltesttype === 'IS_NOT_NULL' ? fields[fields.length - 1]?.sval : undefined;
  table.checks.set(con.conname ?? `check${table.checks.size}`, { notNullColumn, validated: !con.skip_validation });
}

function withSchema(name: string): string {
  return name.includes('.') ? name : `public.${name}`;
}
