import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeBuildRun } from '../src/build-env.ts';
import { approvedPlanFromEnvironment, imageDigestFromEnvironment } from '../src/history/approved-plan.ts';
import type { MigratePlan } from '../src/history/plan.ts';
import { runnerReporter } from '../src/runner-report.ts';
import { claimApprovedRunFromEnvironment } from './approved-run.ts';
import { databaseUrlFromEnvironment } from './connection.ts';
import { runMigrations, settingsFromEnvironment } from './run-migrations.ts';
import { checkLiveSchema, describeSchemaCheck } from './schema-check.ts';

// The programmatic migrate entry. In CodeBuild (inside the migrations image) it runs only the
// approved plan: the build must be a migration (src/build-env.ts decodes the kind), the request
// record must approve this build and the build claims the run (database/approved-run.ts), and
// DEPLOYBOT_PLAN must hash to DEPLOYBOT_PLAN_SHA256 and still match the target, checked again
// under the migration lock right before drizzle runs. `npm run db:migrate`
// passes --local: a developer's database has no approved plan, and saying so on the command
// line (not by a missing variable) keeps a misconfigured build from skipping the check.
//
// Exit status: 0 applied (or nothing to apply), 1 a migration failed or the history check
// failed, 2 cannot start (no DATABASE_URL, bad settings, the request table unreachable), 3
// refused (not a migration build, no plan, not approved, already run, or it differs), 4 another
// migrator held the lock for the whole wait.
// After a successful run it compares the live schema with database/schema.ts
// (database/schema-check.ts); that check is reported, never an exit status.
// Every line is a runner report (src/runner-report.ts): the build's Slack thread shows those.
const report = runnerReporter('migrate');
const USAGE = 'Usage: tsx database/migrate.ts [--local]   (--local: no approved plan, for a development database)';

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
const settings = settingsFromEnvironment(process.env);
if (!settings.ok) {
  report.error(settings.reason);
  process.exit(2);
}

let approved: MigratePlan | undefined;
if (!args.values.local) {
  const kind = decodeBuildRun(process.env);
  if (!kind.ok || kind.run.kind !== 'migrate') {
    report.error(`Refusing to migrate: ${kind.ok ? 'this is a seed build' : kind.reason}.`);
    process.exit(3);
  }
  const read = approvedPlanFromEnvironment(process.env);
  if (!read.ok) {
    report.error(`${read.reason} (For a development database: npm run db:migrate, which passes --local.)`);
    process.exit(3);
  }
  if (read.plan.kind !== 'migrate') {
    report.error('The approved plan is a seed plan: refusing to migrate with it.');
    process.exit(3);
  }
  approved = read.plan;
  const claimed = await claimApprovedRunFromEnvironment(process.env, kind.run, read.sha256);
  if (!claimed.ok) {
    report.error(claimed.reason);
    process.exit(claimed.exitCode);
  }
  report.info(claimed.line);
  report.info(`Approved plan sha256 ${read.sha256}: ${approved.pending.count} pending migration(s).`);
}

const migrationsFolder = process.env.MIGRATIONS_FOLDER ?? fileURLToPath(new URL('../backend/drizzle', import.meta.url));
const run = await runMigrations({
  databaseUrl,
  migrationsFolder,
  approved,
  imageDigest: imageDigestFromEnvironment(process.env),
  settings: settings.settings,
  log: report.info,
  progress: report.progress,
});
if (!run.ok) {
  // The URL is never printed, and a Postgres error only by its names (database/postgres-error.ts).
  report.error(run.reason, run.postgres);
  process.exitCode = run.stage === 'plan' ? 3 : run.stage === 'lock' ? 4 : 1;
} else {
  // The migrations applied whatever this says: a check that could not run changes no exit code.
  const check = await checkLiveSchema(databaseUrl, fileURLToPath(new URL('./schema.ts', import.meta.url)));
  if (!check.ok) report.info(`Could not check the live schema against database/schema.ts: ${check.reason}`);
  else {
    const said = describeSchemaCheck(check);
    report.progress(said.text, said.event);
  }
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: { local: { type: 'boolean' } } });
}
