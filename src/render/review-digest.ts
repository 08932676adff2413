import { describeTimelineEntry, lockTimeline } from '../review/lock-timeline.ts';
import { CATEGORIES, type Category, type CategoryCounts, type Finding, type Review } from '../review/model.ts';
import { findingDetails, ownStepLine } from './review-text.ts';

// A review shaped for a chat message: counts first, then the statements that matter most,
// each cut to a length a Block Kit section can hold (3,000 characters per text object,
// https://api.slack.com/reference/block-kit/blocks#section) with room for the findings.

export interface DigestItem {
  migration: string;
  file: string;
  line: number;
  /** Most serious category among the statement's findings. */
  category: Category;
  sqlExcerpt: string;
  sqlTruncated: boolean;
  findings: (Pick<Finding, 'rule' | 'category' | 'message'> & { details: string[] })[];
}

export interface ReviewDigest {
  migrations: { tag: string; statements: number; counts: CategoryCounts }[];
  statements: number;
  counts: CategoryCounts;
  /** True when no statement has any finding; never true if anything was unreviewable. */
  clean: boolean;
  /** Flagged statements, most serious category first, then in migration order. */
  items: DigestItem[];
  /** Flagged statements left out because of `maxItems`. */
  omittedItems: number;
  /** The run's lock timeline, one line per table, strongest lock first (at most `maxTimeline`). */
  timeline: string[];
}

export interface DigestLimits {
  maxSqlChars?: number;
  maxItems?: number;
  maxTimeline?: number;
}

export function digestReview(review: Review, limits: DigestLimits = {}): ReviewDigest {
  const maxSql = limits.maxSqlChars ?? 600;
  const maxItems = limits.maxItems ?? 20;
  const rank = (c: Category) => CATEGORIES.indexOf(c);
  const flagged = review.statements
    .map((s, order) => ({ s, order }))
    .filter(({ s }) => s.findings.length > 0)
    .map(({ s, order }) => {
      const findings = [...s.findings].sort((a, b) => rank(a.category) - rank(b.category));
      const category = findings[0]?.category ?? 'unreviewable';
      const { text, truncated } = excerpt(s.sql, maxSql);
      const item: DigestItem = {
        migration: s.migration,
        file: s.file,
        line: s.line,
        category,
        sqlExcerpt: text,
        sqlTruncated: truncated,
        findings: findings.map((f, i) => ({
          rule: f.rule,
          category: f.category,
          message: f.message,
          // The most serious finding carries it: Slack shows findings' details, nothing else per statement.
          details: [...findingDetails(f), ...(i === 0 && s.ownStep ? [ownStepLine(s.ownStep)] : [])],
        })),
      };
      return { item, order };
    })
    .sort((a, b) => rank(a.item.category) - rank(b.item.category) || a.order - b.order)
    .map(({ item }) => item);
  const total = CATEGORIES.reduce((n, c) => n + review.summary[c], 0);
  return {
    migrations: review.migrations.map((m) => ({ tag: m.tag, statements: m.statements, counts: m.counts })),
    statements: review.statements.length,
    counts: review.summary,
    clean: total === 0,
    items: flagged.slice(0, maxItems),
    omittedItems: Math.max(0, flagged.length - maxItems),
    timeline: lockTimeline(review)
      .slice(0, limits.maxTimeline ?? 8)
      .map(describeTimelineEntry),
  };
}

/**
 * Each rule's fix written out for the flagged statements, as plain text for thread replies:
 * the SQL to run instead, in order, and which steps cannot run in drizzle's transaction.
 */
export function safeRewriteTexts(review: Review): string[] {
  const out: string[] = [];
  for (const s of review.statements) {
    const seen = new Set<string>();
    for (const f of s.findings) {
      const key = JSON.stringify(f.steps);
      if (!f.steps || seen.has(key)) continue;
      seen.add(key);
      const steps = f.steps.map(
        (step, i) =>
          `${i + 1}. ${step.outsideTransaction ? 'outside drizzle’s transaction' : 'in a migration'}${step.note ? `: ${step.note}` : ''}\n${step.sql}`,
      );
      out.push(`${s.file}:${s.line} (${f.rule}), instead:\n${steps.join('\n')}`);
    }
  }
  return out;
}

/** Cuts on a line boundary when one is near, never inside a surrogate pair. */
export function excerpt(sql: string, max: number): { text: string; truncated: boolean } {
  if (sql.length <= max) return { text: sql, truncated: false };
  let cut = max - 1;
  const newline = sql.lastIndexOf('\n', cut);
  if (newline > max * 0.6) cut = newline;
  const code = sql.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return { text: `${sql.slice(0, cut).trimEnd()}…`, truncated: true };
}
