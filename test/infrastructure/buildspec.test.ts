import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { migrationSetHash } from '../../src/review/migration-set.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { loadHistory } from '../support/migration-folders.ts';

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
  image) echo "image $3@sha256:0000"; exit 0 ;;
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

describe('codebuild-migrations.buildspec.yml', () => {
  let db: TestDatabase;
  let databaseUrl: string;
  let expected: string;
  const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@sha256:abc123';

  beforeAll(async () => {
    db = await createTestDatabase();
    // A password in the URL, to prove it is never printed (trust auth ignores it).
    const url = new URL(db.url);
    url.password = 'never-echo-this-pw';
    databaseUrl = url.toString();
    expected = migrationSetHash(await loadHistory());
  }, 60_000);
  afterAll(() => db?.drop());

  it('keeps the platform model: DATABASE_URL from Secrets Manager, bash, ECR pull of IMAGE_URI', () => {
    const spec = parse(readFileSync(BUILDSPEC, 'utf8')) as Buildspec;
    expect(spec.env).toEqual({ shell: 'bash' });
    expect(spec.phases.pre_build?.commands.join('\n')).toContain('docker pull --quiet "$IMAGE_URI"');
  });

  it('refuses to migrate when the image holds another migration set: nothing runs', async () => {
    const run = await runBuild({
      RUN_MIGRATIONS: 'true',
      EXPECTED_MIGRATIONS_SHA256: 'f'.repeat(64),
      IMAGE_URI: image,
      DATABASE_URL: databaseUrl,
    });
    expect(run.code).toBe(3);
    expect(run.output).toContain(`Migration set mismatch: this image holds sha256 ${expected}`);
    expect(run.calls).toContain('migrations-hash-entry.ts --expect');
    expect(run.calls).not.toContain('database/migrate.ts');
    expect(run.output).not.toContain('never-echo-this-pw');
  }, 60_000);

  it('verifies the set, then migrates, without printing the database URL', async () => {
    const run = await runBuild({
      RUN_MIGRATIONS: 'true',
      EXPECTED_MIGRATIONS_SHA256: expected,
      IMAGE_URI: image,
      DATABASE_URL: databaseUrl,
    });
    expect(run.output).toContain(`Migration set verified: sha256 ${expected}`);
    expect(run.code).toBe(0);
    expect(run.output).toContain('Applying 0000_init');
    expect(run.output).not.toContain('never-echo-this-pw');
    expect(run.calls).not.toContain('never-echo-this-pw');
    const sql = postgres(db.url, { max: 1 });
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await sql.end();
    expect(row?.n).toBe(6);
  }, 120_000);

  it('refuses a migration build without the reviewed hash, and a build with nothing to do', async () => {
    const unpinned = await runBuild({ RUN_MIGRATIONS: 'true', IMAGE_URI: image, DATABASE_URL: databaseUrl });
    expect(unpinned.code).not.toBe(0);
    expect(unpinned.output).toContain('EXPECTED_MIGRATIONS_SHA256 is not set');
    expect(unpinned.calls).not.toContain('docker run');
    const idle = await runBuild({ IMAGE_URI: image, DATABASE_URL: databaseUrl });
    expect(idle.code).not.toBe(0);
    expect(idle.output).toContain('needs RUN_MIGRATIONS=true or RUN_SEED=true');
  });

  it('RUN_SEED=true runs the seed with CLEAN passed through', async () => {
    const run = await runBuild({ RUN_SEED: 'true', CLEAN: 'true', IMAGE_URI: image, DATABASE_URL: databaseUrl });
    expect(run.code).toBe(0);
    expect(run.calls).toMatch(/docker run --rm -e DATABASE_URL -e CLEAN=true .* bun database\/seed\.ts/);
    expect(run.output).toContain('CLEAN=true: deleting every organization');
    expect(run.output).not.toContain('never-echo-this-pw');
  }, 60_000);
});
