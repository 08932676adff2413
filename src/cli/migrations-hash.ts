import { loadMigrations } from '../review/load.ts';
import { migrationSetHash } from '../review/migration-set.ts';

// Prints the sha256 of a migration set, the value the bot pins a build to.
// Usage: npm run migrations:hash -- [FOLDER] (default backend/drizzle)
const folder = process.argv[2] ?? 'backend/drizzle';
const loaded = await loadMigrations([folder]);
if (!loaded.ok) {
  process.stderr.write(`Cannot hash: ${loaded.reason}\n`);
  process.exit(2);
}
process.stdout.write(`${migrationSetHash(loaded.migrations)}\n`);
