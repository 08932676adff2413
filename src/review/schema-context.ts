import type { Node, RangeVar } from 'libpg-query';
import { nodeOf, nodesOf, qualifiedName, tableKey } from './ast.ts';
import type { RuleContext } from './rule.ts';

/**
 * What the reviewed set itself has created so far. A table created earlier in the set has no
 * rows and no readers yet, so building an index on it or constraining it blocks nobody.
 */
export class SchemaContext implements Pick<RuleContext, 'isNewTable'> {
  readonly #newTables = new Set<string>();

  isNewTable(rel: RangeVar | undefined): boolean {
    return rel !== undefined && this.#newTables.has(tableKey(rel));
  }

  /** Called after the rules have seen a statement. */
  observe(ast: Node | undefined): void {
    const create = nodeOf(ast, 'CreateStmt');
    if (create) this.#newTables.add(tableKey(create.relation));
    const createAs = nodeOf(ast, 'CreateTableAsStmt');
    if (createAs?.into?.rel) this.#newTables.add(tableKey(createAs.into.rel));
    const rename = nodeOf(ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_TABLE' && this.isNewTable(rename.relation) && rename.newname) {
      this.#newTables.delete(tableKey(rename.relation));
      this.#newTables.add(tableKey({ ...rename.relation, relname: rename.newname }));
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
      for (const list of nodesOf(drop.objects, 'List')) {
        const name = qualifiedName(list.items);
        this.#newTables.delete(name.includes('.') ? name : `public.${name}`);
      }
    }
  }
}
