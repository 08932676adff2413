import { createHash } from 'node:crypto';
import type { PopulatedTables } from './populate.ts';

// What production provides that the migrations do not create, so the embedded run starts where
// the target does: the role's search_path (an enum created in schema `app` is used unqualified
// when the role's search_path includes it), SQL the platform ran before any migration
// (Supabase's `auth` schema and `auth.users`, roles, extensions created by hand), and which
// tables hold rows.

export interface DryRunContext {
  /** As `SHOW search_path` prints it (`"$user", public`), applied with set_config. */
  searchPath?: string;
  /** Run before the history; its failures are the setup's, not the migrations'. */
  setup?: { file: string; sql: string };
  /** Tables that hold rows on the target (stats rows > 0): each gets a synthetic row. */
  populated?: PopulatedTables;
}

/** Part of a dry run's lookup key: results computed in another context do not answer this one. */
export function contextKey(context: DryRunContext = {}): string {
  const { searchPath, setup, populated } = context;
  if (!searchPath && !setup && (!populated || populated.length === 0)) return '';
  return createHash('sha256')
    .update(
      JSON.stringify({
        searchPath: searchPath ?? null,
        setup: setup ? createHash('sha256').update(setup.sql).digest('hex') : null,
        populated: populated === 'all' ? 'all' : [...(populated ?? [])].sort(),
      }),
    )
    .digest('hex');
}

/** The relations the stats say hold rows: reltuples > 0 (-1, never analyzed, is not evidence of rows). */
export function populatedFromStats(tables: readonly { relation: string; rows: number }[] | undefined): string[] {
  return (tables ?? []).filter((t) => t.rows > 0).map((t) => t.relation);
}
