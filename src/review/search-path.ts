import type { Node, RangeVar } from 'libpg-query';
import { kindOf, nodeOf, tableKey } from './ast.ts';

// Which table an unqualified name means. The review keys tables as `schema.name` and reads an
// unqualified name as `public.name`: true on drizzle's connection, whose search_path is
// PostgreSQL's default `"$user", public` with no schema named after the role. A migration can
// change that: `SET search_path`, `set_config('search_path', …)` (also inside a DO block or a
// function it calls later), `SET ROLE` / `SET SESSION AUTHORIZATION` (a new `$user`), or a
// schema created or renamed to the role's name. After any of these an unqualified name could
// mean another schema's table, so it is never taken to be one the run created. A temporary
// table lives in its own schema (pg_temp), which PostgreSQL searches first for relations
// (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-SEARCH-PATH).

const PATH_SETTINGS = new Set(['search_path', 'role', 'session_authorization']);
/** Names whose mention anywhere in a statement (a call, a literal, a DO or function body) may change the path. */
const PATH_MENTION = /search_path|set_config|session[\s_]+authorization|set\s+(?:role|schema)\b/i;

export class SearchPath {
  #changed = false;
  readonly #temporary = new Set<string>();
  /** Temporary tables the run created and has not dropped. */
  readonly #liveTemporary = new Set<string>();

  /** Whether the run may have moved unqualified names off `public`. */
  get changed(): boolean {
    return this.#changed;
  }

  /**
   * The table a reference means, as `schema.name`, or undefined when an unqualified name may
   * not mean `public`'s table (the path changed, or a temporary table of that name shadows it).
   */
  resolve(rel: RangeVar | undefined): string | undefined {
    if (!rel?.relname) return undefined;
    if (rel.schemaname) return tableKey(rel);
    if (this.#changed || this.#temporary.has(rel.relname)) return undefined;
    return tableKey(rel);
  }

  /**
   * Whether a reference means a temporary table the run created: it holds only rows the run put
   * there, and PostgreSQL looks in pg_temp first for an unqualified relation name.
   */
  isTemporary(rel: RangeVar | undefined): boolean {
    if (!rel?.relname || !this.#liveTemporary.has(rel.relname)) return false;
    return rel.schemaname === undefined || rel.schemaname === 'pg_temp';
  }

  /** The table a CREATE makes, as `schema.name`; `pg_temp.name` for a temporary one; undefined when unknown. */
  created(rel: RangeVar | undefined): string | undefined {
    if (!rel?.relname) return undefined;
    if (rel.relpersistence === 't') return `pg_temp.${rel.relname}`;
    // A permanent table is created in the first non-temporary schema: a temporary one of the same name does not matter.
    return rel.schemaname || !this.#changed ? tableKey(rel) : undefined;
  }

  /** Called after everything else has seen the statement. */
  observe(ast: Node | undefined): void {
    if (!ast) return;
    const create = nodeOf(ast, 'CreateStmt');
    const into = nodeOf(ast, 'CreateTableAsStmt')?.into?.rel ?? nodeOf(ast, 'SelectStmt')?.intoClause?.rel;
    for (const rel of [create?.relation, into]) {
      if (rel?.relname && (rel.relpersistence === 't' || rel.schemaname === 'pg_temp')) {
        this.#temporary.add(rel.relname);
        this.#liveTemporary.add(rel.relname);
      }
    }
    // Once dropped, the name means the permanent table again (resolve() still treats it as
    // possibly shadowed: the safe side), so it is no longer the run's temporary table.
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE')
      for (const list of drop.objects ?? []) {
        const names = (nodeOf(list, 'List')?.items ?? []).map((n) => nodeOf(n, 'String')?.sval);
        const name = names[names.length - 1];
        if (name && (names.length === 1 || names[0] === 'pg_temp')) this.#liveTemporary.delete(name);
      }
    if (!this.#changed && mayChangePath(ast)) this.#changed = true;
  }
}

function mayChangePath(ast: Node): boolean {
  const kind = kindOf(ast);
  if (kind === 'DiscardStmt' || kind === 'CreateSchemaStmt') return true;
  if (nodeOf(ast, 'RenameStmt')?.renameType === 'OBJECT_SCHEMA') return true;
  const set = nodeOf(ast, 'VariableSetStmt');
  if (set && (set.kind === 'VAR_RESET_ALL' || PATH_SETTINGS.has((set.name ?? '').toLowerCase()))) return true;
  return mentionsPath(ast);
}

/** Any string in the tree (function names, literals, DO and function bodies) that names a path setting. */
function mentionsPath(ast: Node): boolean {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (PATH_MENTION.test(value)) return true;
    } else if (value && typeof value === 'object') {
      if (Array.isArray(value)) for (const child of value) stack.push(child);
      else for (const key in value) stack.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}
