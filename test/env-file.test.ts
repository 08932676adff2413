import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUN, NODE_TSX } from './support/runtimes.ts';

// database/.env is read by the migrate entry under Node (npm run db:migrate) and under Bun
// (the image): the same file must give the same variables in both.
const file = join(mkdtempSync(join(tmpdir(), 'env-file-')), '.env');
writeFileSync(
  file,
  [
    '# the platform keeps its URL here',
    'DATABASE_URL=postgres://app:s3cret@db.internal:5432/daadaar # trailing comment',
    'export QUOTED="two words"',
    "SINGLE='kept # not a comment'",
    'ALREADY=from-file',
    'not a variable line',
  ].join('\n'),
);
const script = `import { loadEnvFile } from ${JSON.stringify(resolve('src/env-file.ts'))};
loadEnvFile(${JSON.stringify(file)});
loadEnvFile('/nonexistent/.env');
const { DATABASE_URL, QUOTED, SINGLE, ALREADY } = process.env;
console.log(JSON.stringify({ DATABASE_URL, QUOTED, SINGLE, ALREADY }));`;
const expected = {
  DATABASE_URL: 'postgres://app:s3cret@db.internal:5432/daadaar',
  QUOTED: 'two words',
  SINGLE: 'kept # not a comment',
  ALREADY: 'from-environment',
};

describe('database/.env', () => {
  const env = { PATH: process.env.PATH, ALREADY: 'from-environment' };
  it('is read the same under Node', () => {
    const out = execFileSync(NODE_TSX[0], [...NODE_TSX.slice(1), '--input-type=module', '-e', script], { env, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(expected);
  });
  it('and under Bun, which has no process.loadEnvFile', () => {
    const out = execFileSync(BUN, ['-e', script], { env, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(expected);
    expect(execFileSync(BUN, ['-e', 'console.log(typeof process.loadEnvFile)'], { env, encoding: 'utf8' }).trim()).toBe('undefined');
  });
});
