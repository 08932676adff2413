import postgres from 'postgres';
import { redact } from '../src/redact.ts';
import { runnerReporter } from '../src/runner-report.ts';
import { databaseUrlFromEnvironment } from './connection.ts';
import { reducePostgresError } from './postgres-error.ts';
import { seedOrganizations } from './seed-organizations.ts';

// `npm run db:seed`, and RUN_SEED=true in CodeBuild. CLEAN=true deletes every organization
// first (and, by cascade, their roles and role occupancies). Every line is a runner report
// (src/runner-report.ts), which the build's Slack thread shows.
const report = runnerReporter('seed');
const databaseUrl = databaseUrlFromEnvironment();
if (!databaseUrl) {
  report.error('DATABASE_URL is not set (environment or database/.env).');
  process.exit(2);
}
const clean = process.env.CLEAN === 'true';
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
