// drizzle-orm's PostgreSQL migrator (drizzle-orm 0.45, src/pg-core/dialect.ts, PgDialect.migrate)
// reads the newest row of drizzle.__drizzle_migrations, then runs *every* pending migration's
// chunks inside one `session.transaction(...)`. So a statement that cannot run in a
// transaction block fails the whole set, and every lock taken is held until the last
// pending migration commits.
export const DRIZZLE_TRANSACTION_NOTE =
  'drizzle-orm runs every pending migration inside one transaction (PgDialect.migrate in drizzle-orm/src/pg-core/dialect.ts).';
