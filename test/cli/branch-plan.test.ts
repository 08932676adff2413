import { describe, expect, it } from 'vitest';
import { type HeadSide, planBranch } from '../../src/cli/branch-plan.ts';
import { migrationHash } from '../../src/history/load.ts';
import type { MigrationSource } from '../../src/review/model.ts';

function migration(tag: string, when: number, sql = `SELECT '${tag}';`): MigrationSource {
  return { tag, file: `drizzle/${tag}.sql`, sql, when, hash: migrationHash(sql) };
}

function head(migrations: MigrationSource[], missing: HeadSide['missing'] = []): HeadSide {
  const journalText = JSON.stringify({ entries: [...migrations, ...missing].map(({ tag, when }) => ({ tag, when })) }, null, 2);
  return { migrations, missing, journalFile: 'drizzle/meta/_journal.json', journalText };
}

const base = [migration('0000_a', 1000), migration('0001_b', 2000)];

describe('what a branch adds to the base history', () => {
  it('adds the new entries on top of the base, with nothing to report when they are newer', () => {
    const plan = planBranch({ migrations: base, missing: [] }, head([...base, migration('0002_c', 3000)]), 'main');
    expect(plan.history.map((m) => m.tag)).toEqual(['0000_a', '0001_b']);
    expect(plan.added.map((m) => m.tag)).toEqual(['0002_c']);
    expect(plan.checks).toEqual([]);
  });

  it('treats every entry as added when the base has no migrations folder', () => {
    const plan = planBranch({ migrations: [], missing: [] }, head(base), 'main');
    expect(plan.added).toHaveLength(2);
    expect(plan.checks).toEqual([]);
  });

  it('flags an entry no newer than the base’s newest, even by one millisecond’s tie', () => {
    const plan = planBranch({ migrations: base, missing: [] }, head([...base, migration('0002_tie', 2000)]), 'main');
    expect(plan.checks.map((c) => [c.kind, c.tag])).toEqual([['out-of-order', '0002_tie']]);
  });

  it('flags a re-timed base entry and a base entry the branch dropped', () => {
    const retimed = { ...base[0], when: 1500 } as MigrationSource;
    const plan = planBranch({ migrations: base, missing: [] }, head([retimed]), 'main');
    expect(plan.checks.map((c) => [c.kind, c.tag])).toEqual([
      ['retimed-migration', '0000_a'],
      ['removed-migration', '0001_b'],
    ]);
    expect(plan.added).toEqual([]);
  });

  it('points at the first changed line of an edited migration', () => {
    const edited = migration('0001_b', 2000, "SELECT '0001_b';\n-- a later note");
    const plan = planBranch({ migrations: base, missing: [] }, head([base[0] as MigrationSource, edited]), 'main');
    expect(plan.checks).toMatchObject([{ kind: 'edited-migration', tag: '0001_b', file: 'drizzle/0001_b.sql', line: 2 }]);
  });
});
