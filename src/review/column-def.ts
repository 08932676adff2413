import type { AlterTableCmd, ColumnDef, Constraint, Node } from 'libpg-query';
import { baseName, nodeOf, nodesOf, qualifiedName } from './ast.ts';
import { type FunctionVolatility, knownVolatility } from './function-volatility.ts';

export function columnConstraints(col: ColumnDef | undefined): Constraint[] {
  return nodesOf(col?.constraints, 'Constraint');
}

export function hasConstraint(col: ColumnDef | undefined, type: NonNullable<Constraint['contype']>): boolean {
  return columnConstraints(col).some((c) => c.contype === type);
}

export function columnDefault(col: ColumnDef | undefined): Node | undefined {
  return columnConstraints(col).find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr ?? col?.raw_default;
}

/** serial types are sugar for a sequence default: nextval() per row. */
export function isSerialType(col: ColumnDef | undefined): boolean {
  return /^(small|big)?serial[248]?$/.test(baseName(col?.typeName?.names));
}

// The parser reports catalog names; people wrote the SQL names.
const SQL_TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  timestamptz: 'timestamp with time zone',
};

/** "to bigint" / "to varchar(255)": what the column becomes, as written. */
export function describeTypeChange(cmd: AlterTableCmd): string {
  const type = nodeOf(cmd.def, 'ColumnDef')?.typeName;
  const names = nodesOf(type?.names, 'String')
    .map((s) => s.sval)
    .filter((s) => s && s !== 'pg_catalog');
  const mods = (type?.typmods ?? []).map((m) => nodeOf(m, 'A_Const')?.ival?.ival).filter((v) => v !== undefined);
  const name = names.map((n) => SQL_TYPE_NAMES[n ?? ''] ?? n).join('.') || 'another type';
  return `to ${name}${mods.length ? `(${mods.join(', ')})` : ''}`;
}

export type Volatility = 'volatile' | 'unknown' | 'not-volatile';

/**
 * The most volatile function call in an expression: from the known list (function-volatility.ts),
 * else from `declared` (the catalog the review built); a function neither knows is `unknown`.
 */
export function defaultVolatility(
  expr: Node | undefined,
  declared: (name: string) => FunctionVolatility | undefined = () => undefined,
): { volatility: Volatility; fn?: string } {
  let worst: { volatility: Volatility; fn?: string } = { volatility: 'not-volatile' };
  visitFuncCalls(expr, (name) => {
    const bare = (name.split('.').pop() ?? name).toLowerCase();
    const volatility = knownVolatility(bare) ?? declared(bare);
    if (volatility === 'volatile') worst = { volatility: 'volatile', fn: name };
    else if (volatility === undefined && worst.volatility === 'not-volatile') worst = { volatility: 'unknown', fn: name };
  });
  return worst;
}

function visitFuncCalls(value: unknown, visit: (name: string) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) visitFuncCalls(v, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const call = (value as { FuncCall?: { funcname?: Node[] } }).FuncCall;
  if (call) visit(qualifiedName(call.funcname));
  for (const key in value) visitFuncCalls((value as Record<string, unknown>)[key], visit);
}
