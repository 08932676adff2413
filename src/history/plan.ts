import { createHash } from 'node:crypto';
import type { MigrationSource } from '../review/model.ts';
import { collapseTimeouts, type PinnedStatementTimeouts, type PinnedTimeouts } from './pinned-timeouts.ts';
import type { AppliedRow } from './target-plan.ts';

// The plan: what approvers approve and what the build must find before it runs anything.
// A migrate plan pins the target's applied history as the review read it, the pending
// migrations in the order drizzle will run them, and the image; a seed plan pins the seed's
// files, CLEAN and the image. The bot computes it at review time, the verifier recomputes it
// inside the image against the target, and the two must be equal (comparePlans).
//
// It travels to the build as one CodeBuild environment variable (DEPLOYBOT_PLAN). CodeBuild
// documents that builds can fail once all environment variables' names and values together
// reach "around 5,500 characters" (CodeBuild user guide, troubleshooting: "Environment
// variables are too large"), and StartBuild has refused a single variable over 4,096
// characters (InvalidInputException "EnvironmentVariable should be at most 4096 characters").
// So the applied history is summarized (count, sha256 of the ordered rows, the last row), and
// a pending list too long for PLAN_MAX_CHARS is summarized the same way.

/** Leaves room under CodeBuild's ~5,500-character total for the request's other variables. */
export const PLAN_MAX_CHARS = 2500;
const PLAN_VERSION = 1;

export interface AppliedHistory {
  /** Rows in drizzle.__drizzle_migrations. */
  count: number;
  /** sha256 of the rows in (created_at, id) order, one `id \t created_at \t hash` line each. */
  sha256: string;
  /** The newest row: the one drizzle's migrator compares journal entries against. */
  last: AppliedRow | null;
}

export interface PlannedMigration {
  tag: string;
  /** Journal `when`: drizzle runs an entry only if it is newer than the last applied row. */
  when: number;
  sha256: string;
}

export interface PendingSet {
  count: number;
  /** sha256 over the ordered `tag \t when \t sha256` lines. */
  sha256: string;
  /** The migrations themselves; absent when listing them would not fit PLAN_MAX_CHARS. */
  migrations?: PlannedMigration[];
}

/** `sha256:<64 hex>`, or null when no digest could be resolved and the approvers accepted that. */
export type ImageDigest = string | null;

export interface MigratePlan {
  kind: 'migrate';
  image: ImageDigest;
  applied: AppliedHistory;
  pending: PendingSet;
  /**
   * The timeouts each statement runs with (src/history/pinned-timeouts.ts). Not recomputed by
   * the verifier (they depend on table sizes read at review time): given, and covered by the
   * sha256. Absent in a plan made without them: the runner's settings apply.
   */
  timeouts?: PinnedTimeouts;
}

export interface SeedPlan {
  kind: 'seed';
  image: ImageDigest;
  /** sha256 of the seed's files (src/history/seed-files.ts). */
  seedSha256: string;
  clean: boolean;
}

export type Plan = MigratePlan | SeedPlan;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function summarizeAppliedHistory(rows: readonly AppliedRow[]): AppliedHistory {
  const ordered = [...rows].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const last = ordered.at(-1);
  return {
    count: ordered.length,
    sha256: sha256(ordered.map((r) => `${r.id}\t${r.createdAt}\t${r.hash}\n`).join('')),
    last: last ? { id: last.id, createdAt: last.createdAt, hash: last.hash } : null,
  };
}

export function pendingSet(migrations: readonly Pick<MigrationSource, 'tag' | 'when' | 'hash'>[]): PendingSet {
  const planned = migrations.map((m) => ({ tag: m.tag, when: m.when ?? 0, sha256: m.hash }));
  return {
    count: planned.length,
    sha256: sha256(planned.map((m) => `${m.tag}\t${m.when}\t${m.sha256}\n`).join('')),
    migrations: planned,
  };
}

/**
 * The migrate plan from what the review computes: the rows read from __drizzle_migrations
 * and the pending migrations planAgainstDatabase returns. The verifier calls it the same way.
 */
export function buildMigratePlan(input: {
  appliedRows: readonly AppliedRow[];
  pending: readonly Pick<MigrationSource, 'tag' | 'when' | 'hash'>[];
  image: ImageDigest;
  timeouts?: PinnedTimeouts;
}): MigratePlan {
  const plan: MigratePlan = {
    kind: 'migrate',
    image: input.image,
    applied: summarizeAppliedHistory(input.appliedRows),
    pending: pendingSet(input.pending),
  };
  if (!input.timeouts) return plan;
  // One pair per statement when it fits beside the summarized pending set; else one for the run.
  const pinned = { ...plan, timeouts: input.timeouts };
  const summarized = { ...pinned, pending: { count: plan.pending.count, sha256: plan.pending.sha256 } };
  return encodePlan(summarized).length <= PLAN_MAX_CHARS ? pinned : { ...plan, timeouts: collapseTimeouts(input.timeouts) };
}

export function buildSeedPlan(input: { seedSha256: string; clean: boolean; image: ImageDigest }): SeedPlan {
  return { kind: 'seed', image: input.image, seedSha256: input.seedSha256, clean: input.clean };
}

/**
 * The canonical text of a plan: compact JSON with a fixed key order, so the same plan always
 * encodes to the same bytes and `sha256sum` of DEPLOYBOT_PLAN is the plan hash.
 */
export function encodePlan(plan: Plan): string {
  if (plan.kind === 'seed') {
    return JSON.stringify({ v: PLAN_VERSION, kind: 'seed', image: plan.image, seed: plan.seedSha256, clean: plan.clean });
  }
  const applied = {
    count: plan.applied.count,
    sha256: plan.applied.sha256,
    last: plan.applied.last ? [plan.applied.last.id, plan.applied.last.createdAt, plan.applied.last.hash] : null,
  };
  const encode = (migrations?: PlannedMigration[]) =>
    JSON.stringify({
      v: PLAN_VERSION,
      kind: 'migrate',
      image: plan.image,
      applied,
      pending: {
        count: plan.pending.count,
        sha256: plan.pending.sha256,
        ...(migrations ? { migrations: migrations.map((m) => [m.tag, m.when, m.sha256]) } : {}),
      },
      ...(plan.timeouts ? { timeouts: encodeTimeouts(plan.timeouts) } : {}),
    });
  const full = encode(plan.pending.migrations);
  return full.length <= PLAN_MAX_CHARS ? full : encode(undefined);
}

/** What approvers approve: the sha256 of the plan's canonical encoding. */
export function planSha256(plan: Plan): string {
  return sha256(encodePlan(plan));
}

export type DecodedPlan = { ok: true; plan: Plan } | { ok: false; reason: string };

export function decodePlan(text: string): DecodedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the plan is not JSON' };
  }
  const plan = toPlan(raw);
  if (!plan) return { ok: false, reason: 'the plan does not have the shape of a deploybot plan (version 1)' };
  // Only the canonical text has a well-defined hash; anything else was edited or built by hand.
  if (encodePlan(plan) !== text) return { ok: false, reason: 'the plan is not in its canonical encoding' };
  return { ok: true, plan };
}

const HEX64 = /^[0-9a-f]{64}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function toPlan(raw: unknown): Plan | undefined {
  if (!isRecord(raw) || raw.v !== PLAN_VERSION) return undefined;
  const image = raw.image === null ? null : typeof raw.image === 'string' && DIGEST.test(raw.image) ? raw.image : undefined;
  if (image === undefined) return undefined;
  if (raw.kind === 'seed') {
    if (typeof raw.seed !== 'string' || !HEX64.test(raw.seed) || typeof raw.clean !== 'boolean') return undefined;
    return buildSeedPlan({ seedSha256: raw.seed, clean: raw.clean, image });
  }
  if (raw.kind !== 'migrate' || !isRecord(raw.applied) || !isRecord(raw.pending)) return undefined;
  const { applied, pending } = raw;
  if (!isCount(applied.count) || !isHash(applied.sha256) || !isCount(pending.count) || !isHash(pending.sha256)) return undefined;
  let last: AppliedRow | null = null;
  if (applied.last !== null) {
    const row = applied.last;
    if (!Array.isArray(row) || row.length !== 3 || !isCount(row[0]) || !isCount(row[1]) || typeof row[2] !== 'string') return undefined;
    last = { id: row[0], createdAt: row[1], hash: row[2] };
  }
  let migrations: PlannedMigration[] | undefined;
  if (pending.migrations !== undefined) {
    if (!Array.isArray(pending.migrations)) return undefined;
    migrations = [];
    for (const m of pending.migrations) {
      if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || !isCount(m[1]) || !isHash(m[2])) return undefined;
      migrations.push({ tag: m[0], when: m[1], sha256: m[2] });
    }
  }
  let timeouts: PinnedTimeouts | undefined;
  if (raw.timeouts !== undefined) {
    timeouts = decodeTimeouts(raw.timeouts);
    if (!timeouts) return undefined;
  }
  return {
    kind: 'migrate',
    image,
    applied: { count: applied.count, sha256: applied.sha256, last },
    pending: { count: pending.count, sha256: pending.sha256, ...(migrations ? { migrations } : {}) },
    ...(timeouts ? { timeouts } : {}),
  };
}

// `{"g":giveUp,"d":[lock,statement],"s":[[migration,index,lock,statement],…]}`: milliseconds, 0 for none.
function encodeTimeouts(t: PinnedTimeouts) {
  return {
    g: t.giveUpAfterMs,
    d: [t.default.lockTimeoutMs, t.default.statementTimeoutMs],
    s: t.statements.map((s) => [s.migration, s.index, s.lockTimeoutMs, s.statementTimeoutMs]),
  };
}

function decodeTimeouts(raw: unknown): PinnedTimeouts | undefined {
  const counts = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every(isCount);
  if (!isRecord(raw) || !isCount(raw.g) || !counts(raw.d, 2) || !Array.isArray(raw.s)) return undefined;
  const statements: PinnedStatementTimeouts[] = [];
  for (const s of raw.s) {
    if (!counts(s, 4)) return undefined;
    const [migration = 0, index = 0, lockTimeoutMs = 0, statementTimeoutMs = 0] = s;
    statements.push({ migration, index, lockTimeoutMs, statementTimeoutMs });
  }
  const [lockTimeoutMs = 0, statementTimeoutMs = 0] = raw.d;
  return { giveUpAfterMs: raw.g, default: { lockTimeoutMs, statementTimeoutMs }, statements };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
function isHash(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

export { comparePlans, type PlanDifference, type PlanPart } from './compare.ts';
