import { describeLock } from '../review/lock-model.ts';
import { describeTimelineEntry, lockTimeline } from '../review/lock-timeline.ts';
import { CATEGORIES, type Category, type CategoryCounts, type Finding, type Review } from '../review/model.ts';
import { describeSize } from '../review/table-size.ts';

export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  category(c: Category, s: string): string;
}

export const PLAIN: TextStyle = { bold: (s) => s, dim: (s) => s, category: (_c, s) => s };

const CODES: Record<Category, number> = { destructive: 31, breaking: 35, security: 95, locking: 33, transaction: 36, unreviewable: 91 };
export const ANSI: TextStyle = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  category: (c, s) => `\x1b[${CODES[c]}m${s}\x1b[39m`,
};

/** "2 destructive, 1 locking" or "no findings"; zero categories are left out. */
export function describeCounts(counts: CategoryCounts, style: TextStyle = PLAIN): string {
  const parts = CATEGORIES.filter((c) => counts[c] > 0).map((c) => style.category(c, `${counts[c]} ${c}`));
  return parts.length ? parts.join(', ') : 'no findings';
}

const EXCERPT_LINES = 3;

/** Human report, grouped by migration, most serious finding first within each statement. */
export function formatReviewText(review: Review, style: TextStyle = PLAIN): string {
  const out: string[] = [];
  const byFile = new Map<string, Review['statements']>();
  for (const s of review.statements) {
    const list = byFile.get(s.file) ?? [];
    list.push(s);
    byFile.set(s.file, list);
  }
  for (const m of review.migrations) {
    out.push(
      `${style.bold(m.tag)}  ${style.dim(`${m.statements} statement${m.statements === 1 ? '' : 's'}${describeQueries(m.statements, m.queries)}`)}  ${describeCounts(m.counts, style)}`,
    );
    if (m.mixesSteps) out.push(`  ${style.dim(MIXES_STEPS)}`);
    for (const s of byFile.get(m.file) ?? []) {
      if (s.findings.length === 0 && !s.observed?.disagreement && !s.ownStep) continue;
      const lines = s.sql.split('\n');
      const excerpt = lines.slice(0, EXCERPT_LINES).join('\n    ') + (lines.length > EXCERPT_LINES ? ' …' : '');
      const query = s.query
        ? `  (drizzle runs it in one query with ${s.query.statements - 1} other statement${s.query.statements === 2 ? '' : 's'})`
        : '';
      out.push(`  ${style.dim(`${s.file}:${s.line}${query}${s.ownStep ? '  [own step]' : ''}`)}`);
      out.push(`    ${excerpt}`);
      if (s.ownStep) out.push(`    ${' '.repeat(12)} ${style.dim(ownStepLine(s.ownStep))}`);
      if (s.findings.length === 0 && s.observed) {
        for (const line of findingDetails({ rule: '', category: 'locking', message: '', help: '', observed: s.observed }))
          out.push(`    ${' '.repeat(12)} ${style.category('locking', line)}`);
      }
      const sorted = [...s.findings].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
      for (const f of sorted) {
        out.push(`    ${style.category(f.category, f.category.padEnd(12))} ${f.message} ${style.dim(`[${f.rule}]`)}`);
        for (const line of findingDetails(f)) out.push(`    ${' '.repeat(12)} ${line}`);
        out.push(`    ${' '.repeat(12)} ${style.dim(`fix: ${f.help}`)}`);
        f.steps?.forEach((step, i) => {
          const where = step.outsideTransaction ? 'outside drizzle’s transaction' : 'in a migration';
          out.push(`    ${' '.repeat(12)} ${style.dim(`${i + 1}. (${where}${step.note ? `: ${step.note}` : ''})`)}`);
          for (const line of step.sql.split('\n')) out.push(`    ${' '.repeat(15)} ${line}`);
        });
      }
    }
    out.push('');
  }
  const statements = review.statements.length;
  out.push(
    `${style.bold('Summary')}: ${review.migrations.length} migration${review.migrations.length === 1 ? '' : 's'}, ${statements} statement${statements === 1 ? '' : 's'}: ${describeCounts(review.summary, style)}`,
  );
  return `${out.join('\n')}\n`;
}

export const MIXES_STEPS =
  'mixes transactional and own-step statements: the migrator commits before each own step and reopens the transaction after it, so this migration is not all-or-nothing';

/** What the migrator does with a statement that cannot run in its transaction. */
export function ownStepLine(reason: string): string {
  return `runs as its own step, between commits of the migration transaction: ${reason}`;
}

/** drizzle runs one query per `--> statement-breakpoint` piece: said only when a piece holds several statements. */
function describeQueries(statements: number, queries: number | undefined): string {
  if (queries === undefined || queries === statements) return '';
  return ` in ${queries} drizzle quer${queries === 1 ? 'y' : 'ies'}`;
}

/** The lock, the table's size and what the dry run saw, one line each, for any front. */
export function findingDetails(f: Finding): string[] {
  const lines: string[] = [];
  if (f.lock) lines.push(`lock: ${describeLock(f.lock)}${f.size ? ` · ${describeSize(f.size)}` : ''}`);
  if (f.observed) {
    const seen =
      f.observed.locks.map((l) => `${l.mode} on "${l.relation.replace(/^public\./, '')}"`).join(', ') ||
      'no new table lock (any taken earlier in the run is still held)';
    const rewrite = f.observed.rewritten.length
      ? `; rewrote ${f.observed.rewritten.map((r) => `"${r.replace(/^public\./, '')}"`).join(', ')}`
      : '';
    lines.push(`dry run saw: ${seen}${rewrite}${f.observed.disagreement ? `. ${f.observed.disagreement}` : ''}`);
  }
  return lines;
}

/** The run's lock timeline: which table is locked, how, from where, for how long. */
export function formatLockTimeline(review: Review, style: TextStyle = PLAIN): string {
  const entries = lockTimeline(review);
  if (entries.length === 0) return `${style.bold('Locks held until the run commits')}: none on an existing table\n\n`;
  const lines = entries.map((e) => {
    const text = `  ${describeTimelineEntry(e)}`;
    return e.mode === 'ACCESS EXCLUSIVE' || e.size?.grade === 'large' ? style.category('locking', text) : text;
  });
  const how = review.statements.some((s) => s.ownStep)
    ? 'one transaction, committed before each statement that runs as its own step'
    : 'drizzle applies the pending set in one transaction';
  return `${style.bold('Locks held until the run commits')} (${how}):\n${lines.join('\n')}\n\n`;
}
