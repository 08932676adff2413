import { nodeOf, tableLabel } from '../ast.ts';
import { columnDefault, defaultVolatility, hasConstraint, isSerialType } from '../column-def.ts';
import { alterExistingTable, defineRule } from '../rule.ts';
import { volatileDefaultSteps } from '../safe-rewrites.ts';

export default defineRule({
  id: 'add-column-volatile-default',
  category: 'locking',
  appliesTo: ['AlterTableStmt'],
  title: 'New column with a volatile default',
  why: 'A column added with a volatile default (gen_random_uuid(), random(), clock_timestamp(), serial, identity, a stored generated column) is computed for every row: the table is rewritten under ACCESS EXCLUSIVE.',
  notes:
    "Since PostgreSQL 11 a non-volatile default is evaluated once and stored in the catalog, so ADD COLUMN rewrites nothing. A STABLE function such as now(), current_timestamp, statement_timestamp() or timezone('utc', now()) is therefore not a rewrite. Volatility comes from a list of PostgreSQL's and the common extensions' declarations (pg_proc.provolatile), then from the CREATE FUNCTION the history or the run holds (VOLATILE unless it says STABLE or IMMUTABLE), then from the target's own pg_proc when it was read; a function none of them knows is reported as possibly volatile.",
  fix: 'Add the column without the default, set the default in a second statement (new rows only), and backfill existing rows in batches.',
  examples: {
    flagged: [
      'ALTER TABLE "organizations" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "seq" serial;',
      'ALTER TABLE "reports" ADD COLUMN "n" integer GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE "reports" ADD COLUMN "token" text DEFAULT make_token();',
      'ALTER TABLE "reports" ADD COLUMN "jitter" double precision DEFAULT random() NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "seen_at" timestamp DEFAULT clock_timestamp();',
      '-- applied earlier\nCREATE FUNCTION "make_slug"() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;\n-- pending\nALTER TABLE "reports" ADD COLUMN "slug" text DEFAULT make_slug();',
    ],
    accepted: [
      'ALTER TABLE "reports" ADD COLUMN "seen_at" timestamp DEFAULT now() NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "flag" boolean DEFAULT false;',
      'ALTER TABLE "reports" ADD COLUMN "created_at" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "created_at" timestamp DEFAULT timezone(\'utc\'::text, now()) NOT NULL;',
      'ALTER TABLE "reports" ADD COLUMN "queued_at" timestamp with time zone DEFAULT statement_timestamp();',
      '-- applied earlier\nCREATE FUNCTION "app_tenant"() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT current_setting(\'app.tenant\')::uuid $$;\n-- pending\nALTER TABLE "reports" ADD COLUMN "tenant_id" uuid DEFAULT app_tenant();',
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
      const { volatility, fn } = defaultVolatility(columnDefault(col), (name) => ctx.catalog.routines.get(name)?.volatility);
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
