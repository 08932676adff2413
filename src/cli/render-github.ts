import { randomBytes } from 'node:crypto';
import { CATEGORIES, type Category } from '../review/model.ts';
import type { ReviewReport } from './review-report.ts';

// `--format github`: workflow commands on stdout that GitHub Actions turns into annotations on
// the pull request's changed lines (docs.github.com, "Workflow commands for GitHub Actions").
// Values are escaped as actions/toolkit's packages/core/src/command.ts does: `%`, CR and LF in
// the message; also `:` and `,` in properties. GitHub shows at most 10 error, 10 warning and 10
// notice annotations per step, 50 per job (actions/toolkit, docs/problem-matchers.md,
// "Limitations"), so the job summary carries everything.

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  /** A review rule's id, a repository check's kind, `dry-run-failed` or a notice's kind. */
  ruleId: string;
  file: string;
  line: number;
  title: string;
  message: string;
}

/** What fails the run is an error (repository checks, and findings or a failed dry run named in --fail-on); the rest warnings. */
export function annotations(report: ReviewReport, failOn: readonly string[]): Annotation[] {
  const failing = new Set(failOn);
  const rank = (c: Category) => CATEGORIES.indexOf(c);
  const out: Annotation[] = report.checks.map((c) => ({
    level: 'error',
    ruleId: c.kind,
    file: c.file,
    line: c.line,
    title: `deploybot: ${c.kind}`,
    message: c.message,
  }));
  const dry = report.dryRun;
  if (dry && !dry.ok && dry.status === 'failed') {
    out.push({
      level: failing.has('dry-run') ? 'error' : 'warning',
      ruleId: 'dry-run-failed',
      file: dry.file,
      line: dry.line,
      title: dry.populated?.length ? 'deploybot: dry run failed on a populated table' : 'deploybot: dry run failed',
      message: `${dry.error}${dry.code ? ` (SQLSTATE ${dry.code})` : ''}${dry.populated?.length ? `: fails on a populated table (${dry.populated.join(', ')} held a synthetic row)` : ''}`,
    });
  }
  // Not a verdict on the migrations, so never an error, whatever --fail-on says.
  if (dry && !dry.ok && dry.status === 'unavailable') {
    out.push({
      level: 'notice',
      ruleId: 'dry-run-unavailable',
      file: dry.file,
      line: dry.line,
      title: 'deploybot: dry run unavailable',
      message: `${dry.missing} is not available in embedded PostgreSQL: the dry run could not judge these migrations`,
    });
  }
  if (dry?.ok && dry.notJudged) {
    out.push({
      level: 'notice',
      ruleId: 'dry-run-not-judged',
      file: dry.notJudged.file,
      line: dry.notJudged.line,
      title: 'deploybot: dry run could not judge this statement on populated tables',
      message: `It failed on the synthetic rows' made-up values (${dry.notJudged.error}); real data may pass or fail it.`,
    });
  }
  for (const s of report.review.statements) {
    for (const f of [...s.findings].sort((a, b) => rank(a.category) - rank(b.category))) {
      out.push({
        level: failing.has(f.category) ? 'error' : 'warning',
        ruleId: f.rule,
        file: s.file,
        line: s.line,
        title: `deploybot: ${f.category} (${f.rule})`,
        message: `${f.message} Fix: ${f.help}`,
      });
    }
  }
  for (const n of report.notices)
    out.push({ level: 'warning', ruleId: n.kind, file: n.file, line: n.line, title: `deploybot: ${n.kind}`, message: n.message });
  return out;
}

export function workflowCommand(a: Annotation): string {
  return `::${a.level} file=${property(a.file)},line=${a.line},title=${property(a.title)}::${data(a.message)}`;
}

/**
 * The readable report first, between `::stop-commands::TOKEN` and `::TOKEN::` (docs: "Stopping
 * and starting workflow commands"): a migration line such as `::add-mask::` or `::error::` is
 * printed as text, not obeyed by the runner. Then the annotations.
 */
export function renderGithub(text: string, list: readonly Annotation[]): string {
  const token = randomBytes(16).toString('hex');
  return `::stop-commands::${token}\n${text}::${token}::\n${list.map(workflowCommand).join('\n')}${list.length ? '\n' : ''}`;
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
