import { readFileSync } from 'node:fs';
// zod/mini: the same checks as zod's chained API, in a form the bundler can shake down to what
// is used. The full API adds about 800 KiB to the Lambda bundle, paid at every cold start.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships no messages ("Invalid input" for everything) until a locale is installed.
z.config(en());

// deploybot.config.json: which environments exist, where their builds run, who may approve.
// Read and validated once per cold start; a bad file stops start-up with every problem named.

const nonEmpty = () => z.string().check(z.minLength(1));

const slackId = (prefix: string, what: string) =>
  z.string().check(z.regex(new RegExp(`^${prefix}[A-Z0-9]{2,}$`), `must be a Slack ${what} id (${prefix}…)`));

const environmentSchema = z.strictObject({
  codebuildProject: nonEmpty(),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')),
  /** The migration owner's DATABASE_URL: only the environment's CodeBuild project reads it. */
  databaseUrlSecretId: nonEmpty(),
  /**
   * A read-only DATABASE_URL (SELECT on drizzle.__drizzle_migrations and the catalog only): all
   * the bot reads, so the internet-facing function never holds the owner's credentials.
   */
  databaseReadUrlSecretId: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'required: the Secrets Manager secret of a read-only DATABASE_URL the bot reads the drizzle history with (README, "Deploying")'
          : undefined,
    })
    .check(z.minLength(1)),
  channels: z.array(slackId('[CG]', 'channel')).check(z.minLength(1)),
  approvers: z.array(slackId('[UW]', 'user')).check(z.minLength(1)),
  approvalsRequired: z._default(z.int().check(z.minimum(1)), 1),
  requestTtlMinutes: z._default(z.int().check(z.minimum(1), z.maximum(24 * 60)), 30),
  /** Git ref or S3 version the build must use, passed to StartBuild as sourceVersion. */
  sourceVersion: z.optional(nonEmpty()),
  /** Digest-pinned backend image (…@sha256:…) to run instead of the project's IMAGE_URI. */
  imageUri: z.optional(nonEmpty()),
  seed: z._default(z.strictObject({ allowed: z.boolean(), reason: z.optional(nonEmpty()) }), { allowed: false }),
  /** Where a locked table counts as medium or large (src/review/table-size.ts has the defaults). */
  tableSizes: z.optional(
    z.strictObject({
      mediumRows: z.optional(z.number()),
      largeRows: z.optional(z.number()),
      mediumBytes: z.optional(z.number()),
      largeBytes: z.optional(z.number()),
    }),
  ),
  /** `setup`: SQL the dry run runs before the history, for what the platform provides (src/dryrun/context.ts). */
  dryRun: z.optional(z.strictObject({ setup: z.optional(nonEmpty()) })),
});

const configSchema = z
  .strictObject({
    environments: z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'environment names are lowercase words')), environmentSchema),
  })
  .check(
    z.superRefine((config, ctx) => {
      for (const [name, env] of Object.entries(config.environments)) {
        if (env.approvalsRequired > env.approvers.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['environments', name, 'approvalsRequired'],
            message: `needs ${env.approvalsRequired} approvers but only ${env.approvers.length} are listed`,
          });
        }
      }
      if (Object.keys(config.environments).length === 0)
        ctx.addIssue({ code: 'custom', path: ['environments'], message: 'define at least one environment' });
    }),
  );

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type DeploybotConfig = z.infer<typeof configSchema>;

export type ConfigResult = { ok: true; config: DeploybotConfig } | { ok: false; reason: string };

export function parseConfig(text: string, source = 'deploybot.config.json'): ConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `${source} is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = configSchema.safeParse(json);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: `${source} is invalid:\n${problems.join('\n')}` };
}

export function loadConfig(path = process.env.DEPLOYBOT_CONFIG ?? 'deploybot.config.json'): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, reason: `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  return parseConfig(text, path);
}

/** Production seeding is off unless a person turned it on, and the refusal says why. */
export function seedRefusal(envName: string, env: EnvironmentConfig): string | undefined {
  if (env.seed.allowed) return undefined;
  return env.seed.reason ?? `Seeding ${envName} is turned off in deploybot.config.json (environments.${envName}.seed.allowed is false).`;
}
