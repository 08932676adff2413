import { Writable } from 'node:stream';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import { encodeBuildEnvironment } from '../../src/build-env.ts';
import { main as review } from '../../src/cli/review.ts';
import { main as verify } from '../../src/cli/verify-plan.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { buildMigratePlan, encodePlan, planSha256 } from '../../src/history/plan.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import { capture } from '../support/capture.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { drizzleFolder, loadFolder } from '../support/migration-folders.ts';

// Issue 19's first promise, review to run: a pending CREATE INDEX CONCURRENTLY (which drizzle's
// own migrator refuses inside its one transaction) is reviewed as an own step, pinned in the
// plan the approvers approve, verified by the build and applied by the migrator, and
// __drizzle_migrations ends as drizzle itself would have written it.
const IMAGE = `sha256:${'e'.repeat(64)}`;

const MIGRATIONS = [
  {
    tag: '0000_users',
    sql: 'CREATE TABLE "users" ("id" integer PRIMARY KEY, "email" text NOT NULL);--> statement-breakpoint\nINSERT INTO "users" SELECT g, g || \'@example.org\' FROM generate_series(1, 5000) g;',
  },
  {
    tag: '0001_email_index',
    sql: 'ALTER TABLE "users" ADD COLUMN "name" text;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");',
  },
];

describe('a concurrent index, reviewed, approved and applied', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let folder: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    folder = drizzleFolder(MIGRATIONS);
    // The target has the first migration; the concurrent index is what the request will run.
    await migrate(drizzle(sql), { migrationsFolder: drizzleFolder(MIGRATIONS.slice(0, 1)) });
  });
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  it('runs as its own step the way the review said, under the plan the approvers approved', async () => {
    const out = capture();
    const err = capture();
    const code = await review(
      ['--json', '--no-dry-run', '--database-url', db.url, '--image-digest', IMAGE, folder],
      out as unknown as typeof process.stdout,
      err as unknown as typeof process.stderr,
      {},
    );
    expect(code, err.text).toBeLessThan(2);
    const doc = JSON.parse(out.text);
    const index = doc.statements.find((s: { sql: string }) => s.sql.startsWith('CREATE INDEX CONCURRENTLY'));
    expect(index.ownStep).toMatch(/CREATE INDEX CONCURRENTLY/);
    const finding = index.findings.find((f: { rule: string }) => f.rule === 'concurrently-in-transaction');
    expect(finding.message).toContain('runs it as its own step');
    expect(finding.message).not.toContain('the whole migration run fails');

    // The plan the bot pins from this review: its hash is the one the review printed.
    const applied = await readAppliedMigrations(db.url);
    if (!applied.ok) throw new Error(applied.reason);
    const loaded = await loadFolder(folder);
    const { pending } = planAgainstDatabase(loaded.migrations, loaded.missing, applied.rows);
    const approved = buildMigratePlan({ appliedRows: applied.rows, pending, image: IMAGE, timeouts: doc.plan.timeouts });
    expect(planSha256(approved)).toBe(doc.plan.sha256);

    // The build's verifier accepts it, and the migrator applies it.
    const env = {
      ...encodeBuildEnvironment({
        run: { kind: 'migrate' },
        requestId: 'req-1',
        env: 'prod',
        channel: 'C1',
        threadTs: '1.2',
        requestedBy: 'U1',
        approvedBy: ['U2'],
        plan: encodePlan(approved),
        planSha256: planSha256(approved),
        imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@${IMAGE}`,
      }),
      DEPLOYBOT_IMAGE_DIGEST: `123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@${IMAGE}`,
      DATABASE_URL: db.url,
    };
    let verified = '';
    const sink = new Writable({
      write(chunk, _e, done) {
        verified += String(chunk);
        done();
      },
    });
    expect(await verify(['--migrations-folder', folder], sink as never, sink as never, env)).toBe(0);
    expect(verified).toContain('Plan verified');
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder, approved, imageDigest: IMAGE, log: () => {} });
    expect(run).toMatchObject({ ok: true, applied: ['0001_email_index'] });

    // drizzle-kit reads the applied history from these rows: exactly what drizzle writes.
    const rows = await sql<{ hash: string; created_at: string }[]>`select hash, created_at from drizzle.__drizzle_migrations order by id`;
    expect(rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }))).toEqual(
      readMigrationFiles({ migrationsFolder: folder }).map((m) => ({ hash: m.hash, createdAt: m.folderMillis })),
    );
    const [valid] = await sql<{ valid: boolean }[]>`
      select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'users_email_idx'`;
    expect(valid?.valid).toBe(true);
  }, 60_000);
});
