import { fileURLToPath } from 'node:url';
import { databaseUrlFromEnvironment } from './connection.ts';
import { runMigrations } from './run-migrations.ts';

// The programmatic migrate entry: `npm run db:migrate` locally, and what the CodeBuild
// project runs inside the backend image in production.
const databaseUrl = databaseUrlFromEnvironment();
if (!databaseUrl) {
  console.error('DATABASE_URL is not set (environment or database/.env).');
  process.exit(2);
}
const migrationsFolder = process.env.MIGRATIONS_FOLDER ?? fileURLToPath(new URL('../backend/drizzle', import.meta.url));
try {
  await runMigrations({ databaseUrl, migrationsFolder });
} catch (error) {
  // Postgres errors carry no credentials; the URL is never printed.
  console.error(`Migration failed, nothing was applied: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
