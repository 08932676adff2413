// The review model: what every front (CLI, Slack, CodeBuild) consumes. Pure data.

/** Ordered by how much an approver must care: destructive first. */
export const CATEGORIES = ['destructive', 'breaking', 'locking', 'transaction', 'unreviewable'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_MEANING: Record<Category, string> = {
  destructive: 'can lose data',
  breaking: 'can break running code',
  locking: 'blocks reads or writes on an existing table, or rewrites it',
  transaction: 'cannot run (or cannot fully work) inside the migration transaction',
  unreviewable: 'could not be parsed or understood: review it by hand',
};

export interface Finding {
  rule: string;
  category: Category;
  message: string;
  help: string;
}

/** One migration as drizzle will run it: a journal entry and its SQL text. */
export interface MigrationSource {
  tag: string;
  /** Path as given or relative to the migrations folder's parent, for display. */
  file: string;
  sql: string;
  /** Journal `when` (ms); absent for loose .sql files. */
  when?: number;
  /** sha256 of the file text, as drizzle stores it in __drizzle_migrations.hash. */
  hash: string;
}

export interface ReviewedStatement {
  file: string;
  migration: string;
  /** 0-based position of the statement within its migration. */
  index: number;
  /** 1-based line in the file where the statement starts. */
  line: number;
  sql: string;
  findings: Finding[];
}

export type CategoryCounts = Record<Category, number>;

export interface ReviewedMigration {
  tag: string;
  file: string;
  when?: number;
  hash: string;
  statements: number;
  counts: CategoryCounts;
}

export interface Review {
  migrations: ReviewedMigration[];
  statements: ReviewedStatement[];
  /** Findings per category over the whole set. */
  summary: CategoryCounts;
}

export function emptyCounts(): CategoryCounts {
  return { destructive: 0, breaking: 0, locking: 0, transaction: 0, unreviewable: 0 };
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
