import { parseArgs } from 'node:util';
import { ANSI, formatReviewText, PLAIN } from '../review/format-text.ts';
import { loadMigrations } from '../review/load.ts';
import { CATEGORIES, type Category, isCategory } from '../review/model.ts';
import { reviewMigrations } from '../review/review.ts';

const USAGE = `Usage: npm run review -- [--json] [--fail-on CATEGORY[,CATEGORY]] [--as-one-run] [PATH...]

Reviews drizzle-kit migrations (a migrations folder in journal order, or .sql files).
PATH defaults to backend/drizzle.

  --json          one JSON document on stdout
  --fail-on LIST  exit 1 when any finding is in these categories (${CATEGORIES.join(', ')})
  --as-one-run    treat the inputs as one pending run: tables created earlier in the run are new
  -h, --help      this text

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
  const failOn: Category[] = [];
  for (const name of (args.values['fail-on'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isCategory(name)) {
      err.write(`--fail-on: unknown category "${name}"; use ${CATEGORIES.join(', ')}\n`);
      return 2;
    }
    failOn.push(name);
  }
  const paths = args.positionals.length ? args.positionals : ['backend/drizzle'];
  const loaded = await loadMigrations(paths);
  if (!loaded.ok) {
    err.write(`Cannot review: ${loaded.reason}\n`);
    return 2;
  }
  const review = await reviewMigrations(loaded.migrations, { newTablesScope: args.values['as-one-run'] ? 'run' : 'migration' });
  if (args.values.json) {
    out.write(`${JSON.stringify(review, null, 2)}\n`);
  } else {
    const colour = out.isTTY === true && !process.env.NO_COLOR;
    out.write(formatReviewText(review, colour ? ANSI : PLAIN));
  }
  const failed = failOn.filter((c) => review.summary[c] > 0);
  if (failed.length > 0) {
    err.write(`Failing: found ${failed.map((c) => `${review.summary[c]} ${c}`).join(', ')} (--fail-on ${failOn.join(',')})\n`);
    return 1;
  }
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      'fail-on': { type: 'string' },
      'as-one-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
