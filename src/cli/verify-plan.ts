import { parseArgs } from 'node:util';
import { decodeBuildRun } from '../build-env.ts';
import {
  approvedPlanFromEnvironment,
  checkAgainstApproved,
  IMAGE_DIGEST_VAR,
  imageDigestFromEnvironment,
} from '../history/approved-plan.ts';
import { buildSeedPlan, type Plan } from '../history/plan.ts';
import { seedFilesSha256 } from '../history/seed-files.ts';
import { readTargetSnapshot, snapshotPlan } from '../history/target-snapshot.ts';

// The build's verifier, run inside the migrations image before anything else: it recomputes
// the plan from what the build actually has (the target's __drizzle_migrations, the image's
// migration folder or seed files, CLEAN, the digest the buildspec pulled) and refuses unless
// it is the plan the approvers approved. One line on failure, because the Slack thread shows
// the log's last lines.
//
// Exit status: 0 verified, 2 cannot verify (usage, no DATABASE_URL, unreadable target or
// folder), 3 refused (a build kind src/build-env.ts does not decode, no approved plan, a wrong
// hash, or a plan that differs).
const USAGE = `Usage: deploybot verify [--migrations-folder DIR] [--root DIR]

Reads the approved plan from DEPLOYBOT_PLAN and DEPLOYBOT_PLAN_SHA256, the build kind from
RUN_MIGRATIONS / RUN_SEED and CLEAN (each exactly "true", "false" or unset), the pulled image's digest from ${IMAGE_DIGEST_VAR}, and
for a migration the target from DATABASE_URL. Exits 0 only if the recomputed plan is the
approved one.
  --migrations-folder DIR  the drizzle migrations folder (default backend/drizzle)
  --root DIR               where database/seed*.ts live (default .)`;

type Env = Readonly<Record<string, string | undefined>>;

export async function main(argv: string[], out = process.stdout, err = process.stderr, env: Env = process.env): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    err.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const approved = approvedPlanFromEnvironment(env);
  if (!approved.ok) {
    err.write(`${approved.reason}\n`);
    return 3;
  }
  const kind = decodeBuildRun(env);
  if (!kind.ok) {
    err.write(`Refusing: ${kind.reason}.\n`);
    return 3;
  }
  const run = kind.run;
  const image = imageDigestFromEnvironment(env);
  let actual: Plan;
  let summary: string;
  if (run.kind === 'seed') {
    const seed = await seedFilesSha256(args.values.root ?? '.');
    if (!seed.ok) {
      err.write(`Cannot verify: ${seed.reason}\n`);
      return 2;
    }
    actual = buildSeedPlan({ seedSha256: seed.sha256, clean: run.clean, image });
    summary = `the seed with CLEAN=${run.clean}`;
  } else {
    const databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      err.write('Cannot verify: DATABASE_URL is not set.\n');
      return 2;
    }
    const read = await readTargetSnapshot(databaseUrl, args.values['migrations-folder'] ?? 'backend/drizzle');
    if (!read.ok) {
      err.write(`Cannot verify: ${read.reason}\n`);
      return 2;
    }
    const missing = read.snapshot.target.drift.find((d) => d.kind === 'missing-file');
    if (missing) {
      err.write(`Refusing: ${missing.message}\n`);
      return 3;
    }
    actual = snapshotPlan(read.snapshot, image);
    const pending = read.snapshot.target.pending.map((m) => m.tag);
    summary = `${pending.length} pending migration${pending.length === 1 ? '' : 's'} (${pending.join(', ') || 'none'}) on ${read.snapshot.rows.length} applied`;
  }
  const check = checkAgainstApproved(approved.plan, actual);
  if (!check.ok) {
    err.write(`${check.reason}\n`);
    return 3;
  }
  const pinned = approved.plan.image
    ? `image ${approved.plan.image}`
    : `an image the approvers accepted unpinned (running ${image ?? 'an unknown digest'})`;
  out.write(`Plan verified: sha256 ${approved.sha256}, ${summary}, ${pinned}.\n`);
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { 'migrations-folder': { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}
