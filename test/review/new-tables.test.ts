import { describe, expect, it } from 'vitest';
import type { Review } from '../../src/review/model.ts';
import type { TargetCatalog } from '../../src/review/schema-catalog.ts';
import { reviewSql } from './helpers.ts';

// A table counts as new (no rows, no readers: its drops and rewrites are clean) only when the
// run surely created it. Each probe "creates" `public`'s existing table without creating it,
// then destroys data in it: the review must say destructive, as without the "create".
const APPLIED =
  '-- applied earlier\nCREATE TABLE "users" ("id" serial PRIMARY KEY, "email" varchar(255) NOT NULL, "bio" text);\n-- pending\n';
const TARGET: TargetCatalog = {
  columns: [
    { relation: 'public.users', column: 'email', type: { name: 'varchar', mods: [255], array: false } },
    { relation: 'public.users', column: 'bio', type: { name: 'text', mods: [], array: false } },
  ],
  enums: [],
};

const DESTROY = {
  'DROP TABLE': 'DROP TABLE "users";',
  'DROP TABLE (qualified)': 'DROP TABLE "public"."users";',
  'DROP COLUMN': 'ALTER TABLE "users" DROP COLUMN "bio";',
  'ALTER COLUMN TYPE … USING left()': 'ALTER TABLE "users" ALTER COLUMN "email" TYPE varchar(2) USING left("email", 2);',
};

const FAKE_CREATES = {
  'CREATE TABLE IF NOT EXISTS on the existing table': 'CREATE TABLE IF NOT EXISTS "users" ("id" serial, "email" varchar(2));',
  'CREATE TEMP TABLE of the same name': 'CREATE TEMP TABLE "users" ("id" serial, "email" varchar(2), "bio" text);',
  'CREATE TABLE under another search_path':
    'SET search_path TO "scratch";\nCREATE TABLE "users" ("id" serial, "email" varchar(2), "bio" text);\nSET search_path TO public;',
  'CREATE TABLE after set_config(search_path)':
    'SELECT set_config(\'search_path\', \'scratch\', false);\nCREATE TABLE "users" ("id" serial, "email" varchar(2), "bio" text);',
  'CREATE TABLE after a DO block sets the path':
    'DO $$ BEGIN PERFORM set_config(\'search_path\', \'scratch\', true); END $$;\nCREATE TABLE "users" ("id" serial, "email" varchar(2), "bio" text);',
  'CREATE TABLE after SET ROLE (a new $user schema)':
    'SET ROLE "scratch";\nCREATE TABLE "users" ("id" serial, "email" varchar(2), "bio" text);',
  'CREATE TABLE after CREATE SCHEMA (named as the role)':
    'CREATE SCHEMA "deploy";\nCREATE TABLE "users" ("id" serial, "email" varchar(2), "bio" text);',
};

const destructive = (review: Review) =>
  review.statements
    .at(-1)
    ?.findings.filter((f) => f.category === 'destructive')
    .map((f) => f.rule);

describe('a table counts as new only when the run surely created it', () => {
  for (const [fake, create] of Object.entries(FAKE_CREATES)) {
    for (const [what, destroy] of Object.entries(DESTROY)) {
      const unqualifiedAfterPathChange = /search_path|ROLE|SCHEMA/.test(create) && !destroy.includes('"public".');
      it(`${what} after ${fake} is destructive`, async () => {
        // With the applied history known, and with the target's own catalog.
        const sql = `${APPLIED}${create}\n${destroy}`;
        for (const review of [await reviewSql(sql), await reviewSql(sql, { targetCatalog: TARGET })]) {
          expect(destructive(review)?.length, `${fake} / ${what}`).toBeGreaterThan(0);
        }
        // Without any history: an unknown table is never assumed new either.
        if (fake.includes('IF NOT EXISTS') || fake.includes('TEMP') || unqualifiedAfterPathChange) {
          expect(destructive(await reviewSql(`${create}\n${destroy}`))?.length).toBeGreaterThan(0);
        }
      });
    }
  }

  it('still counts a table the run created as new: IF NOT EXISTS where the target has none, or a schema-qualified one', async () => {
    const created =
      'CREATE TABLE IF NOT EXISTS "appeals" ("id" serial, "note" text);\nCREATE INDEX "appeals_note_idx" ON "appeals" ("note");\nDROP TABLE "appeals";';
    const withTarget = await reviewSql(created, { targetCatalog: TARGET });
    expect(withTarget.statements.flatMap((s) => s.findings)).toEqual([]);
    // Only the history is known: a table outside it may exist, so the index is judged as on an existing table.
    expect(withTarget.summary.locking).toBe(0);
    expect((await reviewSql(created)).summary.locking).toBeGreaterThan(0);
    const qualified = await reviewSql(
      'SET search_path TO "scratch";\nCREATE TABLE "public"."appeals" ("id" serial);\nDROP TABLE "public"."appeals";',
    );
    expect(qualified.statements.flatMap((s) => s.findings.map((f) => f.rule))).toEqual([]);
  });

  it('keeps what the target says about a column when IF NOT EXISTS declares it otherwise', async () => {
    // varchar(2) declared by a no-op create must not make a cut to varchar(2) look like no change.
    const review = await reviewSql(
      'CREATE TABLE IF NOT EXISTS "users" ("email" varchar(2));\nALTER TABLE "users" ALTER COLUMN "email" TYPE varchar(2);',
      { targetCatalog: TARGET },
    );
    expect(review.statements[1]?.findings.map((f) => f.message).join(' ')).toMatch(/from varchar\(255\)/);
  });
});
