import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { reviewTarget } from '../../src/history/target-review.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { HISTORY, historyPrefix, loadFolder } from '../support/migration-folders.ts';
import { source } from './helpers.ts';

// A target someone changed by hand after 0002: media.file_size is already bigint, and
// ai_verification.confidence_score is numeric(6, 4). The history cannot know; the catalog does.
describe("type changes judged from the target's own catalog", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
    await sql.unsafe(`alter table media alter column file_size type bigint;
      alter table ai_verification alter column confidence_score type numeric(6, 4);
      create type "public"."mood" as enum ('ok', 'meh');
      create function app_tenant() returns uuid language sql stable as $$ select null::uuid $$;
      create function touch_updated_at() returns trigger language plpgsql as $$ begin return new; end $$`);
    await sql.end();
  }, 60_000);
  afterAll(() => db?.drop());

  it('reads column types and enum labels in the same read-only transaction', async () => {
    const history = await readAppliedMigrations(db.url, { catalog: true });
    if (!history.ok) throw new Error(history.reason);
    const column = (relation: string, name: string) =>
      history.catalog?.columns.find((c) => c.relation === relation && c.column === name)?.type;
    expect(column('public.media', 'file_size')).toEqual({ name: 'int8', mods: [], array: false });
    expect(column('public.ai_verification', 'confidence_score')).toEqual({ name: 'numeric', mods: [6, 4], array: false });
    expect(column('public.media', 's3_bucket')).toEqual({ name: 'varchar', mods: [255], array: false });
    expect(column('public.media', 'media_type')).toEqual({ name: 'public.media_type', mods: [], array: false });
    expect(history.catalog?.enums).toContainEqual({ name: 'public.mood', labels: ['ok', 'meh'] });
    expect(history.catalog?.functions).toContainEqual({ name: 'app_tenant', volatility: 'stable', triggerOnly: false });
    expect(history.catalog?.functions).toContainEqual({ name: 'touch_updated_at', volatility: 'volatile', triggerOnly: true });
  });

  it("judges a default and a rename by the target's own function declarations", async () => {
    const history = await readAppliedMigrations(db.url, { catalog: true });
    if (!history.ok) throw new Error(history.reason);
    const review = await reviewMigrations(
      [
        source(
          'ALTER TABLE "media" ADD COLUMN "tenant_id" uuid DEFAULT app_tenant();--> statement-breakpoint\nALTER FUNCTION "touch_updated_at"() RENAME TO "set_updated_at";',
          '0099_tenant',
        ),
      ],
      { targetCatalog: history.catalog },
    );
    expect(review.statements.flatMap((s) => s.findings.map((f) => f.rule))).toEqual([]);
    const blind = await reviewMigrations([source('ALTER TABLE "media" ADD COLUMN "tenant_id" uuid DEFAULT app_tenant();', '0099_tenant')]);
    expect(blind.statements[0]?.findings.map((f) => f.rule)).toEqual(['add-column-volatile-default']);
  });

  it('so a change to the type a column already has is clean, and a narrowing of the real type is destructive', async () => {
    const history = await readAppliedMigrations(db.url, { catalog: true });
    const target = await reviewTarget({ ...(await loadFolder(HISTORY)), history });
    const findings = (prefix: string) =>
      target.review.statements.find((s) => s.sql.startsWith(prefix))?.findings.map((f) => `${f.rule}: ${f.message}`) ?? [];
    expect(findings('ALTER TABLE "media" ALTER COLUMN "file_size"')).toEqual([]);
    expect(findings('ALTER TABLE "ai_verification"')).toEqual([
      'alter-column-type: Changes "ai_verification"."confidence_score" from numeric(6, 4) to numeric(5, 4): a value of 10 or more fails the migration.',
      'alter-column-type-rewrite: Changing "ai_verification"."confidence_score" from numeric(6, 4) to numeric(5, 4) rewrites the whole table while blocking reads and writes.',
    ]);
  });
});
