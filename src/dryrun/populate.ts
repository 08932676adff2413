import type { PGlite } from '@electric-sql/pglite';
import type { Node } from 'libpg-query';

// Production tables hold rows; a fresh dry-run database does not. `ALTER TABLE … ADD COLUMN …
// NOT NULL` without a default passes on an empty table and fails (23502) on the first
// database with one row, so when the stats say a table holds rows, the dry run puts one
// synthetic row in it before the pending set runs.
//
// The row must never cause a failure real data might not: every column takes its default
// (identity, generated, DEFAULT) or NULL; only a NOT NULL column without a default gets a
// value, the blandest its type allows. Foreign keys are not checked while seeding
// (session_replication_role = replica disables PostgreSQL's RI triggers,
// https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SESSION-REPLICATION-ROLE),
// so a row needs no parent. A table whose row its own constraints refuse stays empty.

/** Relations as `schema.name` (the stats' spelling), or every user table the history created. */
export type PopulatedTables = readonly string[] | 'all';

export interface Seeded {
  seeded: string[];
  /** Tables the stats say hold rows but that took no synthetic row, and why. */
  refused: { relation: string; reason: string }[];
}

interface ColumnRow {
  attname: string;
  type: string;
  notnull: boolean;
  defaulted: boolean;
  category: string;
  typname: string;
  first_label: string | null;
}

/** `relation` as the stats spell it, and its regclass text (quoted as SQL needs it). */
async function existing(db: PGlite, tables: PopulatedTables): Promise<{ relation: string; regclass: string }[]> {
  const user = `c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;
  const { rows } = await db.query<{ relation: string; regclass: string }>(
    `select n.nspname || '.' || c.relname as relation, c.oid::regclass::text as regclass
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where ${user} and not c.relispartition ${tables === 'all' ? '' : `and n.nspname || '.' || c.relname = any($1::text[])`}
     order by 1`,
    tables === 'all' ? [] : [[...tables]],
  );
  return rows;
}

/** Inserts one synthetic row into each populated table; must run inside a transaction. */
export async function populateTables(db: PGlite, tables: PopulatedTables): Promise<Seeded> {
  const result: Seeded = { seeded: [], refused: [] };
  if (tables !== 'all' && tables.length === 0) return result;
  await db.exec('SET session_replication_role = replica');
  try {
    for (const { relation, regclass } of await existing(db, tables)) {
      const insert = await insertStatement(db, regclass);
      if (!insert.ok) {
        result.refused.push({ relation, reason: insert.reason });
        continue;
      }
      await db.exec('SAVEPOINT deploybot_synthetic_row');
      try {
        await db.exec(insert.sql);
        await db.exec('RELEASE SAVEPOINT deploybot_synthetic_row');
        result.seeded.push(relation);
      } catch (error) {
        await db.exec('ROLLBACK TO SAVEPOINT deploybot_synthetic_row');
        result.refused.push({ relation, reason: (error as Error).message });
      }
    }
  } finally {
    await db.exec('SET session_replication_role = DEFAULT');
  }
  return result;
}

async function insertStatement(db: PGlite, regclass: string): Promise<{ ok: true; sql: string } | { ok: false; reason: string }> {
  // Domains are judged by their base type; the first label of an enum is as good as any.
  const { rows } = await db.query<ColumnRow>(
    `select quote_ident(a.attname) as attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
            (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as defaulted,
            b.typcategory as category, b.typname,
            (select e.enumlabel from pg_enum e where e.enumtypid = b.oid order by e.enumsortorder limit 1) as first_label
     from pg_attribute a join pg_type t on t.oid = a.atttypid
     join pg_type b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [regclass],
  );
  const columns: string[] = [];
  const values: string[] = [];
  for (const c of rows) {
    if (c.defaulted || !c.notnull) continue;
    const value = blandValue(c);
    if (value === undefined) return { ok: false, reason: `no synthetic value for NOT NULL column ${c.attname} of type ${c.type}` };
    columns.push(c.attname);
    values.push(`${value}::${c.type}`);
  }
  return {
    ok: true,
    sql: columns.length
      ? `INSERT INTO ${regclass} (${columns.join(', ')}) VALUES (${values.join(', ')})`
      : `INSERT INTO ${regclass} DEFAULT VALUES`,
  };
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

// pg_type.typcategory (https://www.postgresql.org/docs/current/catalog-pg-type.html#CATALOG-TYPCATEGORY-TABLE).
function blandValue(c: ColumnRow): string | undefined {
  switch (c.category) {
    case 'A':
      return literal('{}');
    case 'B':
      return 'false';
    case 'D':
      return 'now()';
    case 'E':
      return c.first_label === null ? undefined : literal(c.first_label);
    case 'N':
      // 1, not 0: a later division or a CHECK (x > 0) is the migration's business, not the row's.
      return c.typname === 'oid' || c.typname.startsWith('reg') ? undefined : literal('1');
    case 'S':
      return literal('x');
    case 'T':
      return literal('1 day');
    case 'I':
      return literal('127.0.0.1');
    case 'V':
      return literal('1');
  }
  if (c.typname === 'uuid') return 'gen_random_uuid()';
  if (c.typname === 'json' || c.typname === 'jsonb') return literal('{}');
  if (c.typname === 'bytea') return literal('\\x');
  return undefined;
}

/**
 * Whether a failure the synthetic row caused would happen on any non-empty table: a statement
 * that only adds columns fills them from their own defaults, never from the row's values (a
 * stored generated column is computed from them, so it does not count). Anything else (SET NOT
 * NULL, a cast, a new constraint) judged the row's made-up values: the dry run cannot say.
 */
export function failsOnAnyRow(ast: Node | undefined): boolean {
  const alter = (ast as { AlterTableStmt?: { cmds?: { AlterTableCmd?: { subtype?: string; def?: unknown } }[] } } | undefined)
    ?.AlterTableStmt;
  if (!alter?.cmds?.length) return false;
  return alter.cmds.every((cmd) => {
    const c = cmd.AlterTableCmd;
    if (c?.subtype !== 'AT_AddColumn') return false;
    const constraints = (c.def as { ColumnDef?: { constraints?: { Constraint?: { contype?: string } }[] } }).ColumnDef?.constraints ?? [];
    return !constraints.some((k) => k.Constraint?.contype === 'CONSTR_GENERATED' || k.Constraint?.contype === 'CONSTR_CHECK');
  });
}
