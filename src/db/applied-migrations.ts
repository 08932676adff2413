import postgres from 'postgres';
import { withDeadline } from '../deadline.ts';
import type { AppliedRow } from '../history/target-plan.ts';
import { redact } from '../redact.ts';
import type { TargetCatalog } from '../review/schema-catalog.ts';
import type { TableStats } from '../review/table-size.ts';
import { readTargetCatalog } from './target-catalog.ts';

/** Where drizzle keeps its history; drizzle's defaults unless drizzle.config.ts sets `migrations`. */
export interface MigrationsTable {
  schema: string;
  table: string;
}

export const DRIZZLE_MIGRATIONS_TABLE: MigrationsTable = { schema: 'drizzle', table: '__drizzle_migrations' };

export interface ReadOptions {
  table?: MigrationsTable;
  connectTimeoutSeconds?: number;
  statementTimeoutMs?: number;
  /** The whole read, connection included, ends by then (default 5 s). */
  totalMs?: number;
  /** Also read every user table's column types and every enum's labels (the CLI does; the bot's budget is tight). */
  catalog?: boolean;
}

/**
 * `tables`: every user table's estimated rows and total size, read in the same transaction;
 * `searchPath`: the reading role's, which the dry run applies (the read-only role should share
 * the migration owner's search_path; ALTER ROLE … SET search_path sets both).
 */
export type AppliedRead =
  | { ok: true; rows: AppliedRow[]; tables: TableStats[]; catalog?: TargetCatalog; searchPath: string }
  | { ok: false; reason: string };

// The pending set is only known once the history is read, so the sizes of every ordinary,
// partitioned and materialized table are read at once, in the same read-only snapshot;
// reltuples and pg_total_relation_size read catalog figures, not the table itself.
const MAX_TABLES = 5000;

/**
 * The target's applied migrations, read the way a reviewer should touch production: one
 * connection, short connect and statement timeouts, a read-only transaction, closed after.
 * A database that never ran drizzle has no table yet: that is an empty history, not an error.
 */
export async function readAppliedMigrations(databaseUrl: string, options: ReadOptions = {}): Promise<AppliedRead> {
  const { schema, table } = options.table ?? DRIZZLE_MIGRATIONS_TABLE;
  let sql: postgres.Sql;
  try {
    sql = postgres(databaseUrl, {
      max: 1,
      connect_timeout: options.connectTimeoutSeconds ?? 3,
      idle_timeout: 1,
      // No array-type lookup at connect: one round trip fewer, and nothing left running in the
      // background if the read is abandoned.
      fetch_types: false,
      onnotice: () => {},
      connection: { statement_timeout: options.statementTimeoutMs ?? 2000, application_name: 'daadaar-deploybot review' },
    });
  } catch (error) {
    return { ok: false, reason: `Cannot use the database URL: ${describe(error)}` };
  }
  try {
    type Row = { id: number; hash: string; created_at: string | null; name: string | null };
    type SizeRow = { relation: string; rows: number; bytes: number };
    // statement_timeout is enforced by the server; a server (or a path to it) that stops
    // answering after login is only ended by a clock on this side.
    const totalMs = options.totalMs ?? 5000;
    const reading = sql.begin('read only', async (tx): Promise<[readonly Row[], readonly SizeRow[], TargetCatalog | undefined, string]> => {
      const [found] = await tx<
        { regclass: string | null }[]
      >`select to_regclass(${`${quoteIdent(schema)}.${quoteIdent(table)}`})::text as regclass`;
      const applied = found?.regclass
        ? await tx<Row[]>`
        select id, hash, created_at, to_jsonb(t) ->> 'name' as name from ${tx(schema)}.${tx(table)} t order by created_at asc, id asc`
        : [];
      const tables = await tx<SizeRow[]>`
        select n.nspname || '.' || c.relname as relation, c.reltuples::float8 as rows, pg_total_relation_size(c.oid)::float8 as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%'
        order by bytes desc limit ${MAX_TABLES}`;
      const [path] = await tx<{ search_path: string }[]>`select current_setting('search_path') as search_path`;
      return [applied, tables, options.catalog ? await readTargetCatalog(tx) : undefined, path?.search_path ?? ''];
    });
    const [rows, sizes, catalog, searchPath] = await withDeadline(
      reading,
      totalMs,
      'The target database',
      () => void sql.end({ timeout: 0 }).catch(() => {}),
    );
    return {
      ok: true,
      // drizzle v1 adds `name` (and applied_at); to_jsonb reads it without failing on older tables.
      rows: rows.map((r) => ({
        id: Number(r.id),
        hash: r.hash,
        createdAt: Number(r.created_at ?? 0),
        ...(r.name ? { name: r.name } : {}),
      })),
      tables: sizes.map((t) => ({ relation: t.relation, rows: Number(t.rows), bytes: Number(t.bytes) })),
      ...(catalog ? { catalog } : {}),
      searchPath,
    };
  } catch (error) {
    return { ok: false, reason: `Cannot read ${schema}.${table}: ${describe(error)}` };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const text = e.message ?? String(error);
  return redact(e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text);
}
