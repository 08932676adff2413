import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, runOptional, USAGE } from '../../src/cli/deploybot.ts';
import { loadMigrations } from '../../src/history/load.ts';
import { migrationSetHash } from '../../src/history/migration-set.ts';
import { RULES } from '../../src/review/rule-set.ts';

function capture() {
  let text = '';
  return { stream: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

async function run(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(args, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

describe('deploybot', () => {
  it('lists its commands, and exits 2 without one', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toBe(`${USAGE}\n`);
    for (const name of ['review', 'hash', 'verify', 'rules']) expect(help.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: deploybot <command>');
  });

  it('answers --help for each command with that command’s usage', async () => {
    for (const name of ['review', 'hash', 'rules']) {
      const { code, out } = await run([name, '--help']);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: deploybot ${name} `));
      expect((await run(['help', name])).out).toBe(out);
    }
  });

  it('refuses an unknown command, escaping what was typed', async () => {
    const { code, err } = await run(['deploy\x1b[2Jnow']);
    expect(code).toBe(2);
    expect(err).toContain('unknown command "deploy\\x1b[2Jnow"');
    expect(err).not.toContain('\x1b');
  });

  it('hash prints the migration files sha256, and says it is not what a build is pinned to', async () => {
    const loaded = await loadMigrations(['backend/drizzle']);
    if (!loaded.ok) throw new Error(loaded.reason);
    const { code, out } = await run(['hash']);
    expect(code).toBe(0);
    const files = migrationSetHash(loaded.migrations);
    expect(out).toBe(`${files}\n`);
    const matched = await run(['hash', '--expect', files]);
    expect(matched).toMatchObject({ code: 0, out: `Migration files match: sha256 ${files} (${loaded.migrations.length} migrations).\n` });
    const differ = await run(['hash', '--expect', '0'.repeat(64)]);
    expect(differ.code).toBe(3);
    for (const said of [matched.out, differ.err]) expect(said).not.toMatch(/review|approv|pinned/i);
    const help = (await run(['hash', '--help'])).out;
    expect(help).toContain("Prints the migration files' sha256");
    expect(help).toContain('NOT what approvers approve or what a build is pinned to');
    expect(help).toContain('deploybot review --database-url URL --image-digest');
    expect((await run(['--help'])).out).toMatch(/hash +print or check the migration files' sha256 \(not the plan a build is pinned to\)/);
  });

  it('rules lists every rule under its category', async () => {
    const { code, out } = await run(['rules']);
    expect(code).toBe(0);
    for (const rule of RULES) expect(out).toContain(`  ${rule.id} `);
    const json = JSON.parse((await run(['rules', '--json'])).out);
    expect(json).toHaveLength(RULES.length);
  });

  it('verify runs the plan verifier when this checkout has it, and says plainly when not', async () => {
    const { code, err } = await run(['verify', '--help']);
    if (existsSync('src/cli/verify-plan.ts')) {
      expect(err).not.toContain('not available');
    } else {
      expect(code).toBe(2);
      expect(err).toMatch(/^deploybot verify: not available in this build \(.*verify-plan\.ts is missing\)\.\n$/);
    }
  });

  it('runs an optional command module by path, passing argv and the streams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-optional-'));
    const module = join(dir, 'echo.mjs');
    writeFileSync(module, 'export async function main(argv, out) { out.write(argv.join(" ")); return 7; }\n');
    const out = capture();
    const err = capture();
    expect(await runOptional('echo', pathToFileURL(module), ['a', 'b'], out.stream, err.stream)).toBe(7);
    expect(out.text()).toBe('a b');
    writeFileSync(join(dir, 'empty.mjs'), 'export const nothing = 1;\n');
    expect(await runOptional('empty', pathToFileURL(join(dir, 'empty.mjs')), [], out.stream, err.stream)).toBe(2);
    expect(err.text()).toContain('exports no main(argv, out, err)');
  });

  // The acceptance check, as a person types it in a fresh clone after `npm ci`.
  it('npx deploybot review --json prints nothing but JSON on stdout', () => {
    const pipeline = `npx --no-install deploybot review --json backend/drizzle | node -e 'JSON.parse(require("fs").readFileSync(0)); console.log("parsed")'`;
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', pipeline], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).not.toContain('SyntaxError');
    expect(run.stdout).toBe('parsed\n');
    expect(run.status).toBe(0);
  }, 120_000);
});
