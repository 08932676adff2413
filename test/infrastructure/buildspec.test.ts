import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DynamoRequestStore } from '../../src/aws/request-store.ts';
import { encodeBuildEnvironment, PROJECT_VARS } from '../../src/build-env.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { buildMigratePlan, buildSeedPlan, encodePlan, type Plan, planSha256 } from '../../src/history/plan.ts';
import { seedFilesSha256 } from '../../src/history/seed-files.ts';
import { planAgainstDatabase } from '../../src/history/target-plan.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { parseRunnerLine } from '../../src/runner-report.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { LocalDynamo } from '../support/local-dynamo.ts';
import { historyPrefix, loadFolder } from '../support/migration-folders.ts';
import { approvedRecord } from '../support/request-records.ts';
import { BUN } from '../support/runtimes.ts';

// The buildspec's own commands, run phase by phase in bash as CodeBuild would. `aws` and
// `docker` are stand-ins on PATH: `docker run IMAGE bun FILE ARGS` runs FILE from this
// repository (what the backend image holds) under the real Bun the image pins (installed from
// npm at the same patch version), with the -e variables it was given, so the hash
// check, the approval claim and the entries that run are the real ones, against a real
// database and a real request table (dynalite). The container's network and credentials are
// the shim's: it points the SDK at dynalite, as the real network reaches DynamoDB.
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
    # As docker does: \`-e NAME\` passes NAME only if it is set here.
    -e) case "$2" in *=*) envs+=("$2") ;; *) [ -n "\${!2+set}" ] && envs+=("$2=\${!2}") ;; esac; shift 2 ;;
    *) break ;;
  esac
done
image="$1"; shift
[ "$1" = "bun" ] || { echo "docker shim: expected bun, got $1" >&2; exit 1; }
shift
cd "${REPO}" && exec env -i PATH="$PATH" HOME="$HOME" "\${envs[@]}" \\
  AWS_ENDPOINT_URL_DYNAMODB="\${FAKE_DYNAMO_URL:-}" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\
  "${BUN}" "$@"
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

let builds = 0;
/** What the bot passes to StartBuild for an approved plan (src/build-env.ts), with the project's own variables and CodeBuild's build id. */
function requestEnv(plan: Plan, requestId = 'req-42'): Record<string, string> {
  return {
    ...startBuildVars(plan, requestId),
    [PROJECT_VARS.table]: TABLE.name,
    [PROJECT_VARS.projectEnv]: 'prod',
    [PROJECT_VARS.buildId]: `daadaar-migrations:build-${++builds}`,
    FAKE_DYNAMO_URL: TABLE.url,
  };
}

function startBuildVars(plan: Plan, requestId: string): Record<string, string> {
  return encodeBuildEnvironment({
    run: plan.kind === 'migrate' ? { kind: 'migrate' } : { kind: 'seed', clean: plan.clean },
    requestId,
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

const TABLE = { name: '', url: '', store: undefined as unknown as DynamoRequestStore };
let requests = 0;
/** The request record the bot would have written for `plan` by the last approval; returns its id. */
async function recordFor(plan: Plan, changes: Partial<RequestRecord> = {}): Promise<string> {
  const record = approvedRecord({
    id: `req-build-${++requests}`,
    kind: plan.kind,
    clean: plan.kind === 'seed' ? plan.clean : undefined,
    plan: encodePlan(plan),
    planSha256: planSha256(plan),
    ...changes,
  });
  await TABLE.store.create(record, '[]');
  return record.id;
}

async function rowCount(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // A refused build never ran drizzle, so its table may not exist at all: that is none applied.
    const [exists] = await sql<{ t: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations')::text as t`;
    if (!exists?.t) return 0;
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return row?.n ?? 0;
  } finally {
    await sql.end();
  }
}

describe('codebuild-migrations.buildspec.yml', () => {
  const databases: TestDatabase[] = [];
  const dynamo = new LocalDynamo();
  beforeAll(async () => {
    await dynamo.start();
    TABLE.name = await dynamo.table();
    TABLE.url = dynamo.url;
    TABLE.store = new DynamoRequestStore(TABLE.name, { endpoint: dynamo.url });
  });
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
    await dynamo.stop();
  });

  it('keeps the platform model, and runs the verifier as its own step before migrating or seeding', () => {
    const spec = parse(readFileSync(BUILDSPEC, 'utf8')) as Buildspec;
    expect(spec.env).toEqual({ shell: 'bash' });
    expect(spec.phases.pre_build?.commands.join('\n')).toContain('docker pull --quiet "$IMAGE_URI"');
    const [verifyStep, runStep] = spec.phases.build?.commands ?? [];
    expect(verifyStep).toContain('bun src/cli/verify-plan-entry.ts');
    expect(verifyStep).toMatch(/-e DEPLOYBOT_IMAGE_DIGEST="\$\{pulled##\*@\}"/);
    expect(verifyStep).not.toContain('migrate.ts');
    expect(runStep).toContain('bun database/run-build.ts');
    // The kind is decoded in the image (src/build-env.ts), never by the shell.
    const commands = Object.values(spec.phases)
      .flatMap((p) => p.commands)
      .join('\n');
    expect(commands).not.toMatch(/\$\{?(RUN_MIGRATIONS|RUN_SEED|CLEAN)\b/);
    for (const name of [
      'DEPLOYBOT_REQUEST_ID',
      'DEPLOYBOT_TABLE',
      'DEPLOYBOT_PROJECT_ENV',
      'CODEBUILD_BUILD_ID',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    ])
      expect(runStep).toContain(`-e ${name} `);
    expect(commands).not.toContain('AWS_ENDPOINT_URL');
  });

  it('verifies the approved plan, then applies exactly its pending set, without printing the database URL', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const id = await recordFor(plan);
    const env = requestEnv(plan, id);
    const run = await runBuild({ ...env, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.output).toContain(`Plan verified: sha256 ${planSha256(plan)}, 6 pending migrations`);
    expect(run.output).toContain(`Approved: request ${id} (approved by U0APPROVER1), claimed by build ${env.CODEBUILD_BUILD_ID}.`);
    expect(run.code).toBe(0);
    expect((await TABLE.store.get(id))?.buildRun?.buildId).toBe(env.CODEBUILD_BUILD_ID);
    expect(run.output).toContain('Applying 0000_init');
    expect(run.output).toMatch(/Applied 6 migrations in one transaction in \d+ ms: 0000_init, .*0005_backfill_trimmed_names\./);
    expect(run.calls.indexOf('verify-plan-entry.ts')).toBeLessThan(run.calls.indexOf('database/run-build.ts'));
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
    expect(run.calls).not.toContain('database/run-build.ts');
    expect(await rowCount(db.url)).toBe(1);
  }, 120_000);

  it('refuses when docker pulled an image with another digest', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const other = `sha256:${'cd'.repeat(32)}`;
    const run = await runBuild({ ...requestEnv(plan), DATABASE_URL: url, FAKE_PULLED_DIGEST: other });
    expect(run.code).toBe(3);
    expect(run.output).toContain(`Plan mismatch (image): the image differs: approved ${DIGEST}, this build runs ${other}`);
    expect(run.calls).not.toContain('database/run-build.ts');
  }, 120_000);

  it('refuses a build without an approved plan, and a build with nothing to do', async () => {
    const { db, url } = await target();
    const unpinned = await runBuild({ RUN_MIGRATIONS: 'true', IMAGE_URI: IMAGE, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(unpinned.code).toBe(3);
    expect(unpinned.output).toContain('No approved plan in the environment');
    expect(unpinned.calls).not.toContain('database/run-build.ts');
    const plan = await reviewedPlan(db.url);
    const { RUN_MIGRATIONS: _, ...idle } = requestEnv(plan, await recordFor(plan));
    const run = await runBuild({ ...idle, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.code).toBe(3);
    expect(run.output).toContain('Refusing: the build sets neither RUN_MIGRATIONS=true nor RUN_SEED=true.');
    expect(run.calls).not.toContain('database/run-build.ts');
  }, 60_000);

  it('refuses RUN_MIGRATIONS=" true" beside a CLEAN seed: one decode, so no step reads it as another kind', async () => {
    const { db, url } = await target();
    const plan = await reviewedPlan(db.url);
    const env = { ...requestEnv(plan, await recordFor(plan)), RUN_MIGRATIONS: ' true', RUN_SEED: 'true', CLEAN: 'true' };
    const run = await runBuild({ ...env, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.code).toBe(3);
    // The verifier speaks in runner reports (JSON lines): read their texts.
    const texts = run.output.split('\n').map((line) => parseRunnerLine(line)?.text ?? line);
    expect(texts).toContain('Refusing: RUN_MIGRATIONS=" true" is neither "true" nor "false".');
    expect(run.calls).not.toContain('database/run-build.ts');
    expect(await rowCount(db.url)).toBe(0);
  }, 60_000);

  it.each<[string, (plan: Plan) => Promise<string>, string]>([
    ['an open request', (plan) => recordFor(plan, { state: 'open' }), 'is open, not approved for a build'],
    ['no request at all', async () => 'req-never-made', 'request req-never-made is not in the request table'],
    ['a request approved with another plan', (plan) => recordFor(plan, { planSha256: 'ee'.repeat(32) }), 'is not the plan'],
  ])(
    'refuses a verified plan that %s approves, before any migration runs',
    async (_, makeRecord, reason) => {
      const { db, url } = await target();
      const plan = await reviewedPlan(db.url);
      const id = await makeRecord(plan);
      const run = await runBuild({ ...requestEnv(plan, id), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
      expect(run.output).toContain('Plan verified');
      expect(run.code).toBe(3);
      expect(run.output).toContain(reason);
      expect(run.output).not.toContain('Applying');
      expect(await rowCount(db.url)).toBe(0);
    },
    120_000,
  );

  it('RUN_SEED=true verifies the seed plan, then seeds with CLEAN as approved; another CLEAN is refused', async () => {
    const { db, url } = await target();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: 'backend/drizzle' });
    await sql.end();
    const seed = await seedFilesSha256('.');
    if (!seed.ok) throw new Error(seed.reason);
    const plan = buildSeedPlan({ seedSha256: seed.sha256, clean: true, image: DIGEST });
    const id = await recordFor(plan);
    const run = await runBuild({ ...requestEnv(plan, id), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.output).toContain('Plan verified');
    expect(run.code).toBe(0);
    expect(run.output).toContain('Build kind: seed (CLEAN=true).');
    expect(run.output).toContain(`Approved: request ${id}`);
    expect(run.output).toContain('CLEAN=true: deleting every organization');
    expect(run.output).not.toContain('never-echo-this-pw');

    const changed = await runBuild({
      ...requestEnv(plan, await recordFor(plan)),
      CLEAN: 'false',
      DATABASE_URL: url,
      FAKE_PULLED_DIGEST: DIGEST,
    });
    expect(changed.code).toBe(3);
    expect(changed.output).toContain('Plan mismatch (clean): CLEAN differs: approved CLEAN=true, this build has CLEAN=false');
    expect(changed.calls).not.toContain('database/run-build.ts');
  }, 120_000);

  it('refuses to run an approved CLEAN seed twice: a retried build finds the run claimed', async () => {
    const { db, url } = await target();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: 'backend/drizzle' });
    const seed = await seedFilesSha256('.');
    if (!seed.ok) throw new Error(seed.reason);
    const plan = buildSeedPlan({ seedSha256: seed.sha256, clean: true, image: DIGEST });
    const id = await recordFor(plan);
    const first = requestEnv(plan, id);
    expect((await runBuild({ ...first, DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST })).code).toBe(0);
    const [{ n: seeded } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from organizations`;
    expect(seeded).toBeGreaterThan(0);
    // The retry: the same variables, a new build id (a console retry, CodeBuild's auto-retry).
    const retry = await runBuild({
      ...first,
      CODEBUILD_BUILD_ID: 'daadaar-migrations:retry',
      DATABASE_URL: url,
      FAKE_PULLED_DIGEST: DIGEST,
    });
    expect(retry.code).toBe(3);
    expect(retry.output).toContain(`Not approved: request ${id} already ran in build ${first.CODEBUILD_BUILD_ID}`);
    expect(retry.output).not.toContain('deleting every organization');
    expect(retry.output).not.toContain('Seeded organizations');
    await sql.end();
  }, 180_000);

  it('refuses a CLEAN seed carrying the id of an approved migration', async () => {
    const { db, url } = await target();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: 'backend/drizzle' });
    await sql.end();
    const approvedMigration = await recordFor(await reviewedPlan(db.url));
    // Every input of a seed plan is public: anyone who may call StartBuild can compute a valid one.
    const seed = await seedFilesSha256('.');
    if (!seed.ok) throw new Error(seed.reason);
    const cleanSeed = buildSeedPlan({ seedSha256: seed.sha256, clean: true, image: DIGEST });
    const run = await runBuild({ ...requestEnv(cleanSeed, approvedMigration), DATABASE_URL: url, FAKE_PULLED_DIGEST: DIGEST });
    expect(run.output).toContain('Plan verified');
    expect(run.code).toBe(3);
    expect(run.output).toContain(`Not approved: this build's plan ${planSha256(cleanSeed)} is not the plan`);
    expect(run.output).not.toContain('deleting every organization');
  }, 120_000);
});
