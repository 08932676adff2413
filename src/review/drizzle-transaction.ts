// drizzle-orm's PostgreSQL migrator (drizzle-orm 0.45, src/pg-core/dialect.ts, PgDialect.migrate)
// reads the newest row of drizzle.__drizzle_migrations, then runs *every* pending migration's
// chunks inside one `session.transaction(...)`. So a statement that cannot run in a
// transaction block fails the whole set, and every lock taken is held until the last
// pending migration commits.
export const DRIZZLE_TRANSACTION_NOTE =
  'drizzle-orm runs every pending migration inside one transaction (PgDialect.migrate in drizzle-orm/src/pg-core/dialect.ts).';

// deploybot's migrator (database/step-runner.ts) applies the set as drizzle does, except that a
// statement PostgreSQL refuses in a transaction block runs as its own step between commits
// (src/review/own-step.ts): the run then succeeds, but is no longer all or nothing.
export const OWN_STEP_NOTE =
  "deploybot's migrator commits what ran before it, runs it alone and opens a new transaction after it (database/step-runner.ts), so the run is no longer all or nothing; drizzle's own migrator (`drizzle-kit migrate`, `migrate()`) fails the whole run on it.";
