import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEED_FILES } from '../../src/history/seed-files.ts';

// A static check of the migrations image, with no Docker daemon: every command the buildspec
// runs inside the image (`docker run … "$IMAGE_URI" bun FILE`) must find `bun` in the final
// stage and FILE, everything FILE imports at run time, and every file it reads, among what the
// Dockerfile copies and .dockerignore lets into the build context; every package it imports
// must be a production dependency, since the image installs with `npm ci --omit=dev`.

interface Stage {
  name?: string;
  from: string;
  workdir?: string;
  copies: { from?: string; sources: string[]; dest: string }[];
  runs: string[];
}

function dockerfileStages(text: string): Stage[] {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [instruction = '', ...rest] = line.split(/\s+/);
    const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? '');
    const words = rest.map(expand);
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'ARG': {
        const [name, value = ''] = (words[0] ?? '').split('=');
        if (name && !stage) args.set(name, value);
        break;
      }
      case 'FROM':
        stages.push({ from: words[0] ?? '', name: words[2], copies: [], runs: [] });
        break;
      case 'WORKDIR':
        if (stage) stage.workdir = words[0];
        break;
      case 'COPY': {
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        stage?.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' });
        break;
      }
      case 'RUN':
        stage?.runs.push(words.join(' '));
        break;
    }
  }
  return stages;
}

/** .dockerignore as Docker reads it: patterns in order, the last match wins, a match on a parent counts. */
function ignoredByDocker(patterns: string[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = normalize(negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const regex = globToRegExp(pattern);
    if (candidates.some((c) => regex.test(c))) ignored = !negated;
  }
  return ignored;
}

/** Docker's glob: `*` and `?` within one path segment, `**` across any number of them. */
function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^$()|[\]{}\\]/, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Run-time imports of a module (type-only imports are erased before it runs). */
function imports(file: string): { relative: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  return {
    relative: specifiers.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s))),
    packages: specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s)),
  };
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

const stages = dockerfileStages(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1) as Stage;
const dockerignore = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const buildspec = parse(readFileSync('infrastructure/aws/codebuild-migrations.buildspec.yml', 'utf8')) as {
  phases: Record<string, { commands: string[] }>;
};
const inImage = Object.values(buildspec.phases)
  .flatMap((p) => p.commands)
  .map((c) => c.replace(/\\\n\s*/g, ' '))
  .flatMap((c) => [...c.matchAll(/docker run [^\n]*?"\$IMAGE_URI" (\S+) (\S+)/g)])
  .map((m) => ({ command: m[1] ?? '', file: m[2] ?? '' }));

/** Is this repository path in the image, at the same path relative to the runtime WORKDIR? */
function copiedIntoImage(path: string): boolean {
  if (ignoredByDocker(dockerignore, path)) return false;
  return runtime.copies.some(
    (c) =>
      !c.from &&
      c.sources.some((src) => {
        const source = normalize(src).replace(/\/$/, '');
        const dest = normalize(c.dest).replace(/\/$/, '');
        return (path === source || path.startsWith(`${source}/`)) && dest === source;
      }),
  );
}

describe('the migrations image (Dockerfile)', () => {
  it('is multi-stage: a locked production install, then Bun as the runtime, in /app', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const deps = stages.find((s) => s.name === 'deps');
    expect(deps?.copies[0]?.sources).toEqual(['package.json', 'package-lock.json']);
    expect(deps?.runs.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(runtime.from).toMatch(/^oven\/bun:/);
    expect(runtime.workdir).toBe('/app');
    expect(runtime.copies).toContainEqual({ from: 'deps', sources: ['/app/node_modules'], dest: './node_modules' });
  });

  it('runs the Bun the tests run: the image pins the devDependency’s version to the patch', () => {
    const pinned = /^ARG BUN_VERSION=(\S+)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.bun).toBe(pinned);
  });

  it('holds every file the buildspec runs inside it, and everything those files import and read', () => {
    expect(inImage.map((r) => r.file).sort()).toEqual(['database/run-build.ts', 'src/cli/verify-plan-entry.ts']);
    const seen = new Set<string>();
    const packages = new Set<string>();
    // Spawned rather than imported: database/schema-check.ts runs drizzle-kit in a child process.
    const queue = [...inImage.map((r) => r.file), 'database/live-schema-diff.ts'];
    while (queue.length) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      expect(existsSync(file), `${file} exists`).toBe(true);
      const found = imports(file);
      queue.push(...found.relative);
      for (const p of found.packages) packages.add(packageName(p));
    }
    // Read at run time rather than imported: the migrations, the seed's files (hashed by the
    // verifier), package.json ("type": "module").
    const read = [...filesUnder('backend/drizzle'), ...SEED_FILES, 'package.json'];
    const missing = [...seen, ...read].filter((f) => !copiedIntoImage(f));
    expect(missing).toEqual([]);
    expect(seen).toContain('src/history/plan.ts');
    expect(seen).toContain('database/run-migrations.ts');
    // The run step dispatches to both entries, and each claims its run on the request table.
    for (const file of ['database/migrate.ts', 'database/seed.ts', 'src/aws/request-store.ts', 'database/schema-check.ts'])
      expect(seen).toContain(file);

    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const notInstalled = [...packages].filter((p) => !(p in manifest.dependencies));
    expect(notInstalled).toEqual([]);
    expect([...packages].sort()).toEqual(
      expect.arrayContaining([
        'libpg-query',
        'drizzle-orm',
        'drizzle-kit',
        'postgres',
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/lib-dynamodb',
      ]),
    );
  });

  it('runs every in-image command with a program the runtime stage provides', () => {
    expect(new Set(inImage.map((r) => r.command))).toEqual(new Set(['bun']));
  });

  it('keeps a developer database/.env out of the build context', () => {
    expect(ignoredByDocker(dockerignore, 'database/.env')).toBe(true);
    expect(ignoredByDocker(dockerignore, 'database/migrate.ts')).toBe(false);
    expect(ignoredByDocker(dockerignore, 'test/database/migrate.test.ts')).toBe(true);
    expect(ignoredByDocker(dockerignore, 'node_modules/postgres/package.json')).toBe(true);
  });
});
