import type { TypeName } from 'libpg-query';
import { nodeOf, nodesOf } from './ast.ts';

/** A column's type as the review knows it: Postgres's catalog name, its modifiers, array or not. */
export interface ColumnType {
  /** Catalog name (`int4`, `varchar`, `numeric`…), or `schema.name` for a user type. */
  name: string;
  /** Type modifiers as written: varchar(255) -> [255], numeric(5, 4) -> [5, 4]. */
  mods: number[];
  array: boolean;
}

// The parser already turns most SQL spellings into catalog names (integer -> pg_catalog.int4);
// these are the spellings it leaves as written.
const ALIASES: Record<string, string> = {
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  decimal: 'numeric',
  real: 'float4',
  float: 'float8',
  boolean: 'bool',
  char: 'bpchar',
  character: 'bpchar',
};

const BUILT_IN = new Set([
  'int2',
  'int4',
  'int8',
  'numeric',
  'float4',
  'float8',
  'money',
  'text',
  'varchar',
  'bpchar',
  'citext',
  'bool',
  'uuid',
  'json',
  'jsonb',
  'date',
  'timestamp',
  'timestamptz',
  'time',
  'timetz',
  'interval',
  'bytea',
  'inet',
  'cidr',
  'macaddr',
  'xml',
  'tsvector',
  'bit',
  'varbit',
  'oid',
]);

export function columnType(typeName: TypeName | undefined): ColumnType | undefined {
  const names = nodesOf(typeName?.names, 'String').map((s) => s.sval ?? '');
  if (names.length === 0) return undefined;
  const parts = names[0] === 'pg_catalog' ? names.slice(1) : names;
  const last = parts[parts.length - 1] ?? '';
  const builtIn = ALIASES[last] ?? last;
  const name = parts.length === 1 && BUILT_IN.has(builtIn) ? builtIn : parts.length === 1 ? `public.${last}` : parts.join('.');
  const mods = (typeName?.typmods ?? []).flatMap((m) => {
    const value = nodeOf(m, 'A_Const')?.ival?.ival;
    return typeof value === 'number' ? [value] : [];
  });
  // `timestamp(3)` carries a precision modifier the parser reports with the implicit default.
  return { name, mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

// The parser reports catalog names; people wrote the SQL names.
const SQL_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  timestamptz: 'timestamp with time zone',
};

/** `varchar(255)`, `"public"."status"[]`: the type as an approver reads it. */
export function describeType(type: ColumnType): string {
  const base = type.name.startsWith('public.') ? `"${type.name.slice(7)}"` : (SQL_NAMES[type.name] ?? type.name);
  return `${base}${type.mods.length ? `(${type.mods.join(', ')})` : ''}${type.array ? '[]' : ''}`;
}

export function isBuiltIn(type: ColumnType): boolean {
  return BUILT_IN.has(type.name);
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.name === b.name && a.array === b.array && a.mods.join(',') === b.mods.join(',');
}
