import postgres from 'postgres';
import { withDeadline } from '../deadline.ts';
import { redact } from '../redact.ts';
import type { AppliedRow } from '../review/target-plan.ts';

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
}

export type AppliedRead = { ok: true; rows: AppliedRow[] } | { ok: false; reason: string };

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
    type Row = { id: number; hash: string; created_at: string | null };
    // statement_timeout is enforced by the server; a server (or a path to it) that stops
    // answering after login is only ended by a clock on this side.
    const totalMs = options.totalMs ?? 5000;
    const reading = sql.begin('read only', async (tx): Promise<readonly Row[]> => {
      const [found] = await tx<
        { regclass: string | null }[]
      >`select to_regclass(${`${quoteIdent(schema)}.${quoteIdent(table)}`})::text as regclass`;
      if (!found?.regclass) return [];
      return tx<Row[]>`
        select id, hash, created_at from ${tx(schema)}.${tx(table)} order by created_at asc, id asc`;
    });
    const rows = await withDeadline(reading, totalMs, 'The target database', () => void sql.end({ timeout: 0 }).catch(() => {}));
    return { ok: true, rows: rows.map((r) => ({ id: Number(r.id), hash: r.hash, createdAt: Number(r.created_at ?? 0) })) };
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
