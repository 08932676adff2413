import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewedSet } from '../../src/bot/migration-catalog.ts';
import { rejectModal } from '../../src/bot/views/reject-modal.ts';
import { confirmationReasons, errorModal, loadingModal, pendingKey, requestModal } from '../../src/bot/views/request-modal.ts';
import { fullSqlFile, reviewBody } from '../../src/bot/views/review-message.ts';
import type { DryRunResult } from '../../src/dryrun/pglite-dry-run.ts';
import type { Drift } from '../../src/history/target-plan.ts';
import { digestReview } from '../../src/render/review-digest.ts';
import { resultReply, statusMessage, tailReply } from '../../src/request-message/build-thread.ts';
import { requestMessage } from '../../src/request-message/frame.ts';
import type { RequestRecord } from '../../src/requests/record.ts';
import { CATEGORIES, type Category, emptyCounts, type MigrationSource, type Review } from '../../src/review/model.ts';
import { formatRunnerLine } from '../../src/runner-report.ts';
import { signingKey } from '../../src/signed-token.ts';
import { checkMessage, checkView } from '../../src/slack/limits.ts';
import { BotHarness, testConfig } from '../support/bot-harness.ts';

// The builders fed huge and hostile input (60 migrations, 200 KB statements, 90-entry
// histories and drift lists, names full of mrkdwn) must still produce payloads Slack accepts,
// with every code fence closed in the text object that opened it.

const UNITS = ['a', 'Z', '0', ' ', '\n', '*', '_', '~', '&', '<', '>', '<!channel>', '<@U1|x>', '|', '😀', 'é', '\\'];
/** A 200 KB statement: escaping makes it up to five times longer still. */
const HUGE = `UPDATE "organizations" SET "name" = '${'a & <b> ~*_'.repeat(18_000)}' WHERE "id" = 1;`;
const HUGE_TICKS = HUGE.replace(/~\*_/g, '```');

/**
 * Input arbitraries. With `ticks`, names and messages hold backticks and fences too: the payload
 * must still fit, but a fence in user text is the escaping's business (issue 10, item 5), so
 * closed fences are asserted only without them, where every fence is one a builder wrote.
 */
function arbitraries(ticks: boolean) {
  const mrkdwn = fc.constantFrom(...UNITS, ...(ticks ? ['`', '```'] : []));
  const hostile = (maxLength: number) => fc.array(mrkdwn, { maxLength }).map((units) => units.join(''));
  const huge = ticks ? HUGE_TICKS : HUGE;
  const sql = fc.oneof({ weight: 12, arbitrary: hostile(300) }, { weight: 1, arbitrary: fc.constant(huge) });

  const findingArb = fc.record({
    rule: fc.constantFrom('drop-table', 'set-not-null', 'add-column-volatile-default', 'unparsable-sql'),
    category: fc.constantFrom<Category>(...CATEGORIES),
    message: hostile(200),
    help: fc.constant('see docs/rules.md'),
  });

  const migrationArb = fc.record({
    name: hostile(40),
    statements: fc.array(fc.record({ sql, findings: fc.array(findingArb, { maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
  });

  const dryRunArb: fc.Arbitrary<DryRunResult | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.constant<DryRunResult>({ ok: true, ms: 812, migrations: 60, statements: 140 }),
    fc.record({ statement: sql, error: hostile(500) }).map(
      ({ statement, error }): DryRunResult => ({
        ok: false,
        status: 'failed',
        stage: 'pending',
        tag: '0007_x',
        file: 'backend/drizzle/0007_x.sql',
        line: 3,
        statement,
        error,
        ms: 40,
      }),
    ),
    fc.record({ statement: sql, missing: hostile(100) }).map(
      ({ statement, missing }): DryRunResult => ({
        ok: false,
        status: 'unavailable',
        missing,
        stage: 'pending',
        tag: '0007_x',
        file: 'backend/drizzle/0007_x.sql',
        line: 1,
        statement,
        error: 'extension is not available',
        ms: 4,
      }),
    ),
  );

  const setArb: fc.Arbitrary<ReviewedSet> = fc
    .record({
      migrations: fc.oneof(fc.array(migrationArb, { maxLength: 60 }), fc.array(migrationArb, { minLength: 60, maxLength: 60 })),
      pendingKnown: fc.boolean(),
      unknownReason: hostile(3000),
      drift: fc.array(
        fc.record({
          kind: fc.constantFrom<Drift['kind']>('edited-after-apply', 'unknown-applied', 'skipped-forever', 'missing-file'),
          message: hostile(300),
        }),
        { maxLength: 90 },
      ),
      dryRun: dryRunArb,
    })
    .map(({ migrations, pendingKnown, unknownReason, drift, dryRun }) => {
      const sources: MigrationSource[] = migrations.map((m, i) => {
        const tag = `${String(i).padStart(4, '0')}_${m.name}`;
        return {
          tag,
          file: `backend/drizzle/${tag}.sql`,
          sql: m.statements.map((s) => s.sql).join('\n--> statement-breakpoint\n'),
          hash: 'f'.repeat(64),
        };
      });
      const review: Review = { migrations: [], statements: [], summary: emptyCounts() };
      migrations.forEach((m, i) => {
        const source = sources[i] as MigrationSource;
        const counts = emptyCounts();
        m.statements.forEach((s, index) => {
          for (const f of s.findings) {
            counts[f.category]++;
            review.summary[f.category]++;
          }
          review.statements.push({
            file: source.file,
            migration: source.tag,
            index,
            line: 1 + index * 2,
            sql: s.sql,
            findings: s.findings,
            locks: [],
          });
        });
        review.migrations.push({ tag: source.tag, file: source.file, hash: source.hash, statements: m.statements.length, counts });
      });
      return {
        migrations: sources,
        review,
        digest: digestReview(review),
        migrationSetSha256: 'a'.repeat(64),
        pendingKnown,
        unknownReason: pendingKnown ? undefined : unknownReason,
        appliedCount: pendingKnown ? 90 : 0,
        drift,
        dryRun,
      };
    });
  const buildArb = fc.record({
    id: fc.oneof(hostile(80), fc.constant(`daadaar-migrations:${'9'.repeat(2000)}`)).map((id) => `daadaar-migrations:${id}`),
    status: fc.constantFrom('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT', 'WEIRD_<&>'),
    phases: fc.array(fc.record({ type: hostile(60), status: fc.option(hostile(20), { nil: undefined }) }), { maxLength: 90 }),
    approvers: fc.array(fc.constantFrom('U0APPROVER1', 'U0APPROVER2', 'W0<!here>'), { maxLength: 30 }),
  });

  return { hostile, huge, setArb, buildArb };
}

const config = testConfig();
const envConfig = config.environments.prod as NonNullable<typeof config.environments.prod>;
const key = signingKey('test-signing-secret');

function requestFor(set: ReviewedSet, kind: 'migrate' | 'seed', reason = 'ship it', env = 'prod'): RequestRecord {
  const at = Date.UTC(2026, 10, 24, 9);
  return {
    id: 'req_01JDAADAAR7Q2W3E4R5T6Y',
    kind,
    env,
    requestedBy: 'U0REQUESTER',
    reason,
    channel: 'C0DEPLOYS01',
    messageTs: '1764000000.000100',
    planSha256: 'b'.repeat(64),
    plan: '{}',
    pending: set.migrations.map((m) => m.tag),
    pendingKnown: set.pendingKnown,
    clean: kind === 'seed',
    confirmed: true,
    approvalsRequired: 2,
    approvals: [{ user: 'U0APPROVER1', at }],
    state: 'open',
    thread: {},
    createdAt: at,
    expiresAt: Date.UTC(2026, 10, 24, 9, 30),
    updatedAt: at,
    version: 2,
    events: [],
  };
}

/** Every mrkdwn text object in a payload closes the fences it opens. */
function expectFencesClosed(payload: unknown): void {
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') expect((o.text.split('```').length - 1) % 2, o.text.slice(0, 200)).toBe(0);
    for (const child of Object.values(o)) walk(child);
  };
  walk(payload);
}

function expectAccepted(check: { violations: unknown[] }): void {
  expect(check.violations).toEqual([]);
}

// Few runs with huge inputs, and no shrinking: a shrink step re-runs a 200 KB case.
const RUNS = { numRuns: 12, endOnFailure: true };

describe.each([
  ['without backticks', false],
  ['with backticks and fences in every name', true],
])('builders against Slack limits, with huge and hostile input (%s)', (_title, ticks) => {
  const { hostile, huge, setArb, buildArb } = arbitraries(ticks);
  const fencesClosed = (payload: unknown) => {
    if (!ticks) expectFencesClosed(payload);
  };

  it('reviewMessage and its status blocks', () => {
    fc.assert(
      fc.property(setArb, fc.constantFrom<'migrate' | 'seed'>('migrate', 'seed'), hostile(600), (set, kind, reason) => {
        const record = requestFor(set, kind, reason);
        const body = reviewBody({ record, envConfig, set, image: { problem: reason } });
        const now = record.createdAt;
        const message = requestMessage(record, body, envConfig, key, now);
        expectAccepted(checkMessage(message));
        fencesClosed(message.blocks);
        const rejected = {
          ...record,
          state: 'rejected' as const,
          rejectedBecause: reason,
          events: [{ at: now, by: 'U0APPROVER1', what: 'rejected' }],
        };
        expectAccepted(checkMessage(requestMessage(rejected, body, envConfig, key, now)));
      }),
      RUNS,
    );
  });

  it('fullSqlFile: every pending migration, whole, in one file', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const file = fullSqlFile(set, requestFor(set, 'migrate'));
        for (const m of set.migrations) expect(file.content).toContain(m.sql.trimEnd());
        expect(file.filename).toMatch(/^prod-pending-[0-9a-f]{12}\.sql$/);
      }),
      RUNS,
    );
  });

  it('requestModal, loadingModal and errorModal, private_metadata included', () => {
    fc.assert(
      fc.property(
        setArb,
        fc.constantFrom<'migrate' | 'seed'>('migrate', 'seed'),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/),
        hostile(5000),
        (set, kind, env, message) => {
          const state = {
            kind,
            env,
            channel: 'C0DEPLOYS01',
            migrationSetSha256: set.migrationSetSha256,
            pendingKey: pendingKey(set),
            confirmBecause: confirmationReasons(kind, set),
            planSha256: 'b'.repeat(64),
            imageProblem: message,
            unpinned: set.pendingKnown ? undefined : message,
          };
          const modal = requestModal(state, envConfig, set);
          expectAccepted(checkView(modal));
          fencesClosed(modal.blocks);
          expectAccepted(checkView(loadingModal(kind, env)));
          expectAccepted(checkView(errorModal(kind, env, message)));
          fencesClosed(errorModal(kind, env, message).blocks);
        },
      ),
      RUNS,
    );
  });

  it('rejectModal names the request within private_metadata', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        expectAccepted(checkView(rejectModal({ requestId: requestFor(set, 'migrate').id, channel: 'C0DEPLOYS01' })));
      }),
      { numRuns: 3, endOnFailure: true },
    );
  });

  it('statusMessage and resultReply', () => {
    fc.assert(
      fc.property(
        buildArb,
        fc.oneof(
          fc.array(hostile(2000), { maxLength: 90 }).map((lines) => ({ ok: true as const, lines })),
          fc.constant({ ok: true as const, lines: [huge, 'error: the last line'] as string[] }),
          hostile(5000).map((reason) => ({ ok: false as const, reason })),
        ),
        (b, tail) => {
          const start = new Date(Date.UTC(2026, 10, 24, 9));
          const build = {
            id: b.id,
            project: 'daadaar-migrations',
            status: b.status,
            currentPhase: b.phases.at(-1)?.type,
            startTime: start,
            env: { RUN_MIGRATIONS: 'true', REQUESTED_BY: 'U0REQUESTER', APPROVED_BY: b.approvers.join(',') },
            logs: {
              deepLink: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/daadaar-migrations',
            },
            phases: b.phases.map((p, i) => ({
              type: p.type,
              status: p.status,
              startTime: new Date(start.getTime() + i * 1000),
              durationSeconds: 1,
            })),
          };
          const status = statusMessage(build, 'us-east-1', start.getTime() + 60_000);
          expectAccepted(checkMessage(status));
          fencesClosed(status.blocks);
          const result = resultReply(build, 'us-east-1');
          expectAccepted(checkMessage(result));
          fencesClosed(result.blocks);
          const tailMessage = tailReply(build, tail);
          expectAccepted(checkMessage(tailMessage));
          fencesClosed(tailMessage.blocks);
        },
      ),
      RUNS,
    );
  });
});

describe('the two payloads issue 10 found Slack would refuse', () => {
  it('the seed modal: its CLEAN=true option description fits 75 characters', () => {
    const set = fc.sample(arbitraries(false).setArb, { numRuns: 1, seed: 1 })[0] as ReviewedSet;
    const state = {
      kind: 'seed' as const,
      env: 'staging',
      channel: 'C0DEPLOYS01',
      migrationSetSha256: set.migrationSetSha256,
      pendingKey: pendingKey(set),
      confirmBecause: [],
      planSha256: 'b'.repeat(64),
      imageDigest: `sha256:${'0'.repeat(64)}`,
    };
    expectAccepted(checkView(requestModal(state, envConfig, set)));
  });

  it('private_metadata stays under 3,000 characters with the pending set unknown and a 90-entry history', () => {
    const migrations = Array.from({ length: 90 }, (_, i) => {
      const tag = `${String(i).padStart(4, '0')}_add_shareable_uuid_to_organization_hierarchy_and_roles`;
      return { tag, file: `backend/drizzle/${tag}.sql`, sql: 'SELECT 1;', hash: 'f'.repeat(64) };
    });
    const review: Review = { migrations: [], statements: [], summary: emptyCounts() };
    const set: ReviewedSet = {
      migrations,
      review,
      digest: digestReview(review),
      migrationSetSha256: 'a'.repeat(64),
      pendingKnown: false,
      unknownReason: 'connect ETIMEDOUT 10.0.3.17:5432',
      appliedCount: 0,
      drift: [],
    };
    expect(migrations.map((m) => m.tag).join(',').length).toBeGreaterThan(3000);
    const state = {
      kind: 'migrate' as const,
      env: 'prod',
      channel: 'C0DEPLOYS01',
      migrationSetSha256: set.migrationSetSha256,
      pendingKey: pendingKey(set),
      confirmBecause: confirmationReasons('migrate', set),
      planSha256: '',
      unpinned: `the target's applied history could not be read (${set.unknownReason})`,
    };
    const modal = requestModal(state, envConfig, set);
    expectAccepted(checkView(modal));
    expect(JSON.parse(modal.private_metadata ?? '{}').pendingKey).toBe(pendingKey(set));
  });
});

describe('the status reply against Slack limits', () => {
  const bot = new BotHarness();
  beforeAll(async () => {
    await bot.start();
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('fits even when the newest build logged 200 KB of hostile text and many requests are open', async () => {
    await bot.request();
    const build = bot.aws.addRunningBuild('daadaar-migrations', {
      RUN_MIGRATIONS: 'true',
      REQUESTED_BY: 'U0REQUESTER',
      APPROVED_BY: 'U0APPROVER1',
    });
    // The thread shows the runner's reports (hostile text in them too) and counts the rest.
    const report = (text: string) => formatRunnerLine({ source: 'migrate', level: 'error', text });
    bot.aws.logStreams.set(`${build.logs.groupName}\t${build.logs.streamName}`, [
      ...Array.from({ length: 30 }, (_, i) => report(`${i} &<>\`\`\` <!channel> ${'&'.repeat(500)}`)),
      HUGE_TICKS,
      report(HUGE_TICKS),
      report('error: the last line'),
    ]);
    await bot.command('status');
    // The answer goes back through the slash command's response_url.
    const reply = bot.slack.responses.at(-1)?.body as { text: string; blocks: unknown[] };
    expectAccepted(checkMessage(reply));
    expectFencesClosed(reply.blocks);
    expect(JSON.stringify(reply)).toContain('error: the last line');
  });
});
