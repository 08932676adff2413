import postgres from 'postgres';
import { databaseUrlFromEnvironment } from './connection.ts';
import { seedOrganizations } from './seed-organizations.ts';

// `npm run db:seed`, and RUN_SEED=true in CodeBuild. CLEAN=true deletes every organization
// first (and, by cascade, their roles and role occupancies).
const databaseUrl = databaseUrlFromEnvironment();
if (!databaseUrl) {
  console.error('DATABASE_URL is not set (environment or database/.env).');
  process.exit(2);
}
const clean = process.env.CLEAN === 'true';
const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
try {
  if (clean) console.log('CLEAN=true: deleting every organization (cascades to hierarchy, roles and role occupancy) first.');
  const result = await seedOrganizations(sql, { clean });
  console.log(
    `Seeded organizations: ${result.deletedOrganizations} deleted, ${result.insertedOrganizations} organizations, ${result.insertedRoles} roles and ${result.insertedLinks} hierarchy links inserted.`,
  );
} catch (error) {
  console.error(`Seed failed, nothing was changed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
