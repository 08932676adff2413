import { describe, expect, it } from 'vitest';
import { progressFacts, progressText } from '../../src/request-message/progress-text.ts';
import type { Blocker, RunProgress } from '../../src/run-progress.ts';
import { formatRunnerLine } from '../../src/runner-report.ts';

// Each progress event as the thread reads it; the end-to-end path is in test/status/build-progress.test.ts.

const blocker = (pid: number): Blocker => ({
  pid,
  application: `worker-${pid}`,
  state: 'active',
  transactionMs: null,
  query: 'UPDATE orders SET x = 1',
});
const line = (event: RunProgress) => formatRunnerLine({ source: 'migrate', level: 'info', text: 'p', progress: event });

describe('progressText', () => {
  it('says how long a heartbeat has waited for a lock, and leaves out what Postgres did not report', () => {
    const text = progressText({
      kind: 'heartbeat',
      migration: '0003_backfill',
      step: 2,
      steps: 2,
      statement: 'UPDATE users SET flag = true',
      elapsedMs: 4000,
      lockWaitMs: 3000,
    });
    expect(text).toBe(
      ':hourglass_flowing_sand: `0003_backfill` step 2/2 running 4 s · waiting for a lock 3 s · `UPDATE users SET flag = true`',
    );
  });

  it('shows three blockers and counts the rest, a blocker without a transaction without its age', () => {
    const text = progressText({
      kind: 'blocked',
      migration: '0004',
      statement: 'ALTER TABLE orders ADD CONSTRAINT c CHECK (x > 0)',
      lockMode: 'AccessExclusiveLock',
      waitedMs: 1000,
      queued: 1,
      blockers: [1, 2, 3, 4, 5].map(blocker),
    });
    expect(text).toContain('1 session queued behind it');
    expect(text).toContain('held by pid 3 (worker-3, active): `UPDATE orders SET x = 1`');
    expect(text).not.toContain('pid 4 ');
    expect(text).toContain('and 2 more (in the log)');
    expect(text).toContain('CHECK (x &gt; 0)');
  });

  it('says a snapshot is being created, or failed and why', () => {
    expect(progressText({ kind: 'snapshot', state: 'creating', snapshotId: 's-1', elapsedMs: 90_000 })).toBe(
      ':camera: Snapshot `s-1` being created (1 min 30 s)',
    );
    expect(progressText({ kind: 'snapshot', state: 'failed', snapshotId: 's-1', elapsedMs: 0, reason: 'quota <exceeded>' })).toBe(
      ':x: Snapshot `s-1` failed: quota &lt;exceeded&gt;',
    );
  });

  it('cuts long SQL and keeps a backtick in it from ending the code span', () => {
    const text = progressText({
      kind: 'step',
      migration: 'm`x',
      step: 1,
      steps: 1,
      mode: 'transaction',
      statement: `SELECT '${'a'.repeat(400)}'`,
      elapsedMs: 0,
    });
    expect(text).toContain("`m'x` step 1/1 (in the transaction)");
    expect(text.match(/`[^`]*`$/)?.[0].length).toBeLessThanOrEqual(162);
    expect(text.endsWith('…`')).toBe(true);
  });
});

describe('progressFacts', () => {
  it('keeps the last snapshot state, every give-up and the last schema check, in that order', () => {
    const gaveUp = (attempt: number): RunProgress => ({
      kind: 'gave-up',
      migration: '0005',
      statement: 'ALTER TABLE t ADD COLUMN c int',
      waitedMs: 10_000,
      thresholdMs: 10_000,
      attempt,
      blockers: [],
    });
    const facts = progressFacts([
      line({ kind: 'schema', matches: false, differences: ['t.c missing'] }),
      line({ kind: 'snapshot', state: 'creating', snapshotId: 's-2', elapsedMs: 0 }),
      line(gaveUp(1)),
      'tool output {"deploybot": not ours',
      line(gaveUp(2)),
      line({ kind: 'snapshot', state: 'available', snapshotId: 's-2', elapsedMs: 5000 }),
      line({ kind: 'schema', matches: true, differences: [] }),
    ]);
    expect(facts).toEqual([
      ':camera: Snapshot `s-2` available (5 s)',
      expect.stringContaining('attempt 1'),
      expect.stringContaining('attempt 2'),
      ':white_check_mark: The live schema matches database/schema.ts.',
    ]);
    expect(
      progressFacts([line({ kind: 'step', migration: 'm', step: 1, steps: 1, mode: 'transaction', statement: 's', elapsedMs: 0 })]),
    ).toEqual([]);
  });
});
