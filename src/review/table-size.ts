import type { Finding, Review, SizeGrade, TableSize } from './model.ts';

// How big the tables a pending run locks are, and what that means for the approver. Postgres
// keeps an estimate of each relation's rows in pg_class.reltuples (-1 until the table is first
// vacuumed or analyzed, https://www.postgresql.org/docs/current/catalog-pg-class.html) and its
// size on disk, indexes and TOAST included, in pg_total_relation_size(). A lock held while a
// large table is scanned or rewritten is what turns a migration into an outage.

/** One relation's figures, as read from the target or given in a stats file. */
export interface TableStats {
  /** `schema.name`. */
  relation: string;
  rows: number;
  bytes: number;
}

export interface SizeThresholds {
  mediumRows: number;
  largeRows: number;
  mediumBytes: number;
  largeBytes: number;
}

export const DEFAULT_SIZE_THRESHOLDS: SizeThresholds = {
  mediumRows: 100_000,
  largeRows: 1_000_000,
  mediumBytes: 100 * 1024 * 1024,
  largeBytes: 1024 * 1024 * 1024,
};

export function gradeSize(stats: Pick<TableStats, 'rows' | 'bytes'>, t: SizeThresholds = DEFAULT_SIZE_THRESHOLDS): SizeGrade {
  if (stats.rows >= t.largeRows || stats.bytes >= t.largeBytes) return 'large';
  if (stats.rows >= t.mediumRows || stats.bytes >= t.mediumBytes) return 'medium';
  return stats.rows < 0 && stats.bytes === 0 ? 'unknown' : 'small';
}

/** A copy of the review whose findings carry the size of the relation their lock is on. */
export function withTableSizes(review: Review, tables: readonly TableStats[] | undefined, thresholds?: Partial<SizeThresholds>): Review {
  if (!tables?.length) return review;
  const t = { ...DEFAULT_SIZE_THRESHOLDS, ...thresholds };
  const byName = new Map(tables.map((s) => [s.relation, s]));
  const sized = (f: Finding): Finding => {
    const stats = f.lock && byName.get(f.lock.relation);
    return stats ? { ...f, size: { ...stats, grade: gradeSize(stats, t) } satisfies TableSize } : f;
  };
  const locked = new Set(review.statements.flatMap((s) => (s.locks ?? []).map((l) => l.relation)));
  const sizes = tables.filter((s) => locked.has(s.relation)).map((s) => ({ ...s, grade: gradeSize(s, t) }));
  return { ...review, statements: review.statements.map((s) => ({ ...s, findings: s.findings.map(sized) })), tables: sizes };
}

/** `~1.2M rows, 850 MB (large)`. */
export function describeSize(size: Pick<TableSize, 'rows' | 'bytes' | 'grade'>): string {
  const rows = size.rows < 0 ? 'rows unknown (never analyzed)' : `~${compact(size.rows)} rows`;
  return `${rows}, ${bytes(size.bytes)} (${size.grade})`;
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function bytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export type StatsFileResult = { ok: true; tables: TableStats[] } | { ok: false; reason: string };

/**
 * The offline form of the same figures: `{ "tables": [{ "relation": "public.users", "rows":
 * 1200000, "bytes": 891289600 }] }`, or an object keyed by relation name.
 */
export function parseStatsFile(text: string): StatsFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const raw = (json as { tables?: unknown }).tables ?? json;
  const entries: [string | undefined, unknown][] = Array.isArray(raw)
    ? raw.map((t) => [(t as { relation?: string }).relation, t])
    : Object.entries((raw ?? {}) as Record<string, unknown>);
  const tables: TableStats[] = [];
  for (const [name, value] of entries) {
    const v = value as { rows?: unknown; bytes?: unknown };
    if (typeof name !== 'string' || typeof v?.rows !== 'number' || typeof v.bytes !== 'number')
      return { ok: false, reason: `each table needs a relation name and numeric rows and bytes (${JSON.stringify(value)})` };
    tables.push({ relation: name.includes('.') ? name : `public.${name}`, rows: v.rows, bytes: v.bytes });
  }
  return { ok: true, tables };
}
