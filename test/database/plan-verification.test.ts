import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../database/run-migrations.ts';
import { encodeBuildEnvironment } from '../../src/build-env.ts';
import { main as verify } from '../../src/cli/verify-plan.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { buildMigratePlan, buildSeedPlan, encodePlan, type MigratePlan, type Plan, planSha256 } from '../../src/history/plan.ts';
import { seedFilesSha256 } from '../../src/history/seed-files.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import { parseRunnerLine } from '../../src/runner-report.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { copyHistory, HISTORY, historyPrefix, loadFolder } from '../support/migration-folders.ts';

// What was reviewed is what runs: the approved plan is computed as the bot computes it, the
// target then moves (or not), and the verifier and the migrate entry must refuse before any
// migration runs, naming the part that differs.
const IMAGE = `sha256:${'c'.repeat(64)}`;
const REVIEWED_PENDING = ['0003_media_sizes_and_cleanup', '0004_rename_biography', '0005_backfill_trimmed_names'];

function buildEnv(plan: Plan, extra: Record<string, string> = {}): Record<string, string> {
  const run = plan.kind === 'migrate' ? ({ kind: 'migrate' } as const) : ({ kind: 'seed', clean: plan.clean } as const);
  return {
    ...encodeBuildEnvironment({
      run,
      requestId: 'req-1',
      env: 'staging',
      channel: 'C1',
      threadTs: '1.2',
      requestedBy: 'U1',
      approvedBy: ['U2'],
      plan: encodePlan(plan),
      planSha256: planSha256(plan),
      imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@${IMAGE}`,
    }),
    DEPLOYBOT_IMAGE_DIGEST: `123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@${IMAGE}`,
    ...extra,
  };
}

async function runVerifier(env: Record<string, string>, argv: string[] = []): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await verify(argv, sink((s) => (out += s)) as never, sink((s) => (err += s)) as never, env);
  return { code, out, err };
}

describe('verifying the approved plan against the target', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  let approved: MigratePlan;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(3) });
    // The review, as the bot runs it: the target's rows and the repository's folder.
    const rows = await readAppliedMigrations(db.url);
    if (!rows.ok) throw new Error(rows.reason);
    const folder = await loadFolder();
    const target = planAgainstDatabase(folder.migrations, folder.missing, rows.rows);
    approved = buildMigratePlan({ appliedRows: rows.rows, pending: target.pending, image: IMAGE });
  });
  afterEach(async () => {
    await sql.end();
    await db.drop();
  });

  const rowCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]?.n;

  it('passes an unchanged target, and the migrate entry applies exactly the reviewed pending set', async () => {
    const verified = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url }));
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.out).toBe(
      `Plan verified: sha256 ${planSha256(approved)}, 3 pending migrations (${REVIEWED_PENDING.join(', ')}) on 3 applied, image ${IMAGE}.\n`,
    );
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, approved, imageDigest: IMAGE, log: () => {} });
    expect(run).toMatchObject({ ok: true, applied: REVIEWED_PENDING });
    expect(await rowCount()).toBe(6);
  });

  it('refuses when a migration was applied between review and build, before any migration runs', async () => {
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(4) });
    const refused = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url }));
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(
      /^Plan mismatch \(applied-history\): .*now has 4 rows, the review saw 3 \(1 applied since\)\. Nothing was run/,
    );
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, approved, imageDigest: IMAGE, log: () => {} });
    expect(run).toMatchObject({ ok: false, stage: 'plan' });
    expect(await rowCount()).toBe(4);
  });

  it('refuses when an applied migration was removed', async () => {
    await sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`;
    const refused = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url }));
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('(1 removed since)');
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: HISTORY, approved, imageDigest: IMAGE, log: () => {} });
    expect(run).toMatchObject({ ok: false, stage: 'plan' });
    expect(await rowCount()).toBe(2);
  });

  it("refuses when an applied row's hash changed", async () => {
    await sql`update drizzle.__drizzle_migrations set hash = md5(hash) where id = (select min(id) from drizzle.__drizzle_migrations)`;
    const refused = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url }));
    expect(refused.code).toBe(3);
    expect(refused.err).toContain("Plan mismatch (applied-history): the target's applied history changed since the review: same 3 rows");
  });

  it('refuses another image digest, and an image whose migration folder holds more than was reviewed', async () => {
    const other = `sha256:${'d'.repeat(64)}`;
    const wrongImage = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url, DEPLOYBOT_IMAGE_DIGEST: other }));
    expect(wrongImage.code).toBe(3);
    expect(wrongImage.err).toBe(
      `Plan mismatch (image): the image differs: approved ${IMAGE}, this build runs ${other}. Nothing was run; request a new review.\n`,
    );

    const folder = copyHistory();
    writeFileSync(join(folder.dir, '0006_extra.sql'), 'SELECT 1;\n');
    folder.journal.entries.push({
      idx: 6,
      version: '7',
      when: (folder.journal.entries.at(-1)?.when ?? 0) + 1,
      tag: '0006_extra',
      breakpoints: true,
    });
    folder.writeJournal();
    const extra = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url }), ['--migrations-folder', folder.dir]);
    expect(extra.code).toBe(3);
    expect(extra.err).toContain(
      'Plan mismatch (pending-set): the pending set differs: approved 3 migrations, this image and target give 4: not approved: 0006_extra',
    );
    const run = await runMigrations({ databaseUrl: db.url, migrationsFolder: folder.dir, approved, imageDigest: IMAGE, log: () => {} });
    expect(run).toMatchObject({ ok: false, stage: 'plan' });
    expect(await rowCount()).toBe(3);
  });

  it('refuses a build without an approved plan, or whose plan does not hash to the approved sha256', async () => {
    const none = await runVerifier({ RUN_MIGRATIONS: 'true', DATABASE_URL: db.url });
    expect(none).toMatchObject({ code: 3, err: expect.stringContaining('No approved plan in the environment') });
    const forged = await runVerifier(buildEnv(approved, { DATABASE_URL: db.url, DEPLOYBOT_PLAN_SHA256: 'e'.repeat(64) }));
    expect(forged.code).toBe(3);
    expect(forged.err).toContain(`not to the approved DEPLOYBOT_PLAN_SHA256 ${'e'.repeat(64)}`);
  });

  it('the migrate entry refuses to run without a plan unless told --local', () => {
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: db.url };
    const kindless = spawnSync(tsx, ['database/migrate.ts'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(kindless.status).toBe(3);
    expect(reportTexts(kindless.stderr)).toBe('Refusing to migrate: the build sets neither RUN_MIGRATIONS=true nor RUN_SEED=true.\n');
    const refused = spawnSync(tsx, ['database/migrate.ts'], { env: { ...env, RUN_MIGRATIONS: 'true' }, encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('No approved plan in the environment');
    const seedBuild = spawnSync(tsx, ['database/migrate.ts'], {
      env: { ...env, RUN_SEED: 'true', CLEAN: 'true' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(seedBuild.status).toBe(3);
    expect(reportTexts(seedBuild.stderr)).toBe('Refusing to migrate: this is a seed build.\n');
    const local = spawnSync(tsx, ['database/migrate.ts', '--local'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(reportTexts(local.stderr)).toBe('');
    expect(local.status).toBe(0);
    expect(local.stdout).toContain(`Applied 3 migrations in one transaction`);
  }, 60_000);
});

/** The entries print runner reports (src/runner-report.ts), the lines a build's thread may show: their texts. */
function reportTexts(out: string): string {
  const lines = out.split('\n').filter(Boolean);
  return lines.map((line) => parseRunnerLine(line)?.text ?? `not a runner report: ${line}`).join('\n') + (lines.length ? '\n' : '');
}

describe('verifying a seed plan', () => {
  const approvedSeed = async (clean: boolean) => {
    const seed = await seedFilesSha256('.');
    if (!seed.ok) throw new Error(seed.reason);
    return buildSeedPlan({ seedSha256: seed.sha256, clean, image: IMAGE });
  };

  it('the seed entry re-checks its plan, then its approval, before it touches the database', async () => {
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const plan = await approvedSeed(false);
    // No database behind this URL: every refusal must come before the seed connects.
    const base = { PATH: process.env.PATH ?? '', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const run = (env: Record<string, string>) =>
      spawnSync(tsx, ['database/seed.ts'], { env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
    const unplanned = run({ RUN_SEED: 'true', CLEAN: 'true' });
    expect(unplanned.status).toBe(3);
    expect(unplanned.stderr).toContain('No approved plan in the environment');
    const otherClean = run(buildEnv(plan, { CLEAN: 'true' }));
    expect(otherClean.status).toBe(3);
    expect(otherClean.stderr).toContain('Plan mismatch (clean): CLEAN differs: approved CLEAN=false, this build has CLEAN=true');
    const migration = run({ ...buildEnv(plan), RUN_SEED: 'false', RUN_MIGRATIONS: 'true' });
    expect(migration.stderr).toContain('CLEAN is set on a migration build');
    const unclaimed = run(buildEnv(plan));
    expect(unclaimed.status).toBe(3);
    expect(reportTexts(unclaimed.stderr)).toBe(
      'Not approved: the build lacks DEPLOYBOT_TABLE, DEPLOYBOT_PROJECT_ENV, CODEBUILD_BUILD_ID, so it cannot show its approval. Nothing was run.\n',
    );
    expect(reportTexts(run({ RUN_SEED: 'TRUE', CLEAN: 'true' }).stderr)).toBe(
      'Refusing to seed: RUN_SEED="TRUE" is neither "true" nor "false".\n',
    );
    const local = spawnSync(tsx, ['database/seed.ts', '--local'], { env: { ...base, CLEAN: ' true' }, encoding: 'utf8', timeout: 60_000 });
    expect(local.status).toBe(3);
    expect(reportTexts(local.stderr)).toBe('Refusing to seed: CLEAN=" true" is neither "true" nor "false".\n');
  }, 120_000);

  it('passes the approved seed, and refuses another CLEAN or other seed files', async () => {
    const plan = await approvedSeed(false);
    const ok = await runVerifier(buildEnv(plan));
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('the seed with CLEAN=false') });

    const clean = await runVerifier(buildEnv(plan, { CLEAN: 'true' }));
    expect(clean).toEqual({
      code: 3,
      out: '',
      err: 'Plan mismatch (clean): CLEAN differs: approved CLEAN=false, this build has CLEAN=true. Nothing was run; request a new review.\n',
    });

    const root = mkdtempSync(join(tmpdir(), 'seed-image-'));
    cpSync('database', join(root, 'database'), { recursive: true });
    writeFileSync(join(root, 'database/seed-organizations.ts'), '// another seed\n', { flag: 'a' });
    const edited = await runVerifier(buildEnv(plan), ['--root', root]);
    expect(edited.code).toBe(3);
    expect(edited.err).toMatch(/^Plan mismatch \(seed-file\): the seed's files differ/);
  });

  it('explains itself with --help, and rejects an unknown option', async () => {
    const help = await runVerifier({}, ['--help']);
    expect(help).toMatchObject({ code: 0, out: expect.stringContaining('Usage: deploybot verify') });
    const bad = await runVerifier({}, ['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Unknown option '--nope'");
  });
});
