import type { Extension } from '@electric-sql/pglite';

// PGlite 0.5 ships PostgreSQL's contrib extensions as separate bundles
// (node_modules/@electric-sql/pglite/dist/*.tar.gz, loaded by @electric-sql/pglite/contrib/*),
// and an instance can only CREATE EXTENSION what was handed to PGlite.create({ extensions }):
// anything else fails with 0A000 `extension "…" is not available`. So the SQL is scanned for the
// extensions it creates before the instance starts. Loading a bundle creates nothing, so a
// name the scan over-matches (in a comment, in a string) costs only the bundle's load time.

type Loader = () => Promise<Extension>;

// One import per module, spelled out: esbuild keeps these as they are (PGlite is external in
// scripts/build.mjs), and the zip ships the bundles beside them (scripts/package.mjs).
const CONTRIB: Record<string, Loader> = {
  amcheck: () => import('@electric-sql/pglite/contrib/amcheck').then((m) => m.amcheck),
  bloom: () => import('@electric-sql/pglite/contrib/bloom').then((m) => m.bloom),
  btree_gin: () => import('@electric-sql/pglite/contrib/btree_gin').then((m) => m.btree_gin),
  btree_gist: () => import('@electric-sql/pglite/contrib/btree_gist').then((m) => m.btree_gist),
  citext: () => import('@electric-sql/pglite/contrib/citext').then((m) => m.citext),
  cube: () => import('@electric-sql/pglite/contrib/cube').then((m) => m.cube),
  dict_int: () => import('@electric-sql/pglite/contrib/dict_int').then((m) => m.dict_int),
  dict_xsyn: () => import('@electric-sql/pglite/contrib/dict_xsyn').then((m) => m.dict_xsyn),
  earthdistance: () => import('@electric-sql/pglite/contrib/earthdistance').then((m) => m.earthdistance),
  file_fdw: () => import('@electric-sql/pglite/contrib/file_fdw').then((m) => m.file_fdw),
  fuzzystrmatch: () => import('@electric-sql/pglite/contrib/fuzzystrmatch').then((m) => m.fuzzystrmatch),
  hstore: () => import('@electric-sql/pglite/contrib/hstore').then((m) => m.hstore),
  intarray: () => import('@electric-sql/pglite/contrib/intarray').then((m) => m.intarray),
  isn: () => import('@electric-sql/pglite/contrib/isn').then((m) => m.isn),
  lo: () => import('@electric-sql/pglite/contrib/lo').then((m) => m.lo),
  ltree: () => import('@electric-sql/pglite/contrib/ltree').then((m) => m.ltree),
  pageinspect: () => import('@electric-sql/pglite/contrib/pageinspect').then((m) => m.pageinspect),
  pg_buffercache: () => import('@electric-sql/pglite/contrib/pg_buffercache').then((m) => m.pg_buffercache),
  pg_freespacemap: () => import('@electric-sql/pglite/contrib/pg_freespacemap').then((m) => m.pg_freespacemap),
  pg_stat_statements: () => import('@electric-sql/pglite/contrib/pg_stat_statements').then((m) => m.pg_stat_statements),
  pg_surgery: () => import('@electric-sql/pglite/contrib/pg_surgery').then((m) => m.pg_surgery),
  pg_trgm: () => import('@electric-sql/pglite/contrib/pg_trgm').then((m) => m.pg_trgm),
  pg_visibility: () => import('@electric-sql/pglite/contrib/pg_visibility').then((m) => m.pg_visibility),
  pg_walinspect: () => import('@electric-sql/pglite/contrib/pg_walinspect').then((m) => m.pg_walinspect),
  pgcrypto: () => import('@electric-sql/pglite/contrib/pgcrypto').then((m) => m.pgcrypto),
  seg: () => import('@electric-sql/pglite/contrib/seg').then((m) => m.seg),
  tablefunc: () => import('@electric-sql/pglite/contrib/tablefunc').then((m) => m.tablefunc),
  tcn: () => import('@electric-sql/pglite/contrib/tcn').then((m) => m.tcn),
  tsm_system_rows: () => import('@electric-sql/pglite/contrib/tsm_system_rows').then((m) => m.tsm_system_rows),
  tsm_system_time: () => import('@electric-sql/pglite/contrib/tsm_system_time').then((m) => m.tsm_system_time),
  unaccent: () => import('@electric-sql/pglite/contrib/unaccent').then((m) => m.unaccent),
  'uuid-ossp': () => import('@electric-sql/pglite/contrib/uuid_ossp').then((m) => m.uuid_ossp),
  // contrib/spi's four extensions share one bundle (dist/spi.tar.gz), loaded as moddatetime.
  moddatetime: () => import('@electric-sql/pglite/contrib/moddatetime').then((m) => m.moddatetime),
};
const SPI = new Set(['autoinc', 'insert_username', 'refint']);
// `CREATE EXTENSION earthdistance CASCADE` also creates cube (earthdistance.control requires it).
const REQUIRES: Record<string, string[]> = { earthdistance: ['cube'] };

// An identifier or a quoted one ("uuid-ossp"), after CREATE EXTENSION [IF NOT EXISTS].
const CREATE_EXTENSION = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))/gi;

/** The extension names the SQL creates, as PostgreSQL will look them up. */
export function createdExtensions(sqls: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const sql of sqls)
    for (const m of sql.matchAll(CREATE_EXTENSION)) names.add(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? '').toLowerCase());
  return [...names].sort();
}

/** The contrib modules PGlite needs for these names; names it does not ship are left out (the run says so). */
export function contribModules(names: readonly string[]): string[] {
  const modules = new Set<string>();
  for (const name of names) {
    const module = SPI.has(name) ? 'moddatetime' : name;
    if (!CONTRIB[module]) continue;
    modules.add(module);
    for (const required of REQUIRES[module] ?? []) modules.add(required);
  }
  return [...modules].sort();
}

export async function loadContrib(modules: readonly string[]): Promise<Record<string, Extension>> {
  const entries = await Promise.all(modules.flatMap((m) => (CONTRIB[m] ? [CONTRIB[m]().then((e) => [m, e] as const)] : [])));
  return Object.fromEntries(entries);
}

/**
 * `extension "vector" is not available` (0A000, PostgreSQL 15+) when the embedded server lacks
 * what the SQL needs: the SQL may be right, the embedded server cannot say. Returns what is missing.
 */
export function missingFromEmbedded(error: { code?: string; message?: string }): string | undefined {
  if (error.code !== '0A000' && error.code !== '58P01') return undefined;
  const m = /extension "([^"]+)" is not available|could not open extension control file ".*\/([^/"]+)\.control"/.exec(error.message ?? '');
  const name = m?.[1] ?? m?.[2];
  return name ? `extension "${name}"` : undefined;
}
