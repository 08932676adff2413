import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encodeBuildEnvironment } from '../../src/build-env.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { buildMigratePlan, buildSeedPlan, encodePlan, type Plan, planSha256 } from '../../src/history/plan.ts';
import { seedFilesSha256 } from '../../src/history/seed-files.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { historyPrefix, loadFolder } from '../support/migration-folders.ts';

// The buildspec's own commands, run phase by phase in bash as CodeBuild would. `aws` and
// `docker` are stand-ins on PATH: `docker run IMAGE bun FILE ARGS` runs FILE from this
// repository (what the backend image holds) with the -e variables it was given, so the hash
// check and the migrate entry that run are the real ones, against a real database.
const BUILDSPEC = 'infrastructure/aws/codebuild-migrations.buildspec.yml';
const REPO = resolve('.');

interface Buildspec {
  env: { shell: string; 'secrets-manager'?: Record<string, string> };
  phases: Record<string, { commands: string[] }>;
}

function shims(): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), 'buildspec-bin-'));
  const log = join(bin, 'calls.log');
  writeFileSync(join(bin, 'aws'), `#!/usr/bin/env bash\necho "aws $*" >> "${log}"\necho fake-ecr-password\n`);
  writeFileSync(
    join(bin, 'docker'),
    `#!/usr/bin/env bash
echo "docker $*" >> "${log}"
case "$1" in
  login) cat > /dev/null; echo "Login Succeeded"; exit 0 ;;
  pull) exit 0 ;;
  image) ref="\${@: -1}"; echo "\${ref%@*}@\${FAKE_PULLED_DIGEST:?}"; exit 0 ;;
  run) shift ;;
  *) echo "docker shim: unsupported $1" >&2; exit 1 ;;
esac
envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rm) shift ;;
    -e) case "$2" in *=*) envs+=("$2") ;; *) envs+=("$2=\${!2}") ;; esac; shift 2 ;;
    *) break ;;
  esac
done
image="$1"; shift
[ "$1" = "bun" ] || { echo "docker shim: expected bun, got $1" >&2; exit 1; }
shift
cd "${REPO}" && exec env -i PATH="$PATH" HOME="$HOME" "\${envs[@]}" "${REPO}/node_modules/.bin/tsx" "$@"
`,
  );
  chmodSync(join(bin, 'aws'), 0o755);
  chmodSync(join(bin, 'docker'), 0o755);
  return { bin, log };
}

/** Asynchronous on purpose: the test database may be PGlite served from this very process. */
function runCommand(command: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-c', command], { env, timeout: 60_000 });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

async function runBuild(env: Record<string, string>): Promise<{ code: number; output: string; calls: string }> {
  const spec = parse(readFileSync(BUILDSPEC, 'utf8')) as Buildspec;
  const { bin, log } = shims();
  writeFileSync(log, '');
  let output = '';
  for (const phase of ['install', 'pre_build', 'build', 'post_build']) {
    for (const command of spec.phases[phase]?.commands ?? []) {
      const run = await runCommand(command, { PATH: `${bin}:${process.env.PATH}`, HOME: bin, AWS_REGION: 'us-east-1', ...env });
      output += run.output;
      if (run.code !== 0) return { code: run.code, output, calls: readFileSync(log, 'utf8') };
    }
  }
  return { code: 0, output, calls: readFileSync(log, 'utf8') };
}

const REGISTRY_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = `${REGISTRY_IMAGE}@${DIGEST}`;

/** What the bot passes to StartBuild for an approved plan (src/build-env.ts). */
function requestEnv(plan: Plan): Record<string, string> {
  return encodeBuildEnvironment({
    run: plan.kind === 'migrate' ? { kind: 'migrate' } : { kind: 'seed', clean: plan.clean },
    requestId: 'req-42',
    env: 'prod',
    channel: 'C1',
    threadTs: '1700000000.000100',
    requestedBy: 'U1',
    approvedBy: ['U2'],
    plan: encodePlan(plan),
    planSha256: planSha256(plan),
    imageUri: IMAGE,
  });
}

/** The review of a target, as the bot computes it. */
async function reviewedPlan(url: string): Promise<Plan> {
  const rows = await readAppliedMigrations(url);
  if (!rows.ok) throw new Error(rows.reason);
  const folder = await loadFolder();
  const { pending } = planAgainstDatabase(folder.migrations, folder.missing, rows.rows);
  return buildMigratePlan({ appliedRows: rows.rows, pending, image: DIGEST });
}

async function rowCount(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return row?.n ?? 0;
  } finally {
    await sql.end();
  }
}

describe('codebuild-migrations.buildspec.yml', () => {
  const databases: TestDatabase[] = [];
  /** A database of its own, with a password in the URL to prove it is never printed (trust auth ignores it). */
  async function target(): Promise<{ db: TestDatabase; url: string }> {
    const db = await createTestDatabase();
    databases.push(db);
    const url = new URL(db.url);
    url.password = 'never-echo-this-pw';
    return { db, url: url.toString() };
  }
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('keeps the platform model, and runs the verifier as its own step before migrating or seeding', () => {
    const spec = parse(readFileSync(BUILDSPEC, 'utf8')) as Buildspec;
    expect(spec.env).toEqual({ shell: 'bash' });
    expect(spec.phases.pre_build?.commands.join('\n')).toContain('docker pull --quiet "$IMAGE_URI"');
    const [verifyStep, runStep] = spec.phases.build?.commands ?? [];
    expect(verifyStep).toContain('bun src/cli/verify-plan-entry.ts');
    expect(verifyStep).toMatch(/-e DEPLOYBOT_IMAGE_DIGEST="\$\{pulled##\*@\}"/);
    expect(verifyStep).not.toContain('migrate.ts');
    expect(runStep).toContain('bun database/migrate.ts');
    expect(runStep).toContain('bun database/seed.ts');
  });

  it('verifies the approved plan, then applies exactly its pending set, without printing the database URL', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const run = await runBuild({ ...requestEnv(plan), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.output).toContain(`Plan verified: sha256 ${planSha256(plan)}, 6 pending migrations`);
    expect(run.code).toBe(0);
    expect(run.output).toContain('Applying 0000_init');
    expect(run.output).toMatch(/Applied 6 migrations in one transaction in \d+ ms: 0000_init, .*0005_backfill_trimmed_names\./);
    expect(run.calls.indexOf('verify-plan-entry.ts')).toBeLessThan(run.calls.indexOf('database/migrate.ts'));
    expect(run.output).not.toContain('never-echo-this-pw');
    expect(run.calls).not.toContain('never-echo-this-pw');
    expect(await rowCount(db.url)).toBe(6);
  }, 120_000);

  it('refuses before any migration runs when the target moved after the review', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: historyPrefix(1) });
    await sql.end();
    const run = await runBuild({ ...requestEnv(plan), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.code).toBe(3);
    expect(run.output).toContain('Plan mismatch (applied-history): ');
    expect(run.output).toContain('now has 1 rows, the review saw 0 (1 applied since)');
    expect(run.calls).not.toContain('database/migrate.ts');
    expect(await rowCount(db.url)).toBe(1);
  }, 120_000);

  it('refuses when docker pulled an image with another digest', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const other = `sha256:${'cd'.repeat(32)}`;
    const run = await runBuild({ ...requestEnv(plan), DATABASE_URL: url, FAKE_PULLED_DIGEST: other });
    expect(run.code).toBe(3);
    expect(run.output).toContain(`Plan mismatch (image): the image differs: approved ${DIGEST}, this build runs ${other}`);
    expect(run.calls).not.toContain('database/migrate.ts');
  }, 120_000);

  it('refuses a build without an approved plan, and a build with nothing to do', async () => {
    const { url } = await target();
    const unpinned = await runBuild({ RUN_MIGRATIONS: 'true', IMAGE_URI: IMAGE, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(unpinned.code).toBe(3);
    expect(unpinned.output).toContain('No approved plan in the environment');
    expect(unpinned.calls).not.toContain('database/migrate.ts');
    const idle = await runBuild({ IMAGE_URI: IMAGE, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(idle.code).not.toBe(0);
    expect(idle.output).toContain('needs RUN_MIGRATIONS=true or RUN_SEED=true');
    expect(idle.calls).not.toContain('docker run');
  }, 60_000);

  it('RUN_SEED=true verifies the seed plan, then seeds with CLEAN passed through; another CLEAN is refused', async () => {
    const { db, url } = await target();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: 'backend/drizzle' });
    await sql.end();
    const seed = await seedFilesSha256('.');
    if (!seed.ok) throw new Error(seed.reason);
    const plan = buildSeedPlan({ seedSha256: seed.sha256, clean: true, image: DIGEST });
    const run = await runBuild({ ...requestEnv(plan), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.output).toContain('Plan verified');
    expect(run.code).toBe(0);
    expect(run.calls).toMatch(/docker run --rm -e DATABASE_URL -e CLEAN=true .* bun database\/seed\.ts/);
    expect(run.output).toContain('CLEAN=true: deleting every organization');
    expect(run.output).not.toContain('never-echo-this-pw');

    const changed = await runBuild({ ...requestEnv(plan), CLEAN: 'false', DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(changed.code).toBe(3);
    expect(changed.output).toContain('Plan mismatch (clean): CLEAN differs: approved CLEAN=true, this build has CLEAN=false');
    expect(changed.calls).not.toContain('database/seed.ts');
  }, 120_000);
});
