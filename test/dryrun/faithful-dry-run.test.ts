import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { dryRunContextFor } from '../../src/history/target-review.ts';
import { capture } from '../support/capture.ts';
import { drizzleFolder } from '../support/migration-folders.ts';

// The dry run fails only where production would: what PGlite ships is loaded, what the platform
// provides is given (search_path, setup SQL), and what the embedded server lacks is
// `unavailable`, not `failed`. Each history is real drizzle-kit-shaped SQL run through the CLI.

async function review(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(args, out, err, {});
  return { code, out: out.text, err: err.text };
}

async function json(args: string[]) {
  const { code, out } = await review(['--json', ...args]);
  return { code, doc: JSON.parse(out) };
}

const BP = '\n--> statement-breakpoint\n';

describe('a faithful embedded dry run', () => {
  it('loads the contrib extensions the migrations create (pg_trgm, uuid-ossp, pgcrypto, citext)', async () => {
    const folder = drizzleFolder([
      {
        tag: '0000_extensions',
        sql: [
          'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
          'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
          'CREATE EXTENSION IF NOT EXISTS pgcrypto;',
          'CREATE EXTENSION citext;',
        ].join(BP),
      },
      {
        tag: '0001_users',
        sql: [
          'CREATE TABLE "users" ("id" uuid PRIMARY KEY DEFAULT uuid_generate_v4() NOT NULL, "email" citext NOT NULL, "token" text DEFAULT encode(gen_random_bytes(16), \'hex\'));',
          'CREATE INDEX "users_email_trgm" ON "users" USING gin ("email" gin_trgm_ops);',
        ].join(BP),
      },
    ]);
    const { code, doc } = await json([folder]);
    expect(code).toBe(0);
    expect(doc.summary.dryRun).toBe('ok');
    expect(doc.target.dryRun).toMatchObject({ ok: true, migrations: 2, statements: 6 });
  }, 120_000);

  it('--search-path: an enum created in schema app and used unqualified runs as on a role whose search_path has app', async () => {
    const folder = drizzleFolder([
      { tag: '0000_app', sql: ['CREATE SCHEMA "app";', 'CREATE TYPE "app"."mood" AS ENUM(\'calm\', \'busy\');'].join(BP) },
      { tag: '0001_people', sql: 'CREATE TABLE "app"."people" ("id" serial PRIMARY KEY NOT NULL, "mood" mood DEFAULT \'calm\' NOT NULL);' },
    ]);
    const without = await json([folder]);
    expect(without.doc.summary.dryRun).toBe('failed');
    expect(without.doc.target.dryRun).toMatchObject({ status: 'failed', tag: '0001_people', code: '42704' });
    const withPath = await json(['--search-path', 'app,public', folder]);
    expect(withPath.doc.summary.dryRun).toBe('ok');
  }, 120_000);

  it('--dry-run-setup: a foreign key to the auth.users the platform provides', async () => {
    const folder = drizzleFolder([
      {
        tag: '0000_profiles',
        sql:
          'CREATE TABLE "profiles" ("id" uuid PRIMARY KEY NOT NULL, "name" text);' +
          BP +
          'ALTER TABLE "profiles" ADD CONSTRAINT "profiles_id_users_id_fk" FOREIGN KEY ("id") REFERENCES "auth"."users"("id") ON DELETE cascade;',
      },
    ]);
    const without = await json([folder]);
    expect(without.doc.target.dryRun).toMatchObject({ status: 'failed', code: '3F000' });
    const setup = join(mkdtempSync(join(tmpdir(), 'setup-')), 'supabase.sql');
    writeFileSync(setup, 'CREATE SCHEMA auth;\nCREATE TABLE auth.users (id uuid PRIMARY KEY);\nCREATE ROLE authenticated;\n');
    const withSetup = await json(['--dry-run-setup', setup, folder]);
    expect(withSetup.doc.summary.dryRun).toBe('ok');
    const missing = await review(['--dry-run-setup', join(setup, 'nope.sql'), folder]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^Cannot review: --dry-run-setup: cannot read the dry-run setup .*nope\.sql: ENOTDIR/);
  }, 120_000);

  it('unavailable names the missing extension in every format, and never fails the run', async () => {
    const folder = drizzleFolder([
      { tag: '0000_init', sql: 'CREATE TABLE "docs" ("id" serial PRIMARY KEY NOT NULL);' },
      {
        tag: '0001_embeddings',
        sql: `CREATE EXTENSION IF NOT EXISTS vector;${BP}ALTER TABLE "docs" ADD COLUMN "embedding" vector(1536);`,
      },
    ]);
    const { code, doc } = await json(['--fail-on', 'dry-run', folder]);
    expect(code).toBe(0);
    expect(doc.summary.dryRun).toBe('unavailable');
    expect(doc.target.dryRun).toMatchObject({
      ok: false,
      status: 'unavailable',
      missing: 'extension "vector"',
      tag: '0001_embeddings',
      line: 1,
    });

    const text = await review(['--fail-on', 'dry-run', folder]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('dry run: UNAVAILABLE applying the pending set at');
    expect(text.out).toContain('0001_embeddings.sql:1: extension "vector" is not available in embedded PostgreSQL');
    expect(text.out).toMatch(/; dry run unavailable \(extension "vector" is not available in embedded PostgreSQL\)\n$/);

    const github = await review(['--format', 'github', '--fail-on', 'dry-run', folder]);
    expect(github.code).toBe(0);
    expect(github.out).toMatch(
      /^::notice file=.*0001_embeddings\.sql,line=1,title=deploybot%3A dry run unavailable::extension "vector" is not available in embedded PostgreSQL/m,
    );
    expect(github.out).not.toMatch(/^::error/m);

    const sarif = JSON.parse((await review(['--format', 'sarif', '--fail-on', 'dry-run', folder])).out);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'dry-run-unavailable');
    expect(result).toMatchObject({ level: 'note', message: { text: expect.stringContaining('extension "vector" is not available') } });
  }, 120_000);
  it('a COPY to or from a server program or file is unavailable, not run: the embedded server has no OS to run it', async () => {
    for (const [copy, missing] of [
      [`COPY "docs" TO PROGRAM 'gzip > /tmp/docs.gz'`, 'COPY … TO PROGRAM'],
      [`COPY "docs" FROM '/var/lib/postgresql/docs.csv'`, 'COPY … FROM a server file'],
    ]) {
      const folder = drizzleFolder([
        { tag: '0000_init', sql: 'CREATE TABLE "docs" ("id" serial PRIMARY KEY NOT NULL);' },
        { tag: '0001_copy', sql: `${copy};${BP}ALTER TABLE "docs" ADD COLUMN "title" text;` },
      ]);
      const { doc } = await json([folder]);
      expect(doc.summary.dryRun).toBe('unavailable');
      expect(doc.target.dryRun).toMatchObject({ status: 'unavailable', missing, tag: '0001_copy', line: 1 });
    }
    // The shared instance still answers afterwards.
    const after = await json([drizzleFolder([{ tag: '0000_init', sql: 'CREATE TABLE "t" ("id" serial PRIMARY KEY NOT NULL);' }])]);
    expect(after.doc.summary.dryRun).toBe('ok');
  }, 120_000);
});

describe('the dry-run context of a target', () => {
  it("leaves out PostgreSQL's default search_path, so precomputed results still answer; keeps any other, and rows > 0", () => {
    const read = (searchPath: string) => ({ ok: true as const, rows: [], searchPath });
    expect(dryRunContextFor(undefined, read('"$user", public'), [])).toEqual({});
    expect(dryRunContextFor(undefined, read('app, public'), [])).toEqual({ searchPath: 'app, public' });
    expect(dryRunContextFor({ searchPath: 'x' }, read('app, public'), [])).toEqual({ searchPath: 'x' });
    const tables = [
      { relation: 'public.a', rows: 3, bytes: 1 },
      { relation: 'public.b', rows: 0, bytes: 1 },
      { relation: 'public.c', rows: -1, bytes: 1 },
    ];
    expect(dryRunContextFor(undefined, undefined, tables)).toEqual({ populated: ['public.a'] });
  });
});
