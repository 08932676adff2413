import type { Node, RangeVar } from 'libpg-query';
import { nodeOf, nodesOf, qualifiedName } from './ast.ts';
import type { RuleContext } from './rule.ts';
import { SearchPath } from './search-path.ts';

/**
 * Whether a table existed before the run: true or false when the review knows (the applied
 * history, the target's own catalog), undefined when it cannot tell.
 */
export type TableExisted = (key: string) => boolean | undefined;

/**
 * What the reviewed set itself has created so far. A table created earlier in the set has no
 * rows and no readers yet, so building an index on it or constraining it blocks nobody. Only a
 * statement that surely made a new table counts: `CREATE TABLE IF NOT EXISTS` on a table that
 * exists is a no-op, a temporary table is another schema's, and after the search path may have
 * changed an unqualified name may mean another table (src/review/search-path.ts).
 */
export class SchemaContext implements Pick<RuleContext, 'isNewTable'> {
  readonly #newTables = new Set<string>();

  constructor(
    private readonly path: SearchPath = new SearchPath(),
    private readonly existed: TableExisted = () => undefined,
  ) {}

  isNewTable(rel: RangeVar | undefined): boolean {
    const key = this.path.resolve(rel);
    return key !== undefined && this.#newTables.has(key);
  }

  /** Called after the rules have seen a statement, and before the catalog does. */
  observe(ast: Node | undefined): void {
    const create = nodeOf(ast, 'CreateStmt');
    if (create) this.#created(create.relation, create.if_not_exists);
    const createAs = nodeOf(ast, 'CreateTableAsStmt');
    if (createAs?.into?.rel && createAs.objtype !== 'OBJECT_MATVIEW') this.#created(createAs.into.rel, createAs.if_not_exists);
    const rename = nodeOf(ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_TABLE' && this.isNewTable(rename.relation) && rename.newname) {
      const key = this.path.resolve(rename.relation);
      if (key) this.#newTables.delete(key);
      this.#newTables.add(`${key?.split('.')[0] ?? 'public'}.${rename.newname}`);
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
      for (const list of nodesOf(drop.objects, 'List')) {
        const name = qualifiedName(list.items);
        this.#newTables.delete(name.includes('.') ? name : `public.${name}`);
      }
    }
    this.path.observe(ast);
  }

  #created(rel: RangeVar | undefined, ifNotExists: boolean | undefined): void {
    const key = this.path.created(rel);
    if (!key || key.startsWith('pg_temp.')) return;
    // IF NOT EXISTS makes a table only where the review knows there was none.
    if (ifNotExists && this.existed(key) !== false) return;
    this.#newTables.add(key);
  }
}
