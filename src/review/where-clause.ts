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
