import type { Node } from 'libpg-query';
import { nodeOf, nodesOf } from './ast.ts';
import { declaredVolatility, type FunctionVolatility, functionName, returnsTrigger } from './function-volatility.ts';

// The functions the schema holds, as the applied history, the run so far, and the target's own
// pg_proc declare them: their volatility and whether only a trigger can call them. Keyed by
// unqualified lower-case name; overloads of one name share the most recent declaration.

export interface KnownFunction {
  volatility: FunctionVolatility;
  /** Returns trigger or event_trigger: no query can call it, only a trigger. */
  triggerOnly: boolean;
}

/** Functions as the target's pg_proc lists them (src/db/target-catalog.ts). */
export interface TargetFunction extends KnownFunction {
  name: string;
}

export class RoutineCatalog {
  readonly #functions = new Map<string, KnownFunction>();

  get(name: string): KnownFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  seed(functions: readonly TargetFunction[]): void {
    for (const f of functions) this.#functions.set(f.name.toLowerCase(), { volatility: f.volatility, triggerOnly: f.triggerOnly });
  }

  observe(ast: Node): void {
    const fn = nodeOf(ast, 'CreateFunctionStmt');
    if (fn && !fn.is_procedure) {
      this.#functions.set(functionName(fn.funcname), { volatility: declaredVolatility(fn), triggerOnly: returnsTrigger(fn) });
      return;
    }
    const rename = nodeOf(ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_FUNCTION' && rename.newname) {
      const old = functionName(nodeOf(rename.object, 'ObjectWithArgs')?.objname);
      const known = this.#functions.get(old);
      this.#functions.delete(old);
      if (known) this.#functions.set(rename.newname.toLowerCase(), known);
      return;
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_FUNCTION')
      for (const o of nodesOf(drop.objects, 'ObjectWithArgs')) this.#functions.delete(functionName(o.objname));
  }
}
