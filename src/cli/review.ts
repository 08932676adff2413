import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { PgliteDryRunner } from '../dryrun/pglite-dry-run.ts';
import { ANSI, PLAIN } from '../render/review-text.ts';
import { CATEGORIES, isCategory } from '../review/model.ts';
import { DRY_RUN_OPTIONS, DRY_RUN_USAGE, readDryRunOptions } from './dry-run-options.ts';
import { writeJsonDocument } from './json-document.ts';
import { withProgress } from './progress.ts';
import { annotations, renderGithub } from './render-github.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderSarif } from './render-sarif.ts';
import { renderText } from './render-text.ts';
import { EXTRA_OPTIONS, EXTRA_USAGE, readStatsOption, timelineJson, timelineText } from './review-extras.ts';
import { type ReviewReport, reportJson } from './review-report.ts';
import { buildReport } from './review-run.ts';
import { appendStepSummary } from './step-summary.ts';
import { escapeControlCharsDeep, escapeJsonText, type Output, terminalSafe } from './terminal-text.ts';

const CHECKS = ['drift', 'dry-run'] as const;
const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export const REVIEW_USAGE = `Usage: deploybot review [options] [PATH...]

Reviews drizzle-kit migrations (a migrations folder in journal order, or .sql files).
PATH defaults to backend/drizzle. Unless --no-dry-run, a migrations folder is also applied to
an embedded PostgreSQL (PGlite) in one transaction, as drizzle would, to show that it executes.

  --format FORMAT       text (default), json, github (annotations and a job summary in
                        $GITHUB_STEP_SUMMARY) or sarif (SARIF 2.1.0)
  --json                the same as --format json: one JSON document on stdout, nothing else
  --fail-on LIST        exit 1 when any finding is in these categories (${CATEGORIES.join(', ')}),
                        or on drift or a failed dry run (drift, dry-run; an unavailable one,
                        which the embedded server could not judge, never fails)
  --changed-since REF   review only the migrations this branch adds to git REF, as one run on
                        top of REF's history, and check the journal against REF (edited or
                        removed migrations, out-of-order "when", missing files: exit 1)
  --as-one-run          treat the inputs as one pending run: tables created earlier in the run are new
  --database-url URL    review only what that database has not applied (read-only), show drift
                        between its drizzle history and the folder, and dry-run the pending set
                        on top of the replayed applied history; PATH must be one migrations folder
  --image-digest SHA    with --database-url: the image digest (sha256:…) the build would run,
                        pinned in the printed plan as the bot pins it (default: none)
  --no-dry-run          skip the embedded dry run
${DRY_RUN_USAGE}
${EXTRA_USAGE}
  -h, --help            this text

Exit status: 0 reviewed, 1 a --fail-on category or a repository check failed, 2 the input
could not be read.`;

export async function main(
  argv: string[],
  out: Output = process.stdout,
  rawErr: Output = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const err = terminalSafe(rawErr);
  const options = parseOptions(argv);
  if (!options.ok) {
    err.write(`${options.reason}\n\n${REVIEW_USAGE}\n`);
    return 2;
  }
  const { help, format, failOn, paths, databaseUrl, changedSince, asOneRun, dryRun, imageDigest, statsFile, dryRunValues } = options;
  if (help) {
    out.write(`${REVIEW_USAGE}\n`);
    return 0;
  }
  const stats = await readStatsOption(statsFile);
  if (!stats.ok) {
    err.write(`Cannot review: ${stats.reason}\n`);
    return 2;
  }
  const dryRunOptions = await readDryRunOptions(dryRunValues);
  if (!dryRunOptions.ok) {
    err.write(`Cannot review: ${dryRunOptions.reason}\n`);
    return 2;
  }

  // Starts PGlite only when first used; the trace records the locks and rewrites each statement causes.
  const pglite = dryRun ? new PgliteDryRunner({ trace: true }) : undefined;
  let report: ReviewReport;
  try {
    const built = await buildReport(
      { paths, databaseUrl, changedSince, asOneRun, imageDigest, tables: stats.tables, dryRunContext: dryRunOptions.context },
      pglite && withProgress(pglite, rawErr),
    );
    if (!built.ok) {
      err.write(`${built.what ?? 'Cannot review'}: ${built.reason}\n`);
      return 2;
    }
    report = built.report;
  } finally {
    await pglite?.close();
  }

  const oneRun = report.scope === 'run';
  if (format === 'json')
    await writeJsonDocument(out, { ...reportJson(report), timeline: timelineJson(report.review, oneRun) }, 'statements');
  else if (format === 'sarif') out.write(escapeJsonText(renderSarif(report, failOn, packageJson.version)));
  else if (format === 'github') {
    const safe = escapeControlCharsDeep(report);
    out.write(renderGithub(renderText(safe, PLAIN), annotations(safe, failOn)));
    const written = await appendStepSummary(renderMarkdown(safe), env);
    if (!written.ok) err.write(`Job summary not written: ${written.reason}\n`);
  } else {
    const safe = escapeControlCharsDeep(report);
    const style = out.isTTY === true && !env.NO_COLOR ? ANSI : PLAIN;
    out.write(renderText(safe, style, timelineText(safe.review, oneRun, style)));
  }
  // Not on stdout: with --json or --format sarif, stdout is the document and nothing else.
  if (format === 'json' || format === 'sarif') err.write(`${report.scopeText}\n`);

  const failed = failOn.flatMap((name) => {
    if (isCategory(name)) return report.review.summary[name] > 0 ? [`${report.review.summary[name]} ${name}`] : [];
    if (name === 'drift') return report.drift.length ? [`${report.drift.length} drift`] : [];
    return report.dryRun?.ok === false && report.dryRun.status === 'failed' ? ['a failed dry run'] : [];
  });
  // A repository check means the migrations will not run as reviewed: never a matter of taste.
  if (report.checks.length) failed.unshift(`${report.checks.length} repository check${report.checks.length === 1 ? '' : 's'}`);
  if (failed.length > 0) {
    err.write(`Failing: found ${failed.join(', ')}${failOn.length ? ` (--fail-on ${failOn.join(',')})` : ''}\n`);
    return 1;
  }
  return 0;
}

type Options =
  | {
      ok: true;
      help: boolean;
      format: Format;
      failOn: string[];
      paths: string[];
      databaseUrl?: string;
      changedSince?: string;
      asOneRun: boolean;
      dryRun: boolean;
      imageDigest?: string;
      statsFile?: string;
      dryRunValues: { 'search-path'?: string; 'dry-run-setup'?: string };
    }
  | { ok: false; reason: string };

/** Every option of `deploybot review`, parsed and checked in one place. */
export function parseOptions(argv: string[]): Options {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const { values } = args;
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format))
    return { ok: false, reason: `--format: unknown format "${format}"; use ${FORMATS.join(', ')}` };
  if (values.json && values.format && values.format !== 'json')
    return { ok: false, reason: `--json and --format ${values.format} contradict each other` };
  const failOn: string[] = [];
  for (const name of (values['fail-on'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isCategory(name) && !(CHECKS as readonly string[]).includes(name)) {
      return { ok: false, reason: `--fail-on: unknown category "${name}"; use ${[...CATEGORIES, ...CHECKS].join(', ')}` };
    }
    failOn.push(name);
  }
  const imageDigest = values['image-digest']?.trim().toLowerCase();
  if (imageDigest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(imageDigest))
    return { ok: false, reason: `--image-digest: "${imageDigest}" is not a sha256:<64 hex> digest` };
  return {
    ok: true,
    help: values.help === true,
    format: format as Format,
    failOn,
    paths: args.positionals.length ? args.positionals : ['backend/drizzle'],
    databaseUrl: values['database-url'],
    changedSince: values['changed-since'],
    asOneRun: values['as-one-run'] === true,
    dryRun: !values['no-dry-run'],
    imageDigest,
    statsFile: values['stats-file'],
    dryRunValues: { 'search-path': values['search-path'], 'dry-run-setup': values['dry-run-setup'] },
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      format: { type: 'string' },
      'fail-on': { type: 'string' },
      'changed-since': { type: 'string' },
      'as-one-run': { type: 'boolean' },
      'database-url': { type: 'string' },
      'no-dry-run': { type: 'boolean' },
      'image-digest': { type: 'string' },
      ...EXTRA_OPTIONS,
      ...DRY_RUN_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
}
