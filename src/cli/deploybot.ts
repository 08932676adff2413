import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { main as hashMain } from './migrations-hash.ts';
import { REVIEW_USAGE, main as reviewMain } from './review.ts';
import { RULES_USAGE, main as rulesMain } from './rules.ts';
import { type Output, terminalSafe } from './terminal-text.ts';

// `deploybot <command>`: one entry for every command-line tool, so `npx deploybot …` works from a
// fresh clone and the npm scripts are only names for it.

type CommandMain = (argv: string[], out: Output, err: Output) => Promise<number>;

interface Command {
  summary: string;
  /** Shown by `deploybot <command> --help`; undefined when the command prints its own. */
  usage?: string;
  run: CommandMain;
}

const HASH_USAGE = `Usage: deploybot hash [--expect SHA256] [FOLDER]

Prints the migration files' sha256 (FOLDER defaults to backend/drizzle): one line per journal
entry (tag, journal "when", sha256 of the file), hashed. It tells two checkouts or images apart.

It is NOT what approvers approve or what a build is pinned to. Builds are pinned to the plan
sha256 (the target's applied history, the pending migrations and the image digest), which
\`deploybot review --database-url URL --image-digest sha256:… FOLDER\` prints and the build
checks with \`deploybot verify\`.

  --expect SHA256   exit 0 if the files hash to SHA256, 3 if not
  -h, --help        this text`;

const COMMANDS: Record<string, Command> = {
  review: {
    summary: 'review migrations: findings, drift, repository checks and a dry run on embedded PostgreSQL',
    usage: REVIEW_USAGE,
    run: (argv, out, err) => reviewMain(argv, out, err),
  },
  hash: {
    summary: "print or check the migration files' sha256 (not the plan a build is pinned to)",
    usage: HASH_USAGE,
    // The other tools write file names and reasons: escaped like everything a terminal shows.
    run: (argv, out, err) => hashMain(argv, terminalSafe(out) as typeof process.stdout, terminalSafe(err) as typeof process.stderr),
  },
  verify: {
    summary: 'check a migration plan against the target before it runs',
    run: (argv, out, err) =>
      runOptional('verify', new URL(sibling('verify-plan'), import.meta.url), argv, terminalSafe(out), terminalSafe(err)),
  },
  rules: { summary: 'list the review rules: id, category and what each flags', usage: RULES_USAGE, run: rulesMain },
};

export const USAGE = `Usage: deploybot <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run \`deploybot <command> --help\` for a command's options. \`deploybot --version\` prints the version.`;

export async function main(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    out.write(`${topic?.usage ?? USAGE}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    out.write(`${packageJson.version}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    terminalSafe(err).write(`deploybot: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  const options = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (command.usage && (options.includes('--help') || options.includes('-h'))) {
    out.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, out, err);
}

/** Source runs import the .ts beside this file; the bundle (dist/cli/) imports the .mjs built beside it. */
function sibling(name: string): string {
  return import.meta.url.endsWith('.ts') ? `./${name}.ts` : `./${name}.mjs`;
}

/**
 * A command whose module may not exist in this checkout (it is built on another branch). A
 * missing module is a plain message; a module that exists but fails to load is a real error.
 */
export async function runOptional(name: string, url: URL, argv: string[], out: Output, err: Output): Promise<number> {
  if (!existsSync(fileURLToPath(url))) {
    err.write(`deploybot ${name}: not available in this build (${fileURLToPath(url)} is missing).\n`);
    return 2;
  }
  const module = (await import(url.href)) as { main?: CommandMain };
  if (typeof module.main !== 'function') {
    err.write(`deploybot ${name}: ${fileURLToPath(url)} exports no main(argv, out, err).\n`);
    return 2;
  }
  return module.main(argv, out, err);
}

export { runAsProcess } from './process-entry.ts';
