import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

it('database/schema.ts matches the last generated snapshot (no migration left to generate)', () => {
  const work = mkdtempSync(join(tmpdir(), 'schema-drift-'));
  cpSync('database', join(work, 'database'), { recursive: true });
  cpSync('backend/drizzle', join(work, 'backend/drizzle'), { recursive: true });
  const before = readdirSync(join(work, 'backend/drizzle')).sort();
  const out = execFileSync(resolve('node_modules/.bin/drizzle-kit'), ['generate'], {
    cwd: join(work, 'database'),
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: resolve('node_modules') },
  });
  expect(out).toContain('No schema changes');
  expect(readdirSync(join(work, 'backend/drizzle')).sort()).toEqual(before);
}, 60_000);
