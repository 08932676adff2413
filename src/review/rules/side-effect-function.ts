import { calledRoutines } from '../nested-statements.ts';
import { defineRule } from '../rule.ts';

// Built-in functions whose call changes or removes something outside the statement's own rows.
const EFFECTS: Record<string, string> = {
  lo_unlink: 'deletes a large object and its data',
  pg_terminate_backend: "ends another session, rolling back its transaction (the application's included)",
  pg_cancel_backend: "cancels another session's running query",
  pg_drop_replication_slot: 'drops a replication slot: its consumer loses its place',
  pg_replication_origin_drop: 'drops a replication origin',
  pg_file_unlink: 'deletes a file on the database server (adminpack)',
  pg_file_write: 'writes a file on the database server (adminpack)',
  pg_file_rename: 'renames a file on the database server (adminpack)',
  pg_reload_conf: "reloads the server's configuration",
  pg_rotate_logfile: "rotates the server's log file",
  pg_switch_wal: 'forces a WAL switch',
};

export default defineRule({
  id: 'side-effect-function',
  category: 'destructive',
  appliesTo: ['any'],
  title: 'Call of a built-in with side effects',
  why: 'Some built-in functions act outside the rows a statement names: lo_unlink deletes a large object, pg_terminate_backend ends sessions and rolls back their work (https://www.postgresql.org/docs/current/functions-admin.html). A SELECT that calls one is not a read.',
  fix: 'Run such operations by hand, outside the migration, with a record of why.',
  examples: {
    flagged: [
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();',
      'SELECT lo_unlink("blob") FROM "attachments";',
      'DO $$ BEGIN PERFORM pg_terminate_backend(42); END $$;',
    ],
    accepted: ['SELECT count(*) FROM "attachments";', 'UPDATE "users" SET "name" = btrim("name") WHERE "name" <> btrim("name");'],
  },
  check(stmt) {
    return calledRoutines(stmt.ast).flatMap((name) => {
      const effect = EFFECTS[name];
      return effect ? [`Calls ${name}(), which ${effect}.`] : [];
    });
  },
});
