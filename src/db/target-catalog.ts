import type postgres from 'postgres';
import type { ColumnType } from '../review/column-type.ts';
import type { TargetCatalog } from '../review/schema-catalog.ts';

// Each user table's column types and each enum's labels, read from pg_attribute, pg_type and
// pg_enum inside the history's read-only transaction, so a type change is judged from the type
// the target really has. Modifiers are decoded as PostgreSQL stores them in atttypmod
// (https://www.postgresql.org/docs/current/catalog-pg-attribute.html): varchar(n) and char(n)
// keep n + 4; numeric(p, s) keeps ((p << 16) | s) + 4; time types keep their precision.

const MAX_COLUMNS = 50_000;

interface ColumnRow {
  relation: string;
  column: string;
  typname: string;
  type_schema: string;
  typtype: string;
  typmod: number;
  elem: string | null;
  elem_schema: string | null;
  elem_typtype: string | null;
}

export async function readTargetCatalog(tx: postgres.TransactionSql): Promise<TargetCatalog> {
  const rows = await tx<ColumnRow[]>`
    select n.nspname || '.' || c.relname as relation, a.attname as column, t.typname, tn.nspname as type_schema,
           t.typtype, a.atttypmod as typmod, et.typname as elem, etn.nspname as elem_schema, et.typtype as elem_typtype
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid join pg_namespace tn on tn.oid = t.typnamespace
    left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
    left join pg_namespace etn on etn.oid = et.typnamespace
    where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
    limit ${MAX_COLUMNS}`;
  const enums = await tx<{ name: string; labels: string[] }[]>`
    select n.nspname || '.' || t.typname as name, to_json(array_agg(e.enumlabel::text order by e.enumsortorder)) as labels
    from pg_enum e join pg_type t on t.oid = e.enumtypid join pg_namespace n on n.oid = t.typnamespace
    group by 1`;
  // Functions outside pg_catalog: their declared volatility (a default calling a STABLE one adds
  // a column without a rewrite) and whether only a trigger can call them (a rename breaks no query).
  const functions = await tx<{ name: string; provolatile: string; trigger_only: boolean }[]>`
    select distinct on (p.proname) p.proname as name, p.provolatile, p.prorettype in ('trigger'::regtype, 'event_trigger'::regtype) as trigger_only
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname not in ('pg_catalog', 'information_schema') and p.prokind = 'f'
    order by p.proname, p.provolatile desc
    limit ${MAX_COLUMNS}`;
  return {
    functions: functions.map((f) => ({
      name: f.name,
      volatility: f.provolatile === 'i' ? 'immutable' : f.provolatile === 's' ? 'stable' : 'volatile',
      triggerOnly: f.trigger_only,
    })),
    columns: rows.map((r) => ({ relation: r.relation, column: r.column, type: typeOf(r) })),
    // As JSON: the reader connects without postgres.js's array-type lookup (fetch_types: false).
    enums: enums.map((e) => ({
      name: e.name,
      labels: [...(typeof e.labels === 'string' ? (JSON.parse(e.labels) as string[]) : e.labels)],
    })),
  };
}

function typeOf(r: ColumnRow): ColumnType {
  const array = r.elem !== null;
  const typname = r.elem ?? r.typname;
  const schema = r.elem_schema ?? r.type_schema;
  const user = (r.elem_typtype ?? r.typtype) !== 'b' || schema !== 'pg_catalog';
  const name = user ? `${schema}.${typname}` : typname;
  return { name, mods: mods(typname, r.typmod), array };
}

function mods(typname: string, typmod: number): number[] {
  if (typmod < 0) return [];
  if (typname === 'varchar' || typname === 'bpchar') return [typmod - 4];
  if (typname === 'numeric') return [((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff];
  // pgvector and bit types keep their dimension or length as is.
  if (['timestamp', 'timestamptz', 'time', 'timetz', 'interval', 'vector', 'halfvec', 'sparsevec', 'bit', 'varbit'].includes(typname))
    return [typmod];
  return [];
}
