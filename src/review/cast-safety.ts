import { type ColumnType, describeType, isBuiltIn, sameType } from './column-type.ts';

// Whether ALTER COLUMN ... TYPE can lose data, can fail, or rewrites the table. Postgres casts
// every value with the assignment cast (or the USING expression) and rewrites the table unless
// the change is binary coercible, e.g. varchar(n) to a longer varchar or to text, or a numeric
// that loses its constraint (https://www.postgresql.org/docs/current/sql-altertable.html, Notes:
// "changing the type of an existing column will require the entire table and its indexes to be
// rewritten", with those exceptions). An assignment cast to a shorter varchar raises an error
// rather than truncating; only an explicit cast truncates
// (https://www.postgresql.org/docs/current/datatype-character.html).

export type CastClass =
  /** No value can change and the table is not rewritten. */
  | 'clean'
  /** No value can change, but every row is rewritten under ACCESS EXCLUSIVE. */
  | 'rewrite'
  /** Values can silently change: rounding, truncation, normalisation. */
  | 'lossy'
  /** A value that does not fit aborts the migration. */
  | 'failing'
  /** The review cannot tell: judge it by hand. */
  | 'unknown';

export interface CastVerdict {
  class: CastClass;
  rewrites: boolean;
  /** Why, in a few words the approver can check. */
  reason: string;
}

export interface CastInput {
  /** The column's type before, when the reviewed history (or the target) says what it is. */
  from: ColumnType | undefined;
  to: ColumnType;
  /** `none`: no USING; `cast`: USING col or col::type (an explicit cast); `expression`: anything else. */
  using: 'none' | 'cast' | 'expression';
  /** Labels of the enum `to` names, when it is one. */
  toEnumValues?: readonly string[];
  /** Labels the column had as an enum before it was turned into text (drizzle-kit's enum rewrite). */
  formerEnum?: { name: string; values: readonly string[] };
  fromEnumValues?: readonly string[];
  /**
   * drizzle-kit's enum value removal, recognised from the statements around the change when the
   * column's labels are not known: `to-text` when the run later drops and re-creates enum `name`
   * and casts this column back to it; `back` when `to` is an enum the run dropped and re-created.
   */
  enumRecreation?: { step: 'to-text' | 'back'; name: string };
}

const INT_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };
const INT_BITS: Record<string, number> = { int2: 16, int4: 32, int8: 64 };
// float4 holds integers exactly up to 2^24, float8 up to 2^53.
const FLOAT_EXACT_BITS: Record<string, number> = { float4: 24, float8: 53 };
const TEXTUAL = new Set(['text', 'varchar', 'citext']);

/** 10^n as people read it: `100000`, or `10^12` when long. */
const power = (n: number) => (n <= 6 ? String(10 ** Math.max(0, n)) : `10^${n}`);

const verdict = (cls: CastClass, rewrites: boolean, reason: string): CastVerdict => ({ class: cls, rewrites, reason });

export function judgeCast(input: CastInput): CastVerdict {
  const { from, to } = input;
  if (input.using === 'expression') return verdict('unknown', true, 'the USING expression decides every new value: check it by hand');
  const recreation = input.enumRecreation;
  if (!from && recreation?.step === 'to-text')
    return verdict(
      'rewrite',
      true,
      `the column goes through text while enum ${recreation.name} is re-created: every label has a text form`,
    );
  if (recreation?.step === 'back' && !input.formerEnum && (!from || (TEXTUAL.has(from.name) && !from.array)))
    return verdict(
      'failing',
      true,
      `enum ${recreation.name} was dropped and re-created with ${(input.toEnumValues ?? []).map((v) => `'${v}'`).join(', ')}: a row holding a label it no longer has fails the cast (the labels it had are not known to the review)`,
    );
  if (!from) return verdict('unknown', true, 'the column’s current type is not known to the review');
  if (sameType(from, to)) return verdict('clean', false, 'the type does not change');
  // drizzle-kit turns an enum array column into text and back too: an array's text form
  // ('{a,b}') casts back to the array type (an I/O conversion cast to text is an assignment cast).
  if (from.array && !to.array && TEXTUAL.has(to.name) && to.mods.length === 0)
    return verdict('rewrite', true, 'every array has a text form, but each row is rewritten');
  if (!from.array && to.array && input.formerEnum && input.toEnumValues && TEXTUAL.has(from.name))
    return intoEnum(input, input.toEnumValues);
  if (from.array !== to.array) return verdict('failing', true, 'an array and a scalar type do not cast into each other');
  const dimensions = pgvectorDimensions(from, to);
  if (dimensions) return dimensions;
  const f = from.name;
  const t = to.name;
  const [toLength] = to.mods;
  const [fromLength] = from.mods;

  if (input.toEnumValues) return intoEnum(input, input.toEnumValues);
  if (t === 'text' || t === 'citext' || (t === 'varchar' && toLength === undefined)) {
    if (TEXTUAL.has(f)) return verdict('clean', false, `${describeType(from)} to ${describeType(to)} is binary coercible`);
    if (f === 'bpchar') return verdict('rewrite', true, 'char(n) drops its padding spaces when cast to text');
    return verdict('rewrite', true, 'every value has a text form, but each row is rewritten');
  }
  if (t === 'varchar' && toLength !== undefined) {
    if (f === 'varchar' && fromLength !== undefined && toLength >= fromLength)
      return verdict('clean', false, `widening varchar(${fromLength}) to varchar(${toLength}) is binary coercible`);
    const longest = longestText(from, input.fromEnumValues);
    if (longest !== undefined && longest <= toLength)
      return verdict('rewrite', true, `every ${describeType(from)} value fits in ${toLength} characters`);
    return input.using === 'cast'
      ? verdict('lossy', true, `the explicit cast cuts values longer than ${toLength} characters`)
      : verdict('failing', true, `a value longer than ${toLength} characters fails the migration`);
  }
  if (t in INT_BITS) {
    if (f in INT_BITS)
      return (INT_BITS[t] ?? 0) >= (INT_BITS[f] ?? 0)
        ? verdict('rewrite', true, `${describeType(from)} widens to ${describeType(to)}`)
        : verdict('failing', true, `a value beyond the ${describeType(to)} range fails the migration`);
    if (f === 'numeric' || f === 'float4' || f === 'float8')
      return verdict('lossy', true, `fractions are rounded away (and values beyond the ${describeType(to)} range fail)`);
    return verdict('failing', true, `${describeType(from)} values do not all cast to ${describeType(to)}`);
  }
  if (t === 'numeric') return intoNumeric(from, to);
  if (t in FLOAT_EXACT_BITS) {
    if (f === 'float4' && t === 'float8') return verdict('rewrite', true, 'real widens exactly to double precision');
    if (f in INT_BITS)
      return (INT_BITS[f] ?? 0) <= (FLOAT_EXACT_BITS[t] ?? 0)
        ? verdict('rewrite', true, `every ${describeType(from)} is exact in ${describeType(to)}`)
        : verdict('lossy', true, `large ${describeType(from)} values lose digits in ${describeType(to)}`);
    if (f === 'numeric' || f === 'float8') return verdict('lossy', true, `${describeType(to)} keeps fewer significant digits`);
  }
  if (f === 'jsonb' && t === 'json') return verdict('rewrite', true, 'jsonb prints as valid json');
  if (f === 'json' && t === 'jsonb') return verdict('lossy', true, 'jsonb drops duplicate keys and key order, and rejects \\u0000');
  if ((f === 'timestamp' && t === 'timestamptz') || (f === 'timestamptz' && t === 'timestamp'))
    return verdict('rewrite', true, 'values are reinterpreted in the session time zone (PG 12+ skips the rewrite when it is UTC)');
  if ((f === 'timestamp' || f === 'timestamptz') && t === 'date') return verdict('lossy', true, 'the time of day is dropped');
  if (f === 'date' && (t === 'timestamp' || t === 'timestamptz')) return verdict('rewrite', true, 'a date becomes midnight');
  if (t === 'bpchar') return verdict('failing', true, `a value longer than ${toLength ?? 1} characters fails the migration`);
  if (!isBuiltIn(to) || !isBuiltIn(from))
    return verdict('unknown', true, `the cast from ${describeType(from)} to ${describeType(to)} is user-defined`);
  return verdict('failing', true, `${describeType(from)} values do not all cast to ${describeType(to)}`);
}

// pgvector's vector(n), halfvec(n) and sparsevec(n): n only checks the dimension. Casting to the
// type without n applies no typmod coercion (PostgreSQL skips it for typmod -1), so the column
// keeps every value and the table is not rewritten; a new n checks every row, and a vector of
// another dimension aborts the migration (https://github.com/pgvector/pgvector, "Storing").
const PGVECTOR = new Set(['vector', 'halfvec', 'sparsevec']);

function pgvectorDimensions(from: ColumnType, to: ColumnType): CastVerdict | undefined {
  const bare = (t: ColumnType) => t.name.split('.').pop() ?? t.name;
  if (!PGVECTOR.has(bare(to)) || bare(from) !== bare(to)) return undefined;
  const [n] = to.mods;
  if (n === undefined) return verdict('clean', false, `dropping the dimension of ${describeType(from)} keeps every value`);
  return verdict('failing', true, `a value that does not have ${n} dimensions fails the migration`);
}

function intoNumeric(from: ColumnType, to: ColumnType): CastVerdict {
  const [precision, scale = 0] = to.mods;
  const f = from.name;
  if (precision === undefined) {
    if (f === 'numeric') return verdict('clean', false, 'dropping a numeric’s constraint is binary coercible');
    if (f in INT_BITS || f === 'float4' || f === 'float8' || f === 'money')
      return verdict('rewrite', true, `every ${describeType(from)} is exact in numeric`);
    return verdict('failing', true, `${describeType(from)} values do not all cast to numeric`);
  }
  const integerDigits = precision - scale;
  if (f === 'numeric') {
    const [p0, s0 = 0] = from.mods;
    if (p0 === undefined)
      return verdict('lossy', true, `values are rounded to ${scale} decimal places, and any of ${power(integerDigits)} or more fails`);
    if (scale === s0 && precision >= p0) return verdict('clean', false, 'a wider numeric with the same scale is binary coercible');
    if (scale < s0) return verdict('lossy', true, `values are rounded from ${s0} to ${scale} decimal places`);
    return integerDigits >= p0 - s0
      ? verdict('rewrite', true, `every numeric(${p0}, ${s0}) fits in ${describeType(to)}`)
      : verdict('failing', true, `a value of ${power(integerDigits)} or more fails the migration`);
  }
  if (f in INT_DIGITS)
    return (INT_DIGITS[f] ?? 99) <= integerDigits
      ? verdict('rewrite', true, `every ${describeType(from)} fits in ${describeType(to)}`)
      : verdict('failing', true, `a value of ${power(integerDigits)} or more fails the migration`);
  if (f === 'float4' || f === 'float8')
    return verdict('lossy', true, `values are rounded to ${scale} decimal places, and any of ${power(integerDigits)} or more fails`);
  return verdict('failing', true, `${describeType(from)} values do not all cast to ${describeType(to)}`);
}

function intoEnum(input: CastInput, labels: readonly string[]): CastVerdict {
  const { from, to, formerEnum } = input;
  if (formerEnum && formerEnum.name === to.name && from && TEXTUAL.has(from.name)) {
    const removed = formerEnum.values.filter((v) => !labels.includes(v));
    return removed.length
      ? verdict(
          'failing',
          true,
          `removes ${removed.map((v) => `'${v}'`).join(', ')} from enum ${describeType({ ...to, array: false })}: a row holding one fails the cast`,
        )
      : verdict('rewrite', true, `re-creates enum ${describeType(to)} with every value it had`);
  }
  if (input.fromEnumValues && from && !labels.length) return verdict('unknown', true, 'the target enum’s labels are not known');
  if (input.fromEnumValues) {
    const missing = input.fromEnumValues.filter((v) => !labels.includes(v));
    return missing.length
      ? verdict('failing', true, `${missing.map((v) => `'${v}'`).join(', ')} are not labels of ${describeType(to)}`)
      : verdict('rewrite', true, `every label exists in ${describeType(to)}`);
  }
  return verdict('failing', true, `a value that is not a label of ${describeType(to)} fails the migration`);
}

function longestText(from: ColumnType, enumValues: readonly string[] | undefined): number | undefined {
  if (enumValues) return Math.max(0, ...enumValues.map((v) => v.length));
  if (from.name === 'uuid') return 36;
  if (from.name === 'bool') return 5;
  if (from.name === 'varchar' || from.name === 'bpchar') return from.mods[0];
  if (from.name in INT_DIGITS) return (INT_DIGITS[from.name] ?? 0) + 1;
  return undefined;
}

/** Categories a verdict earns: data at risk is destructive, a rewrite is locking. */
export function isDestructive(v: CastVerdict): boolean {
  return v.class === 'lossy' || v.class === 'failing' || v.class === 'unknown';
}
