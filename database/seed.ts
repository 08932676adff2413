import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { BUILD_VARS, decodeBuildRun, decodeFlag } from '../src/build-env.ts';
import { approvedPlanFromEnvironment, checkAgainstApproved, imageDigestFromEnvironment } from '../src/history/approved-plan.ts';
import { buildSeedPlan } from '../src/history/plan.ts';
import { seedFilesSha256 } from '../src/history/seed-files.ts';
import { redact } from '../src/redact.ts';
import { runnerReporter } from '../src/runner-report.ts';
import { claimApprovedRunFromEnvironment } from './approved-run.ts';
import { databaseUrlFromEnvironment } from './connection.ts';
import { reducePostgresError } from './postgres-error.ts';
import { seedOrganizations } from './seed-organizations.ts';

// The seed entry. CLEAN=true deletes every organization first (and, by cascade, their roles and
// role occupancies). In CodeBuild it runs only an approved seed: the build must be a seed
// (src/build-env.ts decodes the kind and CLEAN), the plan it carries must be the one this image
// and CLEAN make (the seed files' sha256, the pulled digest), and the request record must
// approve this build, which claims the run. `npm run db:seed` passes --local: a developer's
// database has no approved plan.
//
// Exit status: 0 seeded, 1 the seed failed (nothing changed), 2 cannot start (no DATABASE_URL,
// the request table unreachable), 3 refused (not a seed build, no plan, not approved, already
// run, or a plan that differs).
// Every line is a runner report (src/runner-report.ts), which the build's Slack thread shows.
const report = runnerReporter('seed');
const USAGE = 'Usage: tsx database/seed.ts [--local]   (--local: no approved plan, for a development database; CLEAN=true|false)';

let args: ReturnType<typeof parse>;
try {
  args = parse(process.argv.slice(2));
} catch (error) {
  report.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const databaseUrl = databaseUrlFromEnvironment();
if (!databaseUrl) {
  report.error('DATABASE_URL is not set (environment or database/.env).');
  process.exit(2);
}

let clean: boolean;
if (args.values.local) {
  const flag = decodeFlag(process.env, BUILD_VARS.clean);
  if (!flag.ok) {
    report.error(`Refusing to seed: ${flag.reason}.`);
    process.exit(3);
  }
  clean = flag.value === true;
} else {
  const kind = decodeBuildRun(process.env);
  if (!kind.ok || kind.run.kind !== 'seed') {
    report.error(`Refusing to seed: ${kind.ok ? 'this is a migration build' : kind.reason}.`);
    process.exit(3);
  }
  clean = kind.run.clean;
  const read = approvedPlanFromEnvironment(process.env);
  if (!read.ok) {
    report.error(`${read.reason} (For a development database: npm run db:seed, which passes --local.)`);
    process.exit(3);
  }
  const seed = await seedFilesSha256(fileURLToPath(new URL('..', import.meta.url)));
  if (!seed.ok) {
    report.error(`Cannot verify the seed: ${seed.reason}.`);
    process.exit(2);
  }
  const check = checkAgainstApproved(
    read.plan,
    buildSeedPlan({ seedSha256: seed.sha256, clean, image: imageDigestFromEnvironment(process.env) }),
  );
  if (!check.ok) {
    report.error(check.reason);
    process.exit(3);
  }
  const claimed = await claimApprovedRunFromEnvironment(process.env, kind.run, read.sha256);
  if (!claimed.ok) {
    report.error(claimed.reason);
    process.exit(claimed.exitCode);
  }
  report.info(claimed.line);
}

const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
try {
  if (clean) report.info('CLEAN=true: deleting every organization (cascades to hierarchy, roles and role occupancy) first.');
  const result = await seedOrganizations(sql, { clean });
  report.info(
    `Seeded organizations: ${result.deletedOrganizations} deleted, ${result.insertedOrganizations} organizations, ${result.insertedRoles} roles and ${result.insertedLinks} hierarchy links inserted.`,
  );
} catch (error) {
  // postgres.js keeps the failed query's text (placeholders, not values) on the error.
  const pg = reducePostgresError(error, String((error as { query?: unknown }).query ?? ''));
  report.error(`Seed failed, nothing was changed${pg ? '' : `: ${redact(error instanceof Error ? error.message : String(error))}`}`, pg);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: { local: { type: 'boolean' } } });
}
