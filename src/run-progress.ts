// What the build says while it runs, as structured events inside runner reports
// (src/runner-report.ts): the contract between the programs in the image (the runner, its lock
// watchdog, the snapshot step, the schema check) and the status function that shows them in the
// thread. The build's log reaches the status function through a CloudWatch Logs subscription,
// so everything here is read back from untrusted text: the parser accepts exactly these shapes,
// bounded, or nothing. One module writes and reads the event.

/** A session that holds a lock the runner waits for, as pg_stat_activity shows it (query redacted, cut). */
export interface Blocker {
  pid: number;
  application: string;
  /** pg_stat_activity.state: active, idle in transaction, … */
  state: string;
  /** Age of the blocker's open transaction, when it has one. */
  transactionMs: number | null;
  /** The head of its current or last query, redacted by the writer. */
  query: string;
}

/** How a statement runs: inside the run's transaction, or as its own step between commits. */
export type StepMode = 'transaction' | 'own-step';

export type RunProgress =
  /** A statement starts. `step` counts from 1 over every statement of the run. */
  | { kind: 'step'; migration: string; step: number; steps: number; mode: StepMode; statement: string; elapsedMs: number }
  /** Still running the step: what Postgres says of it (pg_stat_progress_create_index / _cluster). */
  | {
      kind: 'heartbeat';
      migration: string;
      step: number;
      steps: number;
      statement: string;
      elapsedMs: number;
      lockWaitMs: number;
      phase?: string;
      blocksDone?: number;
      blocksTotal?: number;
      estimateMs?: number;
    }
  /** The step waits for a lock: who holds it, and how many sessions now queue behind the runner. */
  | { kind: 'blocked'; migration: string; statement: string; lockMode: string; waitedMs: number; queued: number; blockers: Blocker[] }
  /** The watchdog ended the attempt rather than keep the queue waiting. */
  | { kind: 'gave-up'; migration: string; statement: string; waitedMs: number; thresholdMs: number; attempt: number; blockers: Blocker[] }
  /** A database snapshot before the run. */
  | {
      kind: 'snapshot';
      state: 'creating' | 'available' | 'failed';
      snapshotId: string;
      elapsedMs: number;
      restoreCommand?: string;
      reason?: string;
    }
  /** After the run: the live schema against database/schema.ts. */
  | { kind: 'schema'; matches: boolean; differences: string[] };

export type RunProgressKind = RunProgress['kind'];

const LONGEST_STRING = 600;
const MOST_ITEMS = 20;

type Field = 'string' | 'number' | 'boolean' | 'blockers' | 'strings' | readonly string[];
type Shape = Record<string, { type: Field; optional?: boolean }>;

const req = (type: Field) => ({ type });
const opt = (type: Field) => ({ type, optional: true });

const SHAPES: Record<RunProgressKind, Shape> = {
  step: {
    migration: req('string'),
    step: req('number'),
    steps: req('number'),
    mode: req(['transaction', 'own-step']),
    statement: req('string'),
    elapsedMs: req('number'),
  },
  heartbeat: {
    migration: req('string'),
    step: req('number'),
    steps: req('number'),
    statement: req('string'),
    elapsedMs: req('number'),
    lockWaitMs: req('number'),
    phase: opt('string'),
    blocksDone: opt('number'),
    blocksTotal: opt('number'),
    estimateMs: opt('number'),
  },
  blocked: {
    migration: req('string'),
    statement: req('string'),
    lockMode: req('string'),
    waitedMs: req('number'),
    queued: req('number'),
    blockers: req('blockers'),
  },
  'gave-up': {
    migration: req('string'),
    statement: req('string'),
    waitedMs: req('number'),
    thresholdMs: req('number'),
    attempt: req('number'),
    blockers: req('blockers'),
  },
  snapshot: {
    state: req(['creating', 'available', 'failed']),
    snapshotId: req('string'),
    elapsedMs: req('number'),
    restoreCommand: opt('string'),
    reason: opt('string'),
  },
  schema: { matches: req('boolean'), differences: req('strings') },
};

/** The event as the writer puts it in the line: strings cut, lists bounded. */
export function boundedProgress(event: RunProgress): RunProgress {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (typeof value === 'string') out[key] = cut(value);
    else if (Array.isArray(value))
      out[key] = value
        .slice(0, MOST_ITEMS)
        .map((item) =>
          typeof item === 'string'
            ? cut(item)
            : { ...item, application: cut(item.application), state: cut(item.state), query: cut(item.query) },
        );
    else out[key] = value;
  }
  return out as unknown as RunProgress;
}

/** The event a parsed line holds, or undefined unless it is exactly one of the shapes above. */
export function readProgress(value: unknown): RunProgress | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string' || !Object.hasOwn(SHAPES, value.kind)) return undefined;
  const shape = SHAPES[value.kind as RunProgressKind];
  for (const key of Object.keys(value)) if (key !== 'kind' && !Object.hasOwn(shape, key)) return undefined;
  for (const [key, field] of Object.entries(shape)) {
    const v = value[key];
    if (v === undefined) {
      if (field.optional) continue;
      return undefined;
    }
    if (!fits(v, field.type)) return undefined;
  }
  return value as unknown as RunProgress;
}

function fits(value: unknown, type: Field): boolean {
  if (Array.isArray(type)) return typeof value === 'string' && type.includes(value);
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.length <= LONGEST_STRING;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.length <= MOST_ITEMS && value.every((s) => fits(s, 'string'));
    case 'blockers':
      return Array.isArray(value) && value.length <= MOST_ITEMS && value.every(isBlocker);
  }
  return false;
}

function isBlocker(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = ['pid', 'application', 'state', 'transactionMs', 'query'];
  if (!Object.keys(value).every((k) => keys.includes(k))) return false;
  return (
    fits(value.pid, 'number') &&
    fits(value.application, 'string') &&
    fits(value.state, 'string') &&
    (value.transactionMs === null || fits(value.transactionMs, 'number')) &&
    fits(value.query, 'string')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cut(text: string): string {
  return text.length > LONGEST_STRING ? `${text.slice(0, LONGEST_STRING - 1)}…` : text;
}
