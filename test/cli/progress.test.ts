import { describe, expect, it } from 'vitest';
import { withProgress } from '../../src/cli/progress.ts';
import type { DryRunner } from '../../src/dryrun/pglite-dry-run.ts';
import { HISTORY_TAGS } from '../support/migration-folders.ts';

// A runner that takes a while, as PGlite's start-up does; the progress line is what is tested.
const slowRunner: DryRunner = {
  run: (_history, pending) =>
    new Promise((done) => setTimeout(() => done({ ok: true, ms: 300, migrations: pending.length, statements: 0 }), 300)),
};

function stream(isTTY: boolean) {
  let text = '';
  return { write: (chunk: string) => (text += chunk), isTTY, text: () => text };
}

const sources = HISTORY_TAGS.map((tag) => ({ tag, file: `${tag}.sql`, sql: '', hash: '' }));

describe('dry-run progress', () => {
  it('draws a line on a terminal while the dry run works, then erases it', async () => {
    const err = stream(true);
    const result = await withProgress(slowRunner, err).run(sources.slice(0, 4), sources.slice(4));
    expect(result.ok).toBe(true);
    const text = err.text();
    expect(text).toContain('dry run: replaying 4 applied migrations, then applying 2 on embedded PostgreSQL');
    expect(text.split('\r\x1b[2K').length).toBeGreaterThan(3); // redrawn while waiting
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal (CI logs, pipes)', async () => {
    const err = stream(false);
    await withProgress(slowRunner, err).run([], sources);
    expect(err.text()).toBe('');
  });
});
