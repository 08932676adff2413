import { parseArgs } from 'node:util';
import { loadMigrations } from '../history/load.ts';
import { migrationSetHash } from '../history/migration-set.ts';

// The sha256 of a migration folder (every journal entry, in order): a quick way to tell two
// checkouts or images apart. Builds are no longer pinned to it: they are pinned to the plan
// (src/history/plan.ts), which the buildspec verifies with `deploybot verify`.
//   npm run migrations:hash -- [FOLDER]                  print it
//   npm run migrations:hash -- --expect SHA256 [FOLDER]  exit 0 if equal, 3 if not
const USAGE = 'Usage: npm run migrations:hash -- [--expect SHA256] [FOLDER]   (FOLDER defaults to backend/drizzle)';

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    err.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const folder = args.positionals[0] ?? 'backend/drizzle';
  const loaded = await loadMigrations([folder]);
  if (!loaded.ok) {
    err.write(`Cannot hash: ${loaded.reason}\n`);
    return 2;
  }
  const actual = migrationSetHash(loaded.migrations);
  const expected = args.values.expect?.trim().toLowerCase();
  if (expected === undefined) {
    out.write(`${actual}\n`);
    return 0;
  }
  if (expected === actual) {
    out.write(`Migration set verified: sha256 ${actual} (${loaded.migrations.length} migrations) is what was reviewed and approved.\n`);
    return 0;
  }
  err.write(
    `Migration set mismatch: this image holds sha256 ${actual} (${loaded.migrations.length} migrations), but the approved review was of ${expected}. Nothing was migrated. Build and push the image of the reviewed commit, or request a new review.\n`,
  );
  return 3;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: { expect: { type: 'string' } } });
}
