// Which journal entries drizzle-orm will apply, computed exactly as its migrator does
// (drizzle-orm 0.45, src/pg-core/dialect.ts, PgDialect.migrate): it reads only the newest
// row of __drizzle_migrations (ORDER BY created_at DESC LIMIT 1) and applies every entry
// whose journal `when` is greater. Hashes are stored but never compared.

export interface AppliedMigration {
  hash: string;
  createdAt: number;
}

export function pendingMigrations<T extends { when?: number }>(journalOrder: readonly T[], lastApplied: AppliedMigration | undefined): T[] {
  if (!lastApplied) return [...journalOrder];
  return journalOrder.filter((m) => m.when !== undefined && lastApplied.createdAt < m.when);
}
