import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

// Tests run against a real PostgreSQL server when one answers (the development machines run
// one), in a database of their own; otherwise against PGlite served over the wire protocol, so
// the same postgres.js code paths run on any fresh machine instead of being skipped.

export interface TestDatabase {
  url: string;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let serverReachable: Promise<boolean> | undefined;

export async function createTestDatabase(): Promise<TestDatabase> {
  serverReachable ??= probe(SERVER_URL);
  return (await serverReachable) ? createOnServer() : createOnPglite();
}

/** A test database with a migrations folder applied by drizzle-orm's own migrator: a target as drizzle leaves it. */
export async function createMigratedDatabase(migrationsFolder: string): Promise<TestDatabase> {
  const db = await createTestDatabase();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end();
  }
  return db;
}

async function probe(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function createOnServer(): Promise<TestDatabase> {
  const name = `deploybot_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    async drop() {
      const sql = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.end();
    },
  };
}

export async function createOnPglite(): Promise<TestDatabase> {
  const db = await PGlite.create();
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: 'pglite',
    async drop() {
      await server.stop();
      await db.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let emptyTarget: Promise<string> | undefined;

/**
 * A target database that has never run drizzle (no __drizzle_migrations yet): the bot reads it
 * and finds every shipped migration pending. Nothing ever writes to it, so one per server (or
 * per test process on the PGlite fallback) serves every harness.
 */
export function emptyTargetUrl(): Promise<string> {
  emptyTarget ??= (async () => {
    serverReachable ??= probe(SERVER_URL);
    if (!(await serverReachable)) return (await createOnPglite()).url;
    const name = 'deploybot_test_empty_target';
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      const [found] = await admin`select 1 as one from pg_database where datname = ${name}`;
      if (!found)
        await admin.unsafe(`create database "${name}"`).catch((error: { code?: string }) => {
          // Another test process created it between the look and the create.
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
    } finally {
      await admin.end();
    }
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  return emptyTarget;
}
