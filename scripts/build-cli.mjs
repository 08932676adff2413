import { existsSync, rmSync } from 'node:fs';

// The `deploybot` bundle an installed package runs (bin/deploybot.mjs picks it when there is no
// src/ beside it): dist/cli/deploybot.mjs, plus the optional commands' modules beside it, which
// the dispatcher imports by path only when their source exists in this checkout.
// libpg-query loads its .wasm from beside its own module file and PGlite is needed only for a
// dry run: both stay external, installed as dependencies.
// As the `prepare` script of an install without devDependencies there is no esbuild: the launcher
// then runs the source, so that install must not fail for want of a bundle.
const esbuild = await import('esbuild').catch((error) => {
  if (process.env.npm_lifecycle_event === 'prepare') return undefined;
  throw error;
});
if (!esbuild) {
  console.warn('deploybot: esbuild is not installed; bin/deploybot.mjs will run the TypeScript source');
  process.exit(0);
}
// `--outdir DIR` builds elsewhere (the packaging test does, so it never races a rebuild of dist/).
const at = process.argv.indexOf('--outdir');
const outdir = at === -1 ? 'dist/cli' : process.argv[at + 1];
rmSync(outdir, { recursive: true, force: true });
const optional = ['verify-plan'].filter((name) => existsSync(`src/cli/${name}.ts`));
await esbuild.build({
  entryPoints: {
    deploybot: 'src/cli/deploybot.ts',
    ...Object.fromEntries(optional.map((name) => [name, `src/cli/${name}.ts`])),
  },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['libpg-query', '@electric-sql/pglite'],
  outExtension: { '.js': '.mjs' },
  // Bundled CommonJS still calls require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
