import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readAppliedMigrations } from '../db/applied-migrations.ts';
import { PgliteDryRunner } from '../dryrun/pglite-dry-run.ts';
import { redact } from '../redact.ts';
import { ANSI, formatReviewText, PLAIN, type TextStyle } from '../review/format-text.ts';
import { loadJournalFolder, loadMigrations } from '../review/load.ts';
import { CATEGORIES, isCategory } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';
import { withTableSizes } from '../review/table-size.ts';
import { describeDryRun, reviewTarget, type TargetReview } from '../review/target-review.ts';
import { EXTRA_OPTIONS, EXTRA_USAGE, readStatsOption, timelineJson, timelineText } from './review-extras.ts';

const CHECKS = ['drift', 'dry-run'] as const;

const USAGE = `Usage: npm run review -- [--json] [--fail-on LIST] [--as-one-run] [--database-url URL] [--no-dry-run] [PATH...]

Reviews drizzle-kit migrations (a migrations folder in journal order, or .sql files).
PATH defaults to backend/drizzle. Unless --no-dry-run, a migrations folder is also applied to
an embedded PostgreSQL (PGlite) in one transaction, as drizzle would, to show that it executes.

  --json              one JSON document on stdout
  --fail-on LIST      exit 1 when any finding is in these categories (${CATEGORIES.join(', ')}),
                      or on drift or a failed dry run (drift, dry-run)
  --as-one-run        treat the inputs as one pending run: tables created earlier in the run are new
  --database-url URL  review only what that database has not applied (read-only), show drift
                      between its drizzle history and the folder, and dry-run the pending set
                      on top of the replayed applied history; PATH must be one migrations folder
  --no-dry-run        skip the embedded dry run
${EXTRA_USAGE}
  -h, --help          this text

Exit status: 0 reviewed, 1 a --fail-on category was found, 2 the input could not be read.`;

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export async function main(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const failOn: string[] = [];
  for (const name of (args.values['fail-on'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isCategory(name) && !(CHECKS as readonly string[]).includes(name)) {
      err.write(`--fail-on: unknown category "${name}"; use ${[...CATEGORIES, ...CHECKS].join(', ')}\n`);
      return 2;
    }
    failOn.push(name);
  }
  const paths = args.positionals.length ? args.positionals : ['backend/drizzle'];
  const databaseUrl = args.values['database-url'];
  const dryRun = !args.values['no-dry-run'];
  const style = out.isTTY === true && !process.env.NO_COLOR ? ANSI : PLAIN;
  const stats = await readStatsOption(args.values['stats-file']);
  if (!stats.ok) {
    err.write(`Cannot review: ${stats.reason}\n`);
    return 2;
  }
  const oneRun = databaseUrl !== undefined || args.values['as-one-run'] === true;

  let target: TargetReview | undefined;
  let review: TargetReview['review'];
  const runner = dryRun ? new PgliteDryRunner({ trace: true }) : undefined; // starts PGlite only when first used
  try {
    const folder = paths.length === 1 && paths[0] ? await asFolder(paths[0]) : undefined;
    if (databaseUrl && !folder) {
      err.write('Cannot review: --database-url needs exactly one drizzle migrations folder as PATH\n');
      return 2;
    }
    if (folder) {
      const loaded = await loadJournalFolder(folder);
      if (!loaded.ok) {
        err.write(`Cannot review: ${loaded.reason}\n`);
        return 2;
      }
      if (!databaseUrl && loaded.missing[0]) {
        err.write(`Cannot review: ${loaded.missing[0].file}: listed in the journal but missing\n`);
        return 2;
      }
      const history = databaseUrl ? await readAppliedMigrations(databaseUrl, { catalog: true }) : undefined;
      if (history && !history.ok) {
        err.write(`Cannot read the target database: ${redact(history.reason)}\n`);
        return 2;
      }
      target = await reviewTarget({
        migrations: loaded.migrations,
        missing: loaded.missing,
        history,
        dryRunner: runner,
        tables: stats.tables,
        // Without a target the whole history is "pending" on a fresh database; keep the
        // per-migration view unless asked to treat it as one run.
        scope: databaseUrl || args.values['as-one-run'] ? 'run' : 'migration',
      });
      review = target.review;
    } else {
      const loaded = await loadMigrations(paths);
      if (!loaded.ok) {
        err.write(`Cannot review: ${loaded.reason}\n`);
        return 2;
      }
      // Loose .sql files carry no history to replay them on: no dry run for them.
      review = withTableSizes(
        await reviewMigrations(loaded.migrations, { newTablesScope: args.values['as-one-run'] ? 'run' : 'migration' }),
        stats.tables,
      );
    }
  } finally {
    await runner?.close();
  }

  if (args.values.json) {
    const timeline = timelineJson(review, oneRun);
    out.write(`${JSON.stringify({ ...review, timeline, target: target && targetJson(target, databaseUrl !== undefined) }, null, 2)}\n`);
  } else {
    if (target) out.write(formatTarget(target, databaseUrl !== undefined, style));
    out.write(formatReviewText(review, style));
    out.write(timelineText(review, oneRun, style));
  }
  const failed = failOn.flatMap((name) => {
    if (isCategory(name)) return review.summary[name] > 0 ? [`${review.summary[name]} ${name}`] : [];
    if (name === 'drift') return target?.plan.drift.length ? [`${target.plan.drift.length} drift`] : [];
    return target?.dryRun?.ok === false ? ['a failed dry run'] : [];
  });
  if (failed.length > 0) {
    err.write(`Failing: found ${failed.join(', ')} (--fail-on ${failOn.join(',')})\n`);
    return 1;
  }
  return 0;
}

async function asFolder(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? path : undefined;
}

function targetJson(target: TargetReview, fromDatabase: boolean) {
  return {
    database: fromDatabase ? 'target' : 'embedded',
    pendingKnown: target.pendingKnown,
    applied: target.plan.applied.map((m) => m.tag),
    pending: target.plan.pending.map((m) => m.tag),
    drift: target.plan.drift,
    dryRun: target.dryRun ?? null,
  };
}

function formatTarget(target: TargetReview, fromDatabase: boolean, style: TextStyle): string {
  const lines: string[] = [];
  const { applied, pending, drift } = target.plan;
  lines.push(
    style.bold(
      fromDatabase
        ? `Target database: ${applied.length} applied, ${pending.length} pending${pending.length ? `: ${pending.map((m) => m.tag).join(', ')}` : ''}`
        : `Embedded PostgreSQL: the whole history (${pending.length} migrations) as one fresh run`,
    ),
  );
  if (drift.length) {
    lines.push(style.category('destructive', `Drift (${drift.length}): drizzle will not notice these`));
    for (const d of drift) lines.push(`  - ${d.kind}: ${d.message}`);
  }
  const dry = describeDryRun(target.dryRun);
  lines.push(target.dryRun?.ok === false ? style.category('destructive', dry) : dry);
  if (target.dryRun && !target.dryRun.ok) lines.push(style.dim(indent(target.dryRun.statement.trim())));
  return `${lines.join('\n')}\n\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      'fail-on': { type: 'string' },
      'as-one-run': { type: 'boolean' },
      'database-url': { type: 'string' },
      'no-dry-run': { type: 'boolean' },
      ...EXTRA_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
}
