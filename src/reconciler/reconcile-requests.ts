import { announceBreakGlass, refreshAnnouncement, remindBreakGlass } from '../bot/break-glass.ts';
import { resumeRequestBuild } from '../bot/start-build.ts';
import { BUDGET, withDeadline } from '../deadline.ts';
import { METADATA_EVENT } from '../request-message/frame.ts';
import { slackError, updateRequestMessage } from '../request-message/update.ts';
import { adoptedMessage, buildLost, checked, type Decision, expire, settled, withdrawUnrecorded } from '../requests/decisions.ts';
import { nextStep, type ReconcileStep } from '../requests/reconcile.ts';
import { isFinal, type RequestRecord } from '../requests/record.ts';
import { transition } from '../requests/transition.ts';
import { type ReportDeps, reportBuild } from '../status/build-reporter.ts';
import { postOnce } from '../status/post-once.ts';

// The reconciler: level-triggered, as a Kubernetes controller is. Handlers do their part once
// and may die half way (a Lambda timeout, a SIGKILL, a lost DynamoDB answer, a lost build
// event); this reads each unsettled request's record, decides the next step from it alone
// (src/requests/reconcile.ts) and does it, idempotently, until nothing is left. It runs on a
// schedule (EventBridge every minute; `npm run dev` every DEPLOYBOT_RECONCILE_SECONDS) and, for
// its own request, at the end of every job and build event. Work per run is bounded; what does
// not fit waits for the next run, oldest first (the due index orders it).

export interface ReconcilerDeps extends ReportDeps {
  /** DEPLOYBOT_RECONCILE_SECONDS, in ms: every staleness threshold and lease is about two of these. */
  intervalMs: number;
}

export const DEFAULT_RECONCILE_SECONDS = 60;

/** DEPLOYBOT_RECONCILE_SECONDS, or the default; a value that is not a positive number is refused. */
export function reconcileIntervalMs(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_RECONCILE_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`DEPLOYBOT_RECONCILE_SECONDS must be a positive number of seconds, not ${value}`);
  return seconds * 1000;
}

/** Two intervals: a step younger than that may still be in a handler's hands. */
export function staleMsOf(deps: Pick<ReconcilerDeps, 'intervalMs'>): number {
  return 2 * deps.intervalMs;
}

export interface ReconcileRun {
  looked: number;
  settled: number;
  failed: number;
  locksFreed: number;
  /** Due requests left for the next run (the budget was spent). */
  more: boolean;
}

/** One run: the due requests, at most `budget` of them, then every configured environment's lock. */
export async function reconcileRequests(deps: ReconcilerDeps, budget = 25): Promise<ReconcileRun> {
  const stale = staleMsOf(deps);
  const due = await withDeadline(deps.store.due(deps.now() - stale, budget + 1), BUDGET.dynamo, 'The request store');
  const run: ReconcileRun = { looked: 0, settled: 0, failed: 0, locksFreed: 0, more: due.length > budget };
  for (const record of due.slice(0, budget)) {
    run.looked++;
    const outcome = await reconcileRequest(deps, record.id);
    if (outcome === 'settled') run.settled++;
    if (outcome === 'failed') run.failed++;
  }
  for (const env of Object.keys(deps.config.environments)) {
    if (await freeOrphanedLock(deps, env).catch((error: unknown) => void deps.log.warn('lock not checked', { env, error })))
      run.locksFreed++;
  }
  if (run.looked > 0 || run.locksFreed > 0) deps.log.info('reconciled', { ...run });
  return run;
}

/**
 * Moves one request as far towards the truth as it can go now. Safe to call at any time, by
 * anyone, any number of times: every step reads the record first and writes with a condition.
 */
export async function reconcileRequest(deps: ReconcilerDeps, id: string): Promise<'settled' | 'waiting' | 'failed' | 'missing'> {
  const done = new Set<ReconcileStep['kind']>();
  let lockFreed = false;
  for (let round = 0; round < 10; round++) {
    const record = await deps.store.get(id);
    if (!record) return 'missing';
    const step = nextStep(record, { now: deps.now(), staleMs: staleMsOf(deps), holdsLock: lockFreed ? false : undefined });
    if (step.kind === 'wait') return 'waiting';
    if (done.has(step.kind)) {
      // The step made no progress (Slack or AWS refused): look again after the lease.
      await transition(deps.store, id, (r) => ({ ok: true, next: checked(r, deps.now()) })).catch(() => undefined);
      return 'waiting';
    }
    done.add(step.kind);
    try {
      if (step.kind === 'settle') {
        await transition(
          deps.store,
          id,
          (r): Decision => (r.settledAt ? { ok: false, reason: 'settled' } : { ok: true, next: settled(r, deps.now()) }),
        );
        return 'settled';
      }
      if (step.kind === 'release-lock') {
        await withDeadline(deps.store.releaseLock(record.env, record.id), BUDGET.dynamo, 'The request store');
        lockFreed = true;
        continue;
      }
      await act(deps, record, step);
    } catch (error) {
      deps.log.warn('reconcile step failed; the next run retries it', { requestId: id, step: step.kind, error: slackError(error) });
      await transition(deps.store, id, (r) => ({ ok: true, next: checked(r, deps.now()) })).catch(() => undefined);
      return 'failed';
    }
  }
  return 'waiting';
}

async function act(deps: ReconcilerDeps, record: RequestRecord, step: ReconcileStep): Promise<void> {
  const now = deps.now();
  const env = deps.config.environments[record.env];
  switch (step.kind) {
    case 'expire': {
      await transition(deps.store, record.id, (r) => expire(r, now));
      await deps.store.releaseLock(record.env, record.id);
      return;
    }
    case 'withdraw-unrecorded': {
      const ts = await findReviewMessage(deps, record).catch(() => undefined);
      const withdrawn = await transition(deps.store, record.id, (r) => withdrawUnrecorded(r, now, ts));
      if (withdrawn.ok) deps.log.warn('withdrew a request whose review was never recorded', { requestId: record.id, messageTs: ts });
      await deps.store.releaseLock(record.env, record.id);
      return;
    }
    case 'resume-start': {
      if (!(await lease(deps, record))) return;
      if (!env) return;
      await resumeRequestBuild(deps, record, env);
      return;
    }
    case 'poll-build': {
      if (!(await lease(deps, record)) || !record.build) return;
      if (!record.messageTs) await adoptReviewMessage(deps, record).catch(() => undefined);
      await pollBuild(deps, record);
      return;
    }
    case 'report-result': {
      if (record.state === 'lost' || !record.build) return tellLost(deps, record);
      const build = await withDeadline(deps.codeBuild.getBuild(record.build.id, record.build.region), BUDGET.codeBuild, 'CodeBuild');
      if (!build) return tellLost(deps, record);
      await reportBuild(build, record.build.region, deps);
      return;
    }
    case 'adopt-message':
      return adoptReviewMessage(deps, record);
    case 'announce-break-glass':
      return announceBreakGlass(deps, record);
    case 'remind-break-glass':
      return remindBreakGlass({ ...deps, staleMs: staleMsOf(deps) }, record);
    case 'refresh-announcement':
      if (!(await refreshAnnouncement(deps, record))) throw new Error('the break-glass announcement could not be updated');
      return;
    case 'render': {
      if (!(await updateRequestMessage(deps, record))) throw new Error('the review message could not be updated');
      return;
    }
    default:
      return;
  }
}

/** Only one reconciler acts on a stale step: the one whose conditional write marks it looked at. */
async function lease(deps: ReconcilerDeps, record: RequestRecord): Promise<boolean> {
  const taken = await transition(deps.store, record.id, (r): Decision => {
    if (r.version !== record.version) return { ok: false, reason: 'moved on' };
    return { ok: true, next: checked(r, deps.now()) };
  });
  return taken.ok;
}

/** A started build heard nothing from for a while: CodeBuild says how it stands, or that it is gone. */
async function pollBuild(deps: ReconcilerDeps, record: RequestRecord): Promise<void> {
  const ref = record.build;
  if (!ref) return;
  const build = await withDeadline(deps.codeBuild.getBuild(ref.id, ref.region), BUDGET.codeBuild, 'CodeBuild BatchGetBuilds');
  if (build) {
    await reportBuild(build, ref.region, deps);
    return;
  }
  const lost = await transition(deps.store, record.id, (r) => buildLost(r, deps.now()));
  if (lost.ok) deps.log.error('build no longer known to CodeBuild', { requestId: record.id, buildId: ref.id });
}

/** The result reply of a build CodeBuild no longer knows: said once, in the thread and the channel. */
async function tellLost(deps: ReconcilerDeps, record: RequestRecord): Promise<void> {
  const threadTs = record.messageTs;
  if (!threadTs) return;
  const id = record.build?.id ?? 'its build';
  await postOnce(record, 'result', deps, async () => {
    const posted = await withDeadline(
      deps.slack.chat.postMessage({
        channel: record.channel,
        thread_ts: threadTs,
        reply_broadcast: true,
        text: `:grey_question: Build ${id} of this ${record.kind} request on ${record.env} is no longer known to CodeBuild, so its outcome could not be read. Check the database (drizzle.__drizzle_migrations) before requesting again.`,
        unfurl_links: false,
      }),
      BUDGET.slack,
      'Slack chat.postMessage',
    );
    return posted.ts;
  });
}

/**
 * The review message of a request whose ts was never recorded, found by the request id in its
 * metadata among the channel's messages since the request was created.
 */
async function findReviewMessage(deps: ReconcilerDeps, record: RequestRecord): Promise<string | undefined> {
  const history = await withDeadline(
    deps.slack.conversations.history({
      channel: record.channel,
      oldest: String((record.createdAt - 60_000) / 1000),
      include_all_metadata: true,
      limit: 200,
    }),
    BUDGET.slack,
    'Slack conversations.history',
  );
  const found = (history.messages ?? []).find(
    (m) =>
      m.metadata?.event_type === METADATA_EVENT &&
      (m.metadata.event_payload as Record<string, unknown> | undefined)?.request_id === record.id,
  );
  return found?.ts;
}

/** A build ran from a review whose ts never reached the record: find the message, so the thread and the message can tell. */
async function adoptReviewMessage(deps: ReconcilerDeps, record: RequestRecord): Promise<void> {
  const ts = await findReviewMessage(deps, record);
  await transition(
    deps.store,
    record.id,
    (r): Decision => (r.messageTs ? { ok: false, reason: 'recorded' } : { ok: true, next: adoptedMessage(r, ts) }),
  );
}

/**
 * A lock whose holder is missing (its creation died after the lock was taken), final, or
 * expired holds the environment for nobody: it is freed. Locks are few (one per environment).
 */
async function freeOrphanedLock(deps: ReconcilerDeps, env: string): Promise<boolean> {
  const lock = await withDeadline(deps.store.readLock(env), BUDGET.dynamo, 'The request store');
  if (!lock) return false;
  const now = deps.now();
  const holder = await withDeadline(deps.store.get(lock.requestId), BUDGET.dynamo, 'The request store');
  const orphaned = holder
    ? isFinal(holder.state) || (holder.state === 'open' && now >= holder.expiresAt) || lock.expiresAt <= now
    : now - (lock.takenAt ?? 0) >= staleMsOf(deps);
  if (!orphaned) return false;
  await withDeadline(deps.store.releaseLock(env, lock.requestId), BUDGET.dynamo, 'The request store');
  deps.log.info('freed an orphaned lock', { env, requestId: lock.requestId, holder: holder?.state ?? 'missing' });
  return true;
}
