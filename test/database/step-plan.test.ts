import { describe, expect, it } from 'vitest';
import { planSteps } from '../../database/step-plan.ts';
import type { MigrationSource } from '../../src/review/model.ts';

// How the pending set is cut into the runner's steps; planSteps loads the parser itself.
describe('planSteps', () => {
  const migration = (tag: string, sql: string): MigrationSource => ({ tag, file: `${tag}.sql`, sql, hash: tag, when: 1 });

  it("keeps drizzle's pieces whole, and cuts only a piece that holds an own step into its statements", async () => {
    const plan = await planSteps([
      migration('0000_a', 'CREATE TABLE "a" ("x" int); INSERT INTO "a" VALUES (1);--> statement-breakpoint\n-- nothing\n'),
      migration(
        '0001_b',
        'ALTER TABLE "a" ADD COLUMN "y" int;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY "a_x" ON "a" ("x"); UPDATE "a" SET "y" = 1;',
      ),
    ]);
    expect(plan.map((m) => m.steps.map((s) => [s.statement, s.text, s.own ? 'own' : 'tx']))).toEqual([
      [[0, 'CREATE TABLE "a" ("x" int); INSERT INTO "a" VALUES (1);', 'tx']],
      [
        [0, 'ALTER TABLE "a" ADD COLUMN "y" int;', 'tx'],
        [1, 'CREATE INDEX CONCURRENTLY "a_x" ON "a" ("x")', 'own'],
        [2, 'UPDATE "a" SET "y" = 1', 'tx'],
      ],
    ]);
  });

  it('sees later statements across migrations: a value added in one and used in the next', async () => {
    const plan = await planSteps([
      migration('0000_a', `ALTER TYPE "mood" ADD VALUE 'calm';`),
      migration('0001_b', `UPDATE "people" SET "mood" = 'calm';`),
    ]);
    expect(plan[0]?.steps[0]?.own?.reason).toMatch(/a later statement uses the value 'calm'/);
  });
});
