import { afterAll, describe, expect, it } from 'vitest';
import { PgliteDryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { reviewTarget } from '../../src/history/target-review.ts';
import { source } from '../review/helpers.ts';

// PGlite is a PostgreSQL backend: pg_locks lists the session's relation locks and pg_class's
// relfilenode changes when a table is rewritten, so the trace runs on the embedded dry run.
const applied = [
  {
    when: 1,
    ...source(
      'CREATE TABLE "events" ("id" serial PRIMARY KEY, "kind" varchar(20), "hits" integer, "seen_at" timestamp);\n' +
        'CREATE TABLE "users" ("id" serial PRIMARY KEY);',
      '0000_init',
    ),
  },
];
const pending = [
  {
    when: 2,
    ...source(
      [
        'CREATE INDEX "events_kind_idx" ON "events" ("kind");',
        'ALTER TABLE "users" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid() NOT NULL;',
        'ALTER TABLE "events" ALTER COLUMN "hits" SET DATA TYPE bigint;',
        'ALTER TABLE "events" ALTER COLUMN "kind" SET DATA TYPE varchar(50);',
        'ALTER TABLE "events" ALTER COLUMN "seen_at" SET DATA TYPE timestamp with time zone;',
      ].join('--> statement-breakpoint\n'),
      '0001_changes',
    ),
  },
];

describe('the traced dry run', () => {
  const runner = new PgliteDryRunner({ trace: true });
  afterAll(() => runner.close());

  it('records the lock each pending statement took and the tables it rewrote', async () => {
    const result = await runner.run(applied, pending);
    if (!result.ok) throw new Error(result.error);
    expect(result.trace?.map((t) => ({ locks: t.locks.map((l) => `${l.mode} ${l.relation}`), rewritten: t.rewritten }))).toEqual([
      { locks: ['SHARE public.events'], rewritten: [] },
      // The rewrite rebuilds the primary key too, which takes its own SHARE lock on the table.
      { locks: ['SHARE public.users', 'ACCESS EXCLUSIVE public.users'], rewritten: ['public.users'] },
      { locks: ['ACCESS EXCLUSIVE public.events'], rewritten: ['public.events'] },
      // Already held since the previous statement: nothing new, and varchar widening rewrites nothing.
      { locks: [], rewritten: [] },
      { locks: [], rewritten: [] },
    ]);
  });

  it('puts the observation beside each finding, and says where it contradicts the rules', async () => {
    const history = { ok: true as const, rows: [{ id: 1, hash: applied[0]?.hash ?? '', createdAt: 1 }] };
    const target = await reviewTarget({ migrations: [...applied, ...pending], history, dryRunner: runner });
    expect(target.plan.pending.map((m) => m.tag)).toEqual(['0001_changes']);
    const byStart = (prefix: string) => target.review.statements.find((s) => s.sql.startsWith(prefix));
    expect(byStart('CREATE INDEX')?.findings[0]?.observed).toMatchObject({
      locks: [{ relation: 'public.events', mode: 'SHARE' }],
      rewritten: [],
    });
    expect(byStart('CREATE INDEX')?.observed?.disagreement).toBeUndefined();
    expect(byStart('ALTER TABLE "users"')?.observed).toMatchObject({ rewritten: ['public.users'] });
    expect(byStart('ALTER TABLE "users"')?.observed?.disagreement).toBeUndefined();
    // timestamp -> timestamptz: the rules expect a rewrite; PostgreSQL 12+ skips it when the
    // session time zone is UTC, as it is in the dry run (and may not be in production).
    const tz = byStart('ALTER TABLE "events" ALTER COLUMN "seen_at"');
    expect(tz?.findings.map((f) => f.rule)).toEqual(['alter-column-type-rewrite']);
    expect(tz?.findings[0]?.observed?.disagreement).toBe('the rules expect a table rewrite, the dry run rewrote nothing.');
  });
});
