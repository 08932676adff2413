import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// `deploybot` as an installed package runs it: the bundle, with no src/ beside the launcher.
// Catches what only bundling breaks (the JSON import, externals, the optional-command paths).
describe('the deploybot package without its sources', () => {
  const pkg = mkdtempSync(join(tmpdir(), 'deploybot-pkg-'));
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build-cli.mjs', '--outdir', join(pkg, 'dist/cli')]);
    mkdirSync(join(pkg, 'bin'));
    cpSync('bin/deploybot.mjs', join(pkg, 'bin/deploybot.mjs'));
    cpSync('package.json', join(pkg, 'package.json'));
    symlinkSync(resolve('node_modules'), join(pkg, 'node_modules'));
  }, 60_000);

  it('reviews from the bundle and prints nothing but JSON', async () => {
    const { stdout } = await run(process.execPath, [join(pkg, 'bin/deploybot.mjs'), 'review', '--json', '--no-dry-run', 'backend/drizzle']);
    const doc = JSON.parse(stdout);
    expect(doc.scope.mode).toBe('history');
    expect(doc.summary).toMatchObject({ destructive: 2, dryRun: 'not run' });
  }, 60_000);

  it('answers --version and says plainly that a command is missing from the build', async () => {
    const version = await run(process.execPath, [join(pkg, 'bin/deploybot.mjs'), '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const verify = await run(process.execPath, [join(pkg, 'bin/deploybot.mjs'), 'verify', '--help']).catch((error) => error);
    if (existsSync('src/cli/verify-plan.ts')) {
      // Built beside the bundle, so the command is there.
      expect(verify.stderr).not.toContain('is missing');
    } else {
      expect(verify.code).toBe(2);
      expect(verify.stderr).toContain('verify-plan.mjs is missing');
    }
  }, 60_000);
});
