import { CATEGORIES, type Category, type CategoryCounts, type Review } from './model.ts';

export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  category(c: Category, s: string): string;
}

export const PLAIN: TextStyle = { bold: (s) => s, dim: (s) => s, category: (_c, s) => s };

const CODES: Record<Category, number> = { destructive: 31, breaking: 35, locking: 33, transaction: 36, unreviewable: 91 };
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
      `${style.bold(m.tag)}  ${style.dim(`${m.statements} statement${m.statements === 1 ? '' : 's'}`)}  ${describeCounts(m.counts, style)}`,
    );
    for (const s of byFile.get(m.file) ?? []) {
      if (s.findings.length === 0) continue;
      const lines = s.sql.split('\n');
      const excerpt = lines.slice(0, EXCERPT_LINES).join('\n    ') + (lines.length > EXCERPT_LINES ? ' …' : '');
      out.push(`  ${style.dim(`${s.file}:${s.line}`)}`);
      out.push(`    ${excerpt}`);
      const sorted = [...s.findings].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
      for (const f of sorted) {
        out.push(`    ${style.category(f.category, f.category.padEnd(12))} ${f.message} ${style.dim(`[${f.rule}]`)}`);
        out.push(`    ${' '.repeat(12)} ${style.dim(`fix: ${f.help}`)}`);
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
