import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../src/run-progress.ts';
import { formatRunnerLine, parseRunnerLine } from '../src/runner-report.ts';

const blocker = { pid: 4242, application: 'psql', state: 'idle in transaction', transactionMs: 61_000, query: 'select 1' };

const events: RunProgress[] = [
  { kind: 'step', migration: '0007_index', step: 2, steps: 5, mode: 'own-step', statement: 'CREATE INDEX CONCURRENTLY …', elapsedMs: 12 },
  {
    kind: 'heartbeat',
    migration: '0007_index',
    step: 2,
    steps: 5,
    statement: 'CREATE INDEX',
    elapsedMs: 5000,
    lockWaitMs: 0,
    phase: 'building index',
    blocksDone: 10,
    blocksTotal: 40,
  },
  {
    kind: 'blocked',
    migration: '0007_index',
    statement: 'ALTER TABLE',
    lockMode: 'AccessExclusiveLock',
    waitedMs: 3000,
    queued: 7,
    blockers: [blocker],
  },
  {
    kind: 'gave-up',
    migration: '0007_index',
    statement: 'ALTER TABLE',
    waitedMs: 30_000,
    thresholdMs: 30_000,
    attempt: 1,
    blockers: [blocker],
  },
  {
    kind: 'snapshot',
    state: 'available',
    snapshotId: 'deploybot-r1',
    elapsedMs: 90_000,
    restoreCommand: 'aws rds restore-db-instance-from-db-snapshot …',
  },
  { kind: 'schema', matches: false, differences: ['ALTER TABLE "users" ADD COLUMN "x" text;'] },
];

describe('progress events in runner reports', () => {
  it.each(events)('round-trips a $kind event', (event) => {
    const line = formatRunnerLine({ source: 'migrate', level: 'info', text: 'sentence', progress: event });
    expect(parseRunnerLine(line)).toEqual({ source: 'migrate', level: 'info', text: 'sentence', progress: event });
  });

  it('refuses a line whose event has a field no shape has, a wrong type, or a missing field', () => {
    const base = { source: 'migrate', level: 'info', text: 't' } as const;
    const line = (progress: unknown) => JSON.stringify({ deploybot: { v: 1, ...base, progress } });
    expect(parseRunnerLine(line({ kind: 'schema', matches: true, differences: [], token: 'x' }))).toBeUndefined();
    expect(parseRunnerLine(line({ kind: 'schema', matches: 'yes', differences: [] }))).toBeUndefined();
    expect(parseRunnerLine(line({ kind: 'schema', matches: true }))).toBeUndefined();
    expect(parseRunnerLine(line({ kind: 'unknown' }))).toBeUndefined();
    expect(
      parseRunnerLine(
        line({
          kind: 'blocked',
          migration: 'm',
          statement: 's',
          lockMode: 'x',
          waitedMs: 1,
          queued: 0,
          blockers: [{ ...blocker, password: 'p' }],
        }),
      ),
    ).toBeUndefined();
  });

  it('bounds what the writer puts in a line', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ ...blocker, pid: i, query: 'x'.repeat(5000) }));
    const line = formatRunnerLine({
      source: 'migrate',
      level: 'info',
      text: 't',
      progress: { kind: 'blocked', migration: 'm', statement: 's'.repeat(5000), lockMode: 'x', waitedMs: 1, queued: 50, blockers: many },
    });
    const back = parseRunnerLine(line);
    expect(back?.progress?.kind).toBe('blocked');
    if (back?.progress?.kind !== 'blocked') return;
    expect(back.progress.blockers).toHaveLength(20);
    expect(back.progress.statement.length).toBeLessThanOrEqual(600);
  });
});
