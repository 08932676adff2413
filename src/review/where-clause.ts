import type { Node } from 'libpg-query';
import { nodeOf, nodesOf } from './ast.ts';

// A WHERE that holds for every row bounds nothing: `WHERE true`, `1 = 1`, `x = x`, `NOT false`,
// `true OR ...`. Each is judged like a missing WHERE. (`x = x` is NULL for a NULL x, so such a
// row survives, but every other row is hit: still unbounded in the sense that matters.)

/** True when the condition is absent or holds for every row whatever the data. */
export function isUnbounded(where: Node | undefined): boolean {
  return where === undefined || truth(where) === true;
}

/** true or false when the expression's value does not depend on any row; undefined otherwise. */
function truth(expr: Node): boolean | undefined {
  const constant = nodeOf(expr, 'A_Const');
  if (constant) {
    if (constant.boolval) return constant.boolval.boolval === true;
    return undefined;
  }
  const cast = nodeOf(expr, 'TypeCast');
  if (cast?.arg) {
    const text = nodeOf(cast.arg, 'A_Const')?.sval?.sval?.toLowerCase();
    if (text !== undefined && ['t', 'true', 'y', 'yes', 'on', '1'].includes(text)) return true;
    if (text !== undefined && ['f', 'false', 'n', 'no', 'off', '0'].includes(text)) return false;
    return truth(cast.arg);
  }
  const bool = nodeOf(expr, 'BoolExpr');
  if (bool) {
    const args = (bool.args ?? []).map(truth);
    if (bool.boolop === 'NOT_EXPR') return args[0] === undefined ? undefined : !args[0];
    if (bool.boolop === 'OR_EXPR') return args.some((a) => a === true) ? true : args.every((a) => a === false) ? false : undefined;
    if (bool.boolop === 'AND_EXPR') return args.every((a) => a === true) ? true : args.some((a) => a === false) ? false : undefined;
    return undefined;
  }
  const test = nodeOf(expr, 'BooleanTest');
  if (test?.arg) {
    const inner = truth(test.arg);
    if (inner === undefined) return undefined;
    if (test.booltesttype === 'IS_TRUE' || test.booltesttype === 'IS_NOT_FALSE') return inner;
    if (test.booltesttype === 'IS_FALSE' || test.booltesttype === 'IS_NOT_TRUE') return !inner;
    return undefined;
  }
  const nullTest = nodeOf(expr, 'NullTest');
  if (nullTest?.arg && nodeOf(nullTest.arg, 'A_Const')) {
    const isNull = nodeOf(nullTest.arg, 'A_Const')?.isnull === true;
    return nullTest.nulltesttype === 'IS_NULL' ? isNull : !isNull;
  }
  const op = nodeOf(expr, 'A_Expr');
  if (op?.kind === 'AEXPR_OP' && op.lexpr && op.rexpr) {
    const name = nodesOf(op.name, 'String')[0]?.sval;
    const same = shape(op.lexpr) === shape(op.rexpr);
    const constants = isConstant(op.lexpr) && isConstant(op.rexpr);
    if (same && (name === '=' || name === '>=' || name === '<=')) return true;
    if (same && (name === '<>' || name === '!=' || name === '<' || name === '>')) return false;
    if (constants && (name === '=' || name === '<>' || name === '!=')) return (name === '=') === same;
  }
  return undefined;
}

function isConstant(expr: Node): boolean {
  const cast = nodeOf(expr, 'TypeCast');
  return nodeOf(expr, 'A_Const') !== undefined || (cast?.arg !== undefined && isConstant(cast.arg));
}

/** The expression's tree without source positions, so `a = a` compares equal on both sides. */
function shape(expr: Node): string {
  return JSON.stringify(expr, (key, value) => (key === 'location' ? undefined : value));
}

// An UPDATE that sets a column to one constant for the rows its WHERE selects erases the column
// when the WHERE selects by that column alone and every row it leaves out already holds the
// constant or NULL: `SET bio = NULL WHERE bio IS NOT NULL`, `SET x = 'a' WHERE x <> 'a'`.
// Afterwards the column tells nothing it told before, though the WHERE looks like a bound.

/**
 * True when every row the condition leaves out holds `value` or NULL in `column`, judged from
 * the condition's shape; false whenever that is not certain.
 */
export function leavesOnlyValueOrNull(where: Node, column: string, value: Node): boolean {
  const bool = nodeOf(where, 'BoolExpr');
  if (bool?.boolop === 'OR_EXPR') return (bool.args ?? []).some((a) => leavesOnlyValueOrNull(a, column, value));
  if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).every((a) => leavesOnlyValueOrNull(a, column, value));
  if (bool?.boolop === 'NOT_EXPR') {
    // NOT (col = K) leaves out the rows where col = K (and, being NULL there, those where col is NULL).
    const inner = nodeOf(bool.args?.[0], 'A_Expr');
    return inner?.kind === 'AEXPR_OP' && opName(inner) === '=' && comparesColumnTo(inner, column, value);
  }
  const nullTest = nodeOf(where, 'NullTest');
  if (nullTest) return nullTest.nulltesttype === 'IS_NOT_NULL' && isColumn(nullTest.arg, column);
  const op = nodeOf(where, 'A_Expr');
  if (!op) return false;
  if (op.kind === 'AEXPR_DISTINCT' && opName(op) === '=') return comparesColumnTo(op, column, value);
  if (op.kind === 'AEXPR_OP' && (opName(op) === '<>' || opName(op) === '!=')) return comparesColumnTo(op, column, value);
  return false;
}

/** True when a SET assigns a constant (NULL included): the same value whatever the row held. */
export function isConstantValue(expr: Node | undefined): expr is Node {
  return expr !== undefined && isConstant(expr);
}

function opName(op: { name?: Node[] }): string | undefined {
  return nodesOf(op.name, 'String')[0]?.sval;
}

function comparesColumnTo(op: { lexpr?: Node; rexpr?: Node }, column: string, value: Node): boolean {
  const { lexpr, rexpr } = op;
  if (!lexpr || !rexpr) return false;
  const [col, other] = isColumn(lexpr, column) ? [lexpr, rexpr] : [rexpr, lexpr];
  return isColumn(col, column) && isConstant(other) && constantKey(other) === constantKey(value);
}

function isColumn(expr: Node | undefined, column: string): boolean {
  const fields = nodesOf(nodeOf(expr, 'ColumnRef')?.fields, 'String');
  return fields.length > 0 && fields[fields.length - 1]?.sval === column;
}

/** A constant's value with casts and positions removed, so `'a'` and `'a'::text` compare equal. */
function constantKey(expr: Node): string {
  const cast = nodeOf(expr, 'TypeCast');
  if (cast?.arg) return constantKey(cast.arg);
  const { location: _, ...value } = nodeOf(expr, 'A_Const') ?? {};
  return JSON.stringify(value);
}
