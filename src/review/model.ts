// The review model: what every front (CLI, Slack, CodeBuild) consumes. Pure data.

/** Ordered by how much an approver must care: destructive first. */
export const CATEGORIES = ['destructive', 'breaking', 'security', 'locking', 'transaction', 'unreviewable'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_MEANING: Record<Category, string> = {
  destructive: 'can lose data',
  breaking: 'can break running code',
  security: 'changes who may do what: privileges, roles, ownership, row security or the session identity',
  locking: 'blocks reads or writes on an existing table, or rewrites it',
  transaction: 'cannot run (or cannot fully work) inside the migration transaction',
  unreviewable: 'could not be parsed or understood: review it by hand',
};

/** Table-level lock modes, weakest first (https://www.postgresql.org/docs/current/explicit-locking.html). */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** A lock a statement takes on an existing relation, held until drizzle's transaction commits. */
export interface RelationLock {
  mode: LockMode;
  /** `schema.name`. */
  relation: string;
  /** What ordinary traffic it stops: `reads and writes`, `writes`, or `no reads or writes`. */
  blocks: string;
}

/** What the dry run saw the statement do, beside what the rules predicted. */
export interface ObservedEffect {
  locks: { relation: string; mode: LockMode }[];
  rewritten: string[];
  /** Set when the observation contradicts the finding. */
  disagreement?: string;
}

/** What the traced dry run saw one pending statement do (src/dryrun/lock-trace.ts). */
export interface StatementTrace {
  migration: string;
  /** 0-based statement index within the migration, as the review numbers them. */
  index: number;
  locks: { relation: string; mode: LockMode }[];
  rewritten: string[];
}

/** A relation's size on the target, and how the config grades it. */
export interface TableSize {
  relation: string;
  /** pg_class.reltuples: an estimate; -1 when the table was never analyzed. */
  rows: number;
  bytes: number;
  grade: SizeGrade;
}
export type SizeGrade = 'unknown' | 'small' | 'medium' | 'large';

/** One step of a safe rewrite. */
export interface RewriteStep {
  sql: string;
  /** True when it cannot run inside drizzle's migration transaction (CONCURRENTLY, VALIDATE in its own run, batches). */
  outsideTransaction: boolean;
  note?: string;
}

export interface Finding {
  rule: string;
  category: Category;
  message: string;
  help: string;
  /** The strongest lock the statement takes on an existing relation, when it takes one. */
  lock?: RelationLock;
  /** Filled in when the target's (or a stats file's) sizes are known. */
  size?: TableSize;
  observed?: ObservedEffect;
  steps?: RewriteStep[];
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
  /** drizzle-kit v1 layout only: the migration's folder name, which v1 stores and matches on. */
  name?: string;
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
  /** Locks the statement takes on relations that existed before the run. */
  locks: RelationLock[];
  /** What the traced dry run saw it do, when one ran. */
  observed?: ObservedEffect;
  /**
   * Set when drizzle sends this statement to PostgreSQL together with others, as one query
   * (one `--> statement-breakpoint` piece holding several statements): the piece's 0-based
   * index in the file and how many statements it holds.
   */
  query?: { index: number; statements: number };
  /**
   * Set when the migrator runs the statement alone, between two commits of its transaction
   * (src/review/own-step.ts, database/step-runner.ts): why it cannot run inside.
   */
  ownStep?: string;
}

export type CategoryCounts = Record<Category, number>;

export interface ReviewedMigration {
  tag: string;
  file: string;
  when?: number;
  hash: string;
  statements: number;
  /** How many queries drizzle runs for it: its `--> statement-breakpoint` pieces that hold a statement. */
  queries?: number;
  /** Set when some statements run in the transaction and some as own steps between its commits. */
  mixesSteps?: true;
  counts: CategoryCounts;
}

export interface Review {
  migrations: ReviewedMigration[];
  statements: ReviewedStatement[];
  /** Findings per category over the whole set. */
  summary: CategoryCounts;
  /** Sizes of the existing relations the set locks, when the target (or a stats file) gave them. */
  tables?: TableSize[];
}

export function emptyCounts(): CategoryCounts {
  return { destructive: 0, breaking: 0, security: 0, locking: 0, transaction: 0, unreviewable: 0 };
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
