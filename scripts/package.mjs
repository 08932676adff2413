import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

// `npm run package`: the deployable Lambda artifact, built offline (the Serverless Framework
// wants an account to package). One zip for both functions: the esbuild bundles and their
// lazy chunks, libpg-query and PGlite (each loads its .wasm from beside itself), the migrations the bot
// reviews, the precomputed dry runs and the config. serverless/serverless.yml deploys it.
const out = 'dist/package';
const stage = join(out, 'stage');
rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

cpSync('dist/lambda', stage, { recursive: true });
// PGlite with its contrib extension bundles (dist/*.tar.gz, 1.5 MB): the live dry run loads
// those the migrations create (src/dryrun/extensions.ts). Well inside Lambda's 250 MB unzipped limit.
for (const pkg of ['libpg-query', '@pgsql/types', '@electric-sql/pglite']) {
  cpSync(join('node_modules', pkg), join(stage, 'node_modules', pkg), {
    recursive: true,
    filter: (src) => !/\.d\.c?ts$|README|\.map$/.test(src),
  });
}
cpSync('backend/drizzle', join(stage, 'backend/drizzle'), { recursive: true });
cpSync('deploybot.config.json', join(stage, 'deploybot.config.json'));
// The seed's files: the bot hashes them into a seed request's plan (src/history/seed-files.ts).
for (const file of ['database/seed.ts', 'database/seed-organizations.ts']) cpSync(file, join(stage, file));
// ESM bundles: tell Node so without relying on the .mjs extension alone.
cpSync('scripts/lambda-package.json', join(stage, 'package.json'));

const zip = join(out, 'deploybot.zip');
execFileSync('zip', ['-q', '-r', '-X', '../deploybot.zip', '.'], { cwd: stage });
console.log(`package: ${zip} ${(statSync(zip).size / 1024).toFixed(0)} KiB (handlers slack.handler, codebuild-events.handler)`);
