import { parseArgs } from 'node:util';
import { loadMigrations } from '../history/load.ts';
import { migrationSetHash } from '../history/migration-set.ts';

// The migration files' sha256 (every journal entry, in order): a quick way to tell two checkouts
// or images apart. It is not what approvers approve nor what a build is pinned to: that is the
// plan sha256 (src/history/plan.ts), which `deploybot review --database-url … --image-digest …`
// prints and the buildspec verifies with `deploybot verify`.
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
    out.write(`Migration files match: sha256 ${actual} (${loaded.migrations.length} migrations).\n`);
    return 0;
  }
  err.write(`Migration files differ: ${folder} hashes to sha256 ${actual} (${loaded.migrations.length} migrations), not ${expected}.\n`);
  return 3;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: { expect: { type: 'string' } } });
}
