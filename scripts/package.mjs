import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

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

// Written by fflate rather than the system `zip`, which a fresh machine may not have. A fixed
// mtime (zip's earliest, 1980) keeps the archive's bytes a function of its files alone; Unix
// mode 0644 in the external attributes, since Lambda needs its files readable by the runtime's
// user (AWS Lambda "Deploying .zip file archives": permission errors otherwise).
const zipEntry = { mtime: new Date('1980-01-01T00:00:00Z'), os: 3, attrs: 0o100644 << 16 };
const files = {};
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else files[relative(stage, path).split('\\').join('/')] = [readFileSync(path), zipEntry];
  }
};
walk(stage);
const zip = join(out, 'deploybot.zip');
writeFileSync(zip, zipSync(files, { level: 9 }));
console.log(
  `package: ${zip} ${(statSync(zip).size / 1024).toFixed(0)} KiB (handlers slack.handler, codebuild-events.handler, reconcile.handler)`,
);
