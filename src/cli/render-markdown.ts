import { describeDryRun } from '../history/target-review.ts';
import { digestReview } from '../render/review-digest.ts';
import { describeCounts } from '../render/review-text.ts';
import { type ReviewReport, summaryTail } from './review-report.ts';

// The GitHub job summary ($GITHUB_STEP_SUMMARY): what the Slack review message shows (the
// target or branch, drift, the dry run, the headline counts, the flagged statements most
// serious first with SQL excerpts, the plan sha256 when there is a target, the migration files'
// sha256), in GitHub-flavoured Markdown.
// GitHub caps one step's summary at 1 MiB (docs: "Adding a job summary"); the digest's limits
// keep it far below that.

export function renderMarkdown(report: ReviewReport): string {
  const { review } = report;
  const digest = digestReview(review, { maxSqlChars: 1200, maxItems: 50 });
  const out: string[] = ['## Migration review', '', text(report.scopeText), ''];
  if (report.checks.length) {
    out.push(`### :rotating_light: Repository checks (${report.checks.length}): these will not run as reviewed`, '');
    for (const c of report.checks) out.push(`- **${c.kind}** \`${code(c.file)}:${c.line}\`: ${text(c.message)}`);
    out.push('');
  }
  if (report.drift.length) {
    out.push(`### :rotating_light: Drift (${report.drift.length}): drizzle will not notice these`, '');
    for (const d of report.drift) out.push(`- **${d.kind}** ${text(d.message)}`);
    out.push('');
  }
  for (const n of report.notices) out.push(`> [!WARNING]`, `> ${text(n.message)}`, '');
  const dry = report.dryRun;
  if (dry) {
    out.push(
      dry.ok
        ? `:white_check_mark: **${text(describeDryRun(dry))}** on embedded PostgreSQL, in one transaction as drizzle runs it`
        : `${dry.status === 'unavailable' ? ':grey_question:' : ':x:'} **${text(describeDryRun(dry))}**`,
    );
    if (!dry.ok) out.push('', fence(dry.statement.slice(0, 1200), 'sql'));
  } else {
    out.push(`:grey_question: **Dry run:** not run${report.dryRunSkipped ? ` (${text(report.dryRunSkipped)})` : ''}`);
  }
  out.push(
    '',
    `**Review:** ${review.migrations.length} migrations, ${digest.statements} statements: **${describeCounts(digest.counts)}**`,
    '',
  );
  if (digest.clean && review.migrations.length > 0) out.push(':white_check_mark: Every statement parsed and no rule fired.', '');
  for (const item of digest.items) {
    out.push(`#### ${item.category} · \`${code(item.file)}:${item.line}\``, '', fence(item.sqlExcerpt, 'sql'), '');
    for (const f of item.findings) out.push(`- **${f.category}** ${text(f.message)} \`${code(f.rule)}\``);
    out.push('');
  }
  if (digest.omittedItems > 0)
    out.push(`${digest.omittedItems} more flagged statements: see \`deploybot review\` locally or the SARIF report.`, '');
  // The plan sha256 is what approvers approve; the files' sha256 only tells two checkouts apart.
  const plan = report.plan ? ` · plan sha256 \`${report.plan.sha256}\`` : '';
  out.push(`<sub>${text(summaryTail(report))}${plan} · migration files sha256 \`${report.migrationSetSha256}\`</sub>`, '');
  return out.join('\n');
}

/** Text outside code: no raw HTML (GitHub renders some), no accidental Markdown from SQL or file names. */
function text(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}

/** Inside an inline code span a backtick would end it. */
function code(s: string): string {
  return s.replace(/`/g, "'");
}

/** A fenced block longer than any backtick run inside, so the SQL cannot close it early (CommonMark 4.5). */
function fence(body: string, lang: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const bar = '`'.repeat(Math.max(3, longest + 1));
  return `${bar}${lang}\n${body}\n${bar}`;
}
