import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunnerLine } from '../../src/runner-report.ts';
import { PROGRESS_WINDOW_MS } from '../../src/status/build-progress.ts';
import { BotHarness, blockText } from '../support/bot-harness.ts';
import { approvedBuildRunning, buildEventHandler, logSubscription, phaseChange, stateChange } from '../support/codebuild-events.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { advanceBuild } from '../support/fake-aws.ts';
import { HISTORY, historyPrefix } from '../support/migration-folders.ts';
import { openTransaction } from '../support/open-transaction.ts';

// The whole path of issue 19's promise, with nothing of ours stubbed: the real migrate entry
// (database/migrate.ts) runs against PostgreSQL while an application's transaction holds the
// table it alters; the lines it prints, as CloudWatch Logs would deliver them through the
// subscription filter, go to the real status function, which updates the thread in the fake
// Slack. The run gives up instead of holding the traffic queued behind it, succeeds once the
// application lets go, and its result reply says whether the live schema matches schema.ts.

interface Line {
  /** ms since the run started: the log event's timestamp. */
  at: number;
  line: string;
}

describe('a watched run, from the migrator to the thread', () => {
  const bot = new BotHarness();
  let db: TestDatabase;

  beforeAll(async () => {
    await bot.start();
    db = await createMigratedDatabase(historyPrefix(3));
  }, 60_000);
  afterAll(async () => {
    await bot.stop();
    await db?.drop();
  });

  it('shows who blocks within 5 s, gives up at the threshold, then applies and says the live schema matches', async () => {
    const handle = buildEventHandler(bot);
    const { review, build } = await approvedBuildRunning(bot);
    await handle(phaseChange(build, 'PROVISIONING'));
    const status = () => blockText(bot.threadReplies(review).find((m) => m.metadata?.event_type === 'deploybot_build_status'));
    const t0 = Date.UTC(2026, 10, 24, 9, 3, 0);
    const deliver = async (lines: readonly Line[]) => {
      bot.clock += PROGRESS_WINDOW_MS;
      return handle(
        logSubscription(
          build,
          lines.map((l) => ({ at: t0 + Math.round(l.at), line: l.line })),
        ),
      );
    };

    // An application's open transaction on "users", which 0003 alters (ACCESS EXCLUSIVE).
    const app = postgres(db.url, { max: 2, onnotice: () => {}, connection: { application_name: 'reporting-worker' } });
    const { pid: blockerPid, release, done: holding } = await openTransaction(app, 'select count(*) from users');

    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'database/migrate.ts', '--local'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        MIGRATIONS_FOLDER: HISTORY,
        MIGRATION_LOCK_TIMEOUT_MS: '60000',
        MIGRATION_ATTEMPTS: '3',
        MIGRATION_RETRY_DELAY_MS: '300',
        MIGRATION_GIVE_UP_AFTER_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const lines: Line[] = [];
    let blockedShown: string | undefined;
    let blockedAt: number | undefined;
    let queued: Promise<unknown> | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const at = performance.now() - started;
      lines.push({ at, line });
      const event = parseRunnerLine(line)?.progress;
      if (event?.kind === 'blocked' && blockedAt === undefined) {
        blockedAt = at;
        // What the thread shows from the lines delivered so far.
        expect(await deliver(lines)).toMatchObject({ kind: 'progress', statusMessage: 'updated' });
        blockedShown = status();
        // Traffic arrives and queues behind the migrator's ACCESS EXCLUSIVE request.
        queued = app`select count(*) from users`.execute();
      }
      if (event?.kind === 'gave-up') {
        expect(await deliver(lines)).toMatchObject({ kind: 'progress' });
        // The application finishes; the retry gets the lock.
        release();
      }
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    release();
    await holding;
    await queued;
    await app.end();
    expect(code, `${stderr}\n${lines.map((l) => l.line).join('\n')}`).toBe(0);

    // Who blocks, within 5 s of the run's start, in the thread.
    expect(blockedAt).toBeLessThan(5000);
    expect(blockedShown).toContain(`held by pid ${blockerPid} (reporting-worker, idle in transaction`);
    expect(blockedShown).toContain('0003_media_sizes_and_cleanup');
    const events = lines.map((l) => parseRunnerLine(l.line)?.progress).filter((e) => e !== undefined);
    expect(events.filter((e) => e.kind === 'gave-up')).toEqual([
      expect.objectContaining({ kind: 'gave-up', thresholdMs: 1500, attempt: 1, blockers: [expect.objectContaining({ pid: blockerPid })] }),
    ]);
    expect(events.at(-1)).toEqual({ kind: 'schema', matches: true, differences: [] });

    // The build ends: the result reply reads the log and says what the run found.
    bot.aws.logStreams.set(
      `${build.logs.groupName}\t${build.logs.streamName}`,
      lines.map((l) => l.line),
    );
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['PROVISIONING', 14],
        ['BUILD', 30],
      ],
      'SUCCEEDED',
    );
    expect(await handle(stateChange(build, 'SUCCEEDED'))).toMatchObject({ resultPosted: true });
    const result = blockText(bot.threadReplies(review).find((m) => m.metadata?.event_type === 'deploybot_build_result'));
    expect(result).toContain(':white_check_mark: The live schema matches database/schema.ts.');
    expect(result).toContain('gave up after waiting');
    expect(result).toContain(`held by pid ${blockerPid} (reporting-worker`);
  }, 120_000);
});
