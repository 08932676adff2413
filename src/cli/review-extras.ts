import { readFile } from 'node:fs/promises';
import { formatLockTimeline, type TextStyle } from '../render/review-text.ts';
import { lockTimeline } from '../review/lock-timeline.ts';
import type { Review } from '../review/model.ts';
import { parseStatsFile, type TableStats } from '../review/table-size.ts';

// The review command's options for lock and size reporting, kept apart from the command's
// argument handling so the two can change independently.

export const EXTRA_OPTIONS = { 'stats-file': { type: 'string' } } as const;

export const EXTRA_USAGE = `  --stats-file FILE   table sizes offline, to grade locking findings when the target is not read:
                      {"tables": [{"relation": "public.users", "rows": 1200000, "bytes": 891289600}]}`;

export type StatsOption = { ok: true; tables?: TableStats[] } | { ok: false; reason: string };

export async function readStatsOption(path: string | undefined): Promise<StatsOption> {
  if (path === undefined) return { ok: true };
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => error);
  if (text instanceof Error) return { ok: false, reason: `--stats-file ${path}: ${text.code ?? text.message}` };
  const parsed = parseStatsFile(text);
  return parsed.ok ? parsed : { ok: false, reason: `--stats-file ${path}: ${parsed.reason}` };
}

/** The lock timeline means something only for one run: a target's pending set or --as-one-run. */
export function timelineText(review: Review, oneRun: boolean, style: TextStyle): string {
  return oneRun ? formatLockTimeline(review, style) : '';
}

export function timelineJson(review: Review, oneRun: boolean) {
  return oneRun ? lockTimeline(review) : undefined;
}
