import { describePinnedTimeouts } from '../history/pinned-timeouts.ts';
import { describeDryRun, dryRunStatus } from '../history/target-review.ts';
import { formatReviewText, type TextStyle } from '../render/review-text.ts';
import { type ReviewReport, summaryTail } from './review-report.ts';

// The terminal report: what the target or the branch looks like (drift, repository checks,
// empty files, the dry run), then which scope the review used, directly above the findings it
// introduces, and a summary line that holds all of it. The report must already be terminal-safe (escapeControlCharsDeep):
// the styles below add escape sequences of their own.

/** `timeline`: the run's lock timeline, shown between the plan and the findings. */
export function renderText(report: ReviewReport, style: TextStyle, timeline = ''): string {
  const lines: string[] = [];
  const { target } = report;
  if (target?.fromDatabase) {
    lines.push(
      `Target database: ${target.applied.length} applied, ${target.pending.length} pending${target.pending.length ? `: ${target.pending.join(', ')}` : ''}`,
    );
  }
  if (report.drift.length) {
    lines.push(style.category('destructive', `Drift (${report.drift.length}): drizzle will not notice these`));
    for (const d of report.drift) lines.push(`  - ${d.kind}: ${d.message}`);
  }
  if (report.checks.length) {
    lines.push(style.category('destructive', `Repository checks (${report.checks.length}): these will not run as reviewed`));
    for (const c of report.checks) lines.push(`  - ${c.kind} ${style.dim(`${c.file}:${c.line}`)}: ${c.message}`);
  }
  for (const n of report.notices) lines.push(style.category('unreviewable', `${n.kind}: ${n.message}`));
  if (report.dryRun) {
    const dry = report.dryRun;
    const status = dryRunStatus(dry);
    lines.push(
      status === 'failed'
        ? style.category('destructive', describeDryRun(dry))
        : status === 'unavailable'
          ? style.category('unreviewable', describeDryRun(dry))
          : describeDryRun(dry),
    );
    if (!dry.ok) lines.push(style.dim(indent(dry.statement.trim())));
  } else {
    lines.push(`dry run: not run${report.dryRunSkipped ? ` (${report.dryRunSkipped})` : ''}`);
  }
  lines.push(style.bold(report.scopeText));
  if (report.plan) {
    lines.push(`plan sha256 ${report.plan.sha256} · image ${report.plan.image ?? 'not pinned (--image-digest)'}`);
    const timeouts = describePinnedTimeouts(report.plan.timeouts, report.review.statements.length);
    lines.push(`timeouts per statement (default policy, pinned in the plan): ${timeouts}`);
  }
  const body = formatReviewText(report.review, style).replace(/\n+$/, '');
  return `${lines.join('\n')}\n\n${timeline}${body}; ${summaryTail(report)}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
