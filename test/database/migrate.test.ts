import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import { seedOrganizations } from '../../database/seed-organizations.ts';
import { createOnPglite, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { HISTORY, historyPrefix } from '../support/migration-folders.ts';

describe('database/migrate', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('applies what drizzle has not applied yet, names each one, and then nothing', async () => {
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
    const lines: string[] = [];
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log: (l) => lines.push(l) });
    const tags = ['0003_media_sizes_and_cleanup', '0004_rename_biography', '0005_backfill_trimmed_names'];
    expect(run).toMatchObject({ ok: true, applied: tags, attempts: 1 });
    expect(lines.slice(0, 3).map((l) => l.split(' (')[0])).toEqual(tags.map((t) => `Applying ${t}`));
    expect(lines[3]).toBe('__drizzle_migrations holds the 3 rows it had plus the 3 planned, in order.');
    expect(lines[4]).toMatch(new RegExp(`^Applied 3 migrations in one transaction in \\d+ ms: ${tags.join(', ')}\\.$`));
    const applied = await sql`select hash from drizzle.__drizzle_migrations`;
    expect(applied).toHaveLength(6);

    const again: string[] = [];
    expect(await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log: (l) => again.push(l) })).toMatchObject({
      ok: true,
      applied: [],
    });
    expect(again).toEqual(['Nothing to apply: all 6 migrations are applied.']);
  });

  it('leaves the platform schema: 15 tables, 9 enums, anonymous-first authorship', async () => {
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables).toHaveLength(15);
    const enums = await sql`select typname from pg_type where typtype = 'e'`;
    expect(enums).toHaveLength(9);
    const columns = await sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns where table_schema = 'public'`;
    const has = (t: string, c: string) => columns.some((r) => r.table_name === t && r.column_name === c);
    // Who wrote a contributed row: a signed-in user, or the anonymous session.
    const authorship: Record<string, [string, string]> = {
      organizations: ['created_by_user_id', 'session_id'],
      organization_hierarchy: ['created_by_user_id', 'session_id'],
      roles: ['created_by_user_id', 'session_id'],
      individuals: ['created_by_user_id', 'session_id'],
      role_occupancy: ['created_by_user_id', 'session_id'],
      reports: ['user_id', 'session_id'],
      votes: ['user_id', 'session_id'],
      media: ['uploaded_by_user_id', 'uploaded_by_session_id'],
      content_reports: ['reporter_user_id', 'reporter_session_id'],
    };
    for (const [table, [user, session]] of Object.entries(authorship)) {
      expect(has(table, user) && has(table, session), `${table}.${user}/${session}`).toBe(true);
    }
    const anonymousVote = sql`insert into votes (report_id, vote_type) values (1, 'upvote')`;
    await expect(anonymousVote).rejects.toThrow(/votes_voter_check|foreign key/);
  });

  it('seeds organizations idempotently, and CLEAN=true deletes them with their roles first', async () => {
    const first = await seedOrganizations(sql, { clean: false });
    expect(first).toEqual({ deletedOrganizations: 0, insertedOrganizations: 4, insertedRoles: 4, insertedLinks: 1 });
    expect(await seedOrganizations(sql, { clean: false })).toEqual({
      deletedOrganizations: 0,
      insertedOrganizations: 0,
      insertedRoles: 0,
      insertedLinks: 0,
    });

    await sql`insert into organizations (name) values ('Added by a contributor')`;
    const clean = await seedOrganizations(sql, { clean: true });
    expect(clean).toEqual({ deletedOrganizations: 5, insertedOrganizations: 4, insertedRoles: 4, insertedLinks: 1 });
    const survivors = await sql`select id from organizations where name = 'Added by a contributor'`;
    expect(survivors).toHaveLength(0);
  });
});

describe('an unreachable database', () => {
  it('is a value with a reason that never shows the password', async () => {
    const run = await runMigrations({
      databaseUrl: 'postgres://migrator:s3cret-pw@127.0.0.1:1/daadaar',
      migrationsFolder: HISTORY,
      log: () => {},
    });
    expect(run).toMatchObject({ ok: false, stage: 'migration', attempts: 1 });
    expect(!run.ok && run.reason).toMatch(/^Cannot migrate: .*ECONNREFUSED/);
    expect(!run.ok && run.reason).not.toContain('s3cret-pw');
  });
});

describe('the embedded PostgreSQL fallback', () => {
  it('runs the whole history with the same driver and migrator', async () => {
    const db = await createOnPglite();
    try {
      const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, log: () => {} });
      expect(run.ok && run.applied).toHaveLength(6);
    } finally {
      await db.drop();
    }
  });
});
