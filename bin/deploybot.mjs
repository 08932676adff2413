#!/usr/bin/env node
// `deploybot`. Runs the esbuild bundle (dist/cli/deploybot.mjs, built by `npm ci` through the
// `prepare` script and by `npm pack`) when it is at least as new as every source file: it starts
// about 3x faster than the TypeScript through tsx (see README, "Command line"). In a checkout
// whose src/ changed since the bundle was built, or with no bundle, it runs the source through
// tsx, so what runs is always what is on disk. An installed package has no src/: the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli/deploybot.mjs', root);
const source = new URL('src/', root);

function bundleIsCurrent() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  if (!existsSync(source)) return true;
  const inputs = [new URL('package.json', root)];
  for (const name of readdirSync(source, { recursive: true })) inputs.push(new URL(name, source));
  return inputs.every((file) => statSync(file).mtimeMs <= built);
}

async function load() {
  if (bundleIsCurrent()) {
    try {
      return await import(bundle.href);
    } catch (error) {
      // Deleted between the check and the import (a rebuild under way): the source will do.
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(source)) throw error;
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL('cli/deploybot.ts', source).href);
}

const cli = await load();
cli.runAsProcess(cli.main);
