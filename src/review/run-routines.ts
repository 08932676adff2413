import type { Node, RangeVar } from 'libpg-query';
import { baseName, nodeOf, tableKey } from './ast.ts';
import { type CodeBody, codeBody } from './nested-statements.ts';
import type { StatementUnderReview } from './rule.ts';

// Functions, procedures and triggers the reviewed run creates. A call of one runs its body,
// and a write to a table with a trigger runs the trigger's function
// (https://www.postgresql.org/docs/current/trigger-definition.html), so the review judges that
// body where it runs. `CREATE OR REPLACE` replaces the body: the latest one counts.

export interface RunRoutine {
  name: string;
  body: CodeBody;
}

export interface RunTrigger {
  name: string;
  table: string;
  /** Unqualified lower-case name of the function it runs. */
  function: string;
}

export class RunRoutines {
  private readonly routines = new Map<string, RunRoutine>();
  private readonly triggers: RunTrigger[] = [];

  /** Records what a statement creates; call after the statement was judged. */
  observe(stmt: StatementUnderReview): void {
    const fn = nodeOf(stmt.ast, 'CreateFunctionStmt');
    if (fn) {
      const name = baseName(fn.funcname).toLowerCase();
      this.routines.set(name, { name, body: codeBody(stmt) ?? { statements: [], dynamicSql: false } });
    }
    const trigger = nodeOf(stmt.ast, 'CreateTrigStmt');
    if (trigger?.relation) {
      this.triggers.push({
        name: trigger.trigname ?? '?',
        table: tableKey(trigger.relation),
        function: baseName(trigger.funcname).toLowerCase(),
      });
    }
  }

  /** The routine of that (unqualified, lower-case) name the run created, if it did. */
  routine(name: string): RunRoutine | undefined {
    return this.routines.get(name);
  }

  /** Triggers the run created on the table a write targets. */
  triggersOn(ast: Node | undefined): RunTrigger[] {
    const target = writtenTable(ast);
    if (!target) return [];
    const key = tableKey(target);
    return this.triggers.filter((t) => t.table === key);
  }
}

function writtenTable(ast: Node | undefined): RangeVar | undefined {
  return (
    nodeOf(ast, 'InsertStmt')?.relation ??
    nodeOf(ast, 'UpdateStmt')?.relation ??
    nodeOf(ast, 'DeleteStmt')?.relation ??
    nodeOf(ast, 'MergeStmt')?.relation ??
    undefined
  );
}
