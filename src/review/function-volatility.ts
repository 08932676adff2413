import type { CreateFunctionStmt, Node } from 'libpg-query';
import { baseName, nodeOf, nodesOf } from './ast.ts';

// What PostgreSQL declares about a function (pg_proc.provolatile, prorettype), for the rules that
// depend on it. Since PG 11, ADD COLUMN with a non-volatile default stores the value once in the
// catalog and rewrites nothing; a volatile default is evaluated per row, rewriting the table
// under ACCESS EXCLUSIVE (https://www.postgresql.org/docs/current/sql-altertable.html, Notes).
// A STABLE function such as now() is evaluated once for the statement, so it is not a rewrite.

export type FunctionVolatility = 'volatile' | 'stable' | 'immutable';

// provolatile as PostgreSQL 15's pg_proc and the usual extensions (pgcrypto, uuid-ossp) declare it,
// for the functions found in column defaults. Anything else is looked up in the catalog the
// review built (a CREATE FUNCTION the history or the run holds, or the target's pg_proc).
const KNOWN: Record<string, FunctionVolatility> = {
  gen_random_uuid: 'volatile',
  uuid_generate_v1: 'volatile',
  uuid_generate_v1mc: 'volatile',
  uuid_generate_v4: 'volatile',
  uuidv4: 'volatile',
  uuidv7: 'volatile',
  gen_random_bytes: 'volatile',
  random: 'volatile',
  clock_timestamp: 'volatile',
  timeofday: 'volatile',
  nextval: 'volatile',
  txid_current: 'volatile',
  now: 'stable',
  statement_timestamp: 'stable',
  transaction_timestamp: 'stable',
  current_setting: 'stable',
  // timezone(text, timestamptz) is IMMUTABLE and timezone(text, timestamp) STABLE; the
  // parser writes `now() AT TIME ZONE 'utc'` as a call of it.
  timezone: 'stable',
  to_char: 'stable',
  date_trunc: 'stable',
  date_part: 'stable',
  extract: 'stable',
  age: 'stable',
  concat: 'stable',
  to_timestamp: 'stable',
  to_jsonb: 'stable',
  to_json: 'stable',
  jsonb_build_object: 'stable',
  jsonb_build_array: 'stable',
  json_build_object: 'stable',
  json_build_array: 'stable',
  array_to_json: 'stable',
  lower: 'immutable',
  upper: 'immutable',
  btrim: 'immutable',
  md5: 'immutable',
  length: 'immutable',
  make_interval: 'immutable',
  uuid_nil: 'immutable',
  jsonb_typeof: 'immutable',
};

/** The volatility PostgreSQL declares for a function of that (unqualified) name, when the list knows it. */
export function knownVolatility(name: string): FunctionVolatility | undefined {
  return Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
}

/** A function's declared volatility: VOLATILE unless it says otherwise (CREATE FUNCTION's default). */
export function declaredVolatility(fn: CreateFunctionStmt): FunctionVolatility {
  const option = nodesOf(fn.options, 'DefElem').find((o) => o.defname === 'volatility');
  const value = nodeOf(option?.arg, 'String')?.sval?.toLowerCase();
  return value === 'stable' || value === 'immutable' ? value : 'volatile';
}

/** True for a function only a trigger can call: PostgreSQL refuses `SELECT f()` of one returning trigger or event_trigger. */
export function returnsTrigger(fn: CreateFunctionStmt): boolean {
  const type = baseName(fn.returnType?.names);
  return type === 'trigger' || type === 'event_trigger';
}

export function functionName(names: readonly Node[] | undefined): string {
  return baseName(names).toLowerCase();
}
