import { nodeOf, tableLabel } from '../ast.ts';
import { columnDefault, defaultVolatility, hasConstraint, isSerialType } from '../column-def.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { volatileDefaultSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'add-column-volatile-default',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'New column with a volatile default',
  why: 'A column added with a volatile default (gen_random_uuid(), serial, identity, a stored generated column) is computed for every row: the table is rewritten under ACCESS EXCLUSIVE.',
  fix: 'Add the column without the default, set the default in a second statement (new rows only), and backfill existing rows in batches.',
  examples: {
    flagged: [
      'ALTER TABLE "organizations" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "seq" serial;',
      'ALTER TABLE "reports" ADD COLUMN "n" integer GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE "reports" ADD COLUMN "token" text DEFAULT make_token();',
    ],
    accepted: [
      'ALTER TABLE "reports" ADD COLUMN "seen_at" timestamp DEFAULT now() NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "flag" boolean DEFAULT false;',
      'CREATE TABLE "t" ("id" int);\nALTER TABLE "t" ADD COLUMN "u" uuid DEFAULT gen_random_uuid();',
    ],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter) return [];
    const table = tableLabel(alter.relation);
    return alter.cmds.flatMap((c) => {
      const col = c.subtype === 'AT_AddColumn' ? nodeOf(c.def, 'ColumnDef') : undefined;
      if (!col) return [];
      if (isSerialType(col) || hasConstraint(col, 'CONSTR_IDENTITY')) {
        return [`Adds sequence-backed column "${col.colname}" to ${table}: every row gets a value, rewriting the table.`];
      }
      if (hasConstraint(col, 'CONSTR_GENERATED')) {
        return [`Adds generated column "${col.colname}" to ${table}: it is computed for every row, rewriting the table.`];
      }
      const { volatility, fn } = defaultVolatility(columnDefault(col));
      if (volatility === 'volatile') {
        return [
          `Adds "${col.colname}" to ${table} with volatile default ${fn}(): evaluated per row, rewriting the table while blocking reads and writes.`,
        ];
      }
      if (volatility === 'unknown') {
        return [
          `Adds "${col.colname}" to ${table} with default ${fn}(), whose volatility is unknown here: if it is volatile the table is rewritten under lock.`,
        ];
      }
      return [];
    });
  },
  rewrite: volatileDefaultSteps,
});
