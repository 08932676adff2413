import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// One ESM file per entry, as it ships. libpg-query stays external: it loads its .wasm from
// beside its own module file, so the package travels whole next to the bundle.
const common = {
  bundle: true,
  platform: 'node',
  // Node 22 is the Lambda runtime (serverless/serverless.yml) and the version package.json asks for.
  target: 'node22',
  format: 'esm',
  external: ['libpg-query'],
  outExtension: { '.js': '.mjs' },
  // Bundled CommonJS (Bolt, the AWS SDK) still calls require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
};

// Start clean: chunk names are content hashes, and stale ones would ship in the package.
rmSync('dist', { recursive: true, force: true });

// PGlite stays external too: only a dry run loads it, and inlined it would be parsed on every start.
await build({
  ...common,
  entryPoints: { review: 'src/cli/review-entry.ts' },
  outdir: 'dist',
  external: ['libpg-query', '@electric-sql/pglite'],
});
// Split so the AWS SDK clients, imported lazily, load only when a request needs them. PGlite
// stays external: it finds its .wasm and .data beside its own module file, so it ships whole in
// the package (scripts/package.mjs) for the live dry run of the asynchronous self-invocation.
await build({
  ...common,
  entryPoints: {
    slack: 'src/handlers/slack.ts',
    'codebuild-events': 'src/handlers/codebuild-events.ts',
    reconcile: 'src/handlers/reconcile.ts',
  },
  external: ['libpg-query', '@electric-sql/pglite'],
  outdir: 'dist/lambda',
  minify: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
