import { tableLabel } from '../ast.ts';
import { alterExistingTable, defineRule } from '../rule.ts';

export default defineRule({
  id: 'set-unlogged',
  category: 'destructive',
  appliesTo: ['AlterTableStmt'],
  title: 'SET UNLOGGED',
  why: 'An unlogged table is not written to the WAL: a crash or failover empties it, and replicas and point-in-time backups never see its rows; the change also rewrites the table under ACCESS EXCLUSIVE (https://www.postgresql.org/docs/current/sql-createtable.html#SQL-CREATETABLE-UNLOGGED).',
  fix: 'Keep tables that hold data the application needs logged; use a separate unlogged table for caches.',
  examples: {
    flagged: ['ALTER TABLE "sessions" SET UNLOGGED;'],
    accepted: ['CREATE TABLE "cache" ("k" text);\nALTER TABLE "cache" SET UNLOGGED;'],
  },
  check(stmt, ctx) {
    const alter = alterExistingTable(stmt, ctx);
    if (!alter?.cmds.some((c) => c.subtype === 'AT_SetUnLogged')) return [];
    return [`Makes ${tableLabel(alter.relation)} unlogged: a crash or failover empties it, and backups and replicas lose its rows.`];
  },
});
