import { readFileSync } from 'node:fs';
// zod/mini: the same checks as zod's chained API, in a form the bundler can shake down to what
// is used. The full API adds about 800 KiB to the Lambda bundle, paid at every cold start.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import type { SnapshotTarget } from './build-env.ts';
import { RISKS } from './requests/approval-rule.ts';
import { DEFAULT_TIMEOUT_POLICY, type TimeoutPolicy } from './review/statement-timeouts.ts';

// zod/mini ships no messages ("Invalid input" for everything) until a locale is installed.
z.config(en());

// deploybot.config.json: which environments exist, where their builds run, who may approve.
// Read and validated once per cold start; a bad file stops start-up with every problem named.

const nonEmpty = () => z.string().check(z.minLength(1));
// lock_timeout 0 would mean wait forever (PostgreSQL: "A value of zero turns off the timeout").
const positiveMs = () => z.int().check(z.minimum(1, 'must be a positive number of milliseconds: 0 would wait forever'));

const slackId = (prefix: string, what: string) =>
  z.string().check(z.regex(new RegExp(`^${prefix}[A-Z0-9]{2,}$`), `must be a Slack ${what} id (${prefix}…)`));

// RDS user guide, "Naming constraints in Amazon RDS": 1 to 63 letters, digits or hyphens, a letter first.
const rdsIdentifier = () =>
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$/,
        'must be an RDS identifier: letters, digits and single hyphens, a letter first',
      ),
    );

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
  /**
   * Per-statement lock_timeout and statement_timeout, in ms, over the defaults in
   * src/review/statement-timeouts.ts; a statementTimeoutMs of 0 is none.
   */
  timeouts: z.optional(
    z.strictObject({
      giveUpAfterMs: z.optional(positiveMs()),
      lockTimeoutMs: z.optional(
        z.strictObject({
          readsAndWrites: z.optional(positiveMs()),
          writes: z.optional(positiveMs()),
          neither: z.optional(positiveMs()),
        }),
      ),
      statementTimeoutMs: z.optional(
        z.strictObject({
          small: z.optional(z.int().check(z.minimum(0))),
          medium: z.optional(z.int().check(z.minimum(0))),
          large: z.optional(z.int().check(z.minimum(0))),
          unknown: z.optional(z.int().check(z.minimum(0))),
        }),
      ),
    }),
  ),
  /**
   * What must have happened elsewhere first: `succeededIn` names the environment where the same
   * pending migrations (or the same seed files) must already have a succeeded request
   * (src/requests/promotion.ts), so production only runs what staging ran.
   */
  requires: z.optional(z.strictObject({ succeededIn: nonEmpty() })),
  /**
   * Rules that raise what a request needs from what its review found (src/requests/
   * approval-rule.ts): the first that holds decides.
   */
  approvalRules: z.optional(
    z.array(
      z.strictObject({
        name: nonEmpty(),
        when: z.enum(RISKS),
        approvalsRequired: z.optional(z.int().check(z.minimum(1))),
        oneOf: z.optional(slackId('S', 'user group')),
      }),
    ),
  ),
  /**
   * When the build snapshots the database before a migration run: `destructive` when the review of
   * the pending set has a destructive finding, `always`, or `never`. Anything but `never` needs `database`.
   */
  snapshotBefore: z._default(z.enum(['destructive', 'always', 'never']), 'destructive'),
  /** What to snapshot: the RDS DB instance, or the Aurora DB cluster (exactly one). */
  database: z.optional(z.strictObject({ instance: z.optional(rdsIdentifier()), cluster: z.optional(rdsIdentifier()) })),
  /**
   * `/daadaar breakglass <env>`: a migration that runs on its requester's own confirmation, for
   * when no second approver can be reached. Off unless present. Only `users` may use it; it is
   * announced in the environment's channel and in `securityChannel`, and one of the approvers
   * must acknowledge it within `acknowledgeWithinHours` of its confirmation, or the reconciler
   * reminds the channel each day until one does (src/requests/break-glass.ts).
   */
  breakGlass: z.optional(
    z.strictObject({
      users: z.array(slackId('[UW]', 'user')).check(z.minLength(1)),
      securityChannel: slackId('[CG]', 'channel'),
      acknowledgeWithinHours: z._default(z.int().check(z.minimum(1), z.maximum(7 * 24)), 24),
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
      const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: 'custom', path: ['environments', ...path], message });
      for (const [name, env] of Object.entries(config.environments)) {
        const distinct = new Set(env.approvers);
        env.approvers.forEach((approver, i) => {
          if (env.approvers.indexOf(approver) !== i)
            issue([name, 'approvers', i], `${approver} is listed twice: one person's approval counts once`);
        });
        // Anyone in the channel may request, approvers included, and nobody approves their own
        // request (src/requests/decisions.ts): an approver's request needs approvalsRequired others.
        if (env.approvalsRequired > distinct.size - 1) {
          issue(
            [name, 'approvalsRequired'],
            `needs ${env.approvalsRequired} approver${env.approvalsRequired === 1 ? '' : 's'} besides the requester, so at least ${env.approvalsRequired + 1} distinct approvers (${distinct.size} listed): an approver's own request could never be approved`,
          );
        }
        const before = env.requires?.succeededIn;
        if (before !== undefined) {
          if (before === name) issue([name, 'requires', 'succeededIn'], 'names the environment itself: no request could ever be first');
          else if (!config.environments[before])
            issue(
              [name, 'requires', 'succeededIn'],
              `names ${before}, which is not an environment here (${Object.keys(config.environments).join(', ')})`,
            );
          else if (requiresChain(config.environments, before).includes(name))
            issue(
              [name, 'requires', 'succeededIn'],
              `${[name, ...requiresChain(config.environments, before)].join(' → ')}: each waits for the other, so neither could ever run`,
            );
        }
        // A group's members may approve besides the approvers, so only a rule without one is bounded by the list.
        (env.approvalRules ?? []).forEach((rule, i) => {
          const needed = rule.approvalsRequired ?? env.approvalsRequired;
          if (!rule.oneOf && needed > distinct.size - 1)
            issue(
              [name, 'approvalRules', i, 'approvalsRequired'],
              `rule "${rule.name}" needs ${needed} approvals besides the requester, but ${distinct.size} approvers are listed and no user group (oneOf) adds any`,
            );
          if (env.approvalRules?.findIndex((r) => r.name === rule.name) !== i)
            issue([name, 'approvalRules', i, 'name'], `rule "${rule.name}" is named twice: history shows rules by name`);
        });
        if (env.breakGlass && env.channels.includes(env.breakGlass.securityChannel))
          issue(
            [name, 'breakGlass', 'securityChannel'],
            `is one of ${name}'s own channels: a break-glass run must also be seen outside the channel it ran from`,
          );
        if (env.database && (env.database.instance === undefined) === (env.database.cluster === undefined))
          issue([name, 'database'], 'names exactly one of { "instance": "<DB instance id>" } or { "cluster": "<Aurora cluster id>" }');
        else if (!env.database && env.snapshotBefore !== 'never')
          issue(
            [name, 'database'],
            `required with snapshotBefore "${env.snapshotBefore}": name the database to snapshot ({ "instance": "<id>" } or { "cluster": "<id>" }), or set snapshotBefore to "never"`,
          );
        if (secretName(env.databaseUrlSecretId) === secretName(env.databaseReadUrlSecretId)) {
          issue(
            [name, 'databaseReadUrlSecretId'],
            "is the migration owner's secret (databaseUrlSecretId): the internet-facing bot would hold the owner's credentials",
          );
        }
      }
      // What an environment owns is its own: a project or a secret shared between two
      // environments lets one environment's approvers act on the other's database. Project names
      // are compared across regions too: the project's role is named after it, and IAM names are global.
      const owners = new Map<string, string>();
      for (const [name, env] of Object.entries(config.environments)) {
        const owned: [field: keyof EnvironmentConfig, key: string, what: string][] = [
          ['codebuildProject', `project ${env.codebuildProject}`, 'CodeBuild project'],
          ['databaseUrlSecretId', `secret ${secretName(env.databaseUrlSecretId)}`, 'database secret'],
          ['databaseReadUrlSecretId', `secret ${secretName(env.databaseReadUrlSecretId)}`, 'database secret'],
        ];
        for (const [field, key, what] of owned) {
          const owner = owners.get(key);
          if (owner && owner !== name) issue([name, field], `is also ${owner}'s ${what}: each environment needs its own`);
          else owners.set(key, name);
        }
      }
      if (Object.keys(config.environments).length === 0) issue([], 'define at least one environment');
    }),
  );

export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** `from`, then the environments it requires in turn, stopping at the first repeat or unknown. */
function requiresChain(envs: Record<string, EnvironmentConfig>, from: string): string[] {
  const chain: string[] = [];
  for (let at: string | undefined = from; at !== undefined && envs[at] && !chain.includes(at); at = envs[at]?.requires?.succeededIn)
    chain.push(at);
  return chain;
}

/**
 * A Secrets Manager SecretId is a name or an ARN; a full ARN ends in the name and a hyphen with
 * six random characters (Secrets Manager user guide, "secret ARN"), so both forms of one secret
 * compare equal. Regions are ignored: a name shared across regions is a copy-paste, not a plan.
 */
function secretName(id: string): string {
  const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id);
  return arn?.[1] ?? id;
}
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

/**
 * An environment's requests are made, shown and decided only in its configured channels, where
 * its approvers are. Asked again by every job: the config may have changed since the click.
 */
export function channelRefusal(envName: string, env: EnvironmentConfig, channel: string): string | undefined {
  if (env.channels.includes(channel)) return undefined;
  return `${envName} requests are made and decided only in ${env.channels.map((c) => `<#${c}>`).join(' or ')}, where its approvers are.`;
}

/**
 * The snapshot the build takes before a migration run, as the bot decides it at start: the
 * environment's policy and whether the approved review had a destructive finding. Undefined: none.
 */
export function snapshotDecision(env: EnvironmentConfig, destructive: boolean): SnapshotTarget | undefined {
  if (env.snapshotBefore === 'never' || (env.snapshotBefore === 'destructive' && !destructive) || !env.database) return undefined;
  return env.database.instance ? { kind: 'instance', id: env.database.instance } : { kind: 'cluster', id: env.database.cluster ?? '' };
}

/** Production seeding is off unless a person turned it on, and the refusal says why. */
export function seedRefusal(envName: string, env: EnvironmentConfig): string | undefined {
  if (env.seed.allowed) return undefined;
  return env.seed.reason ?? `Seeding ${envName} is turned off in deploybot.config.json (environments.${envName}.seed.allowed is false).`;
}

/** The environment's timeout policy: its `timeouts` over the defaults. */
export function timeoutPolicy(env: Pick<EnvironmentConfig, 'timeouts'>): TimeoutPolicy {
  return {
    lockTimeoutMs: { ...DEFAULT_TIMEOUT_POLICY.lockTimeoutMs, ...defined(env.timeouts?.lockTimeoutMs) },
    statementTimeoutMs: { ...DEFAULT_TIMEOUT_POLICY.statementTimeoutMs, ...defined(env.timeouts?.statementTimeoutMs) },
    giveUpAfterMs: env.timeouts?.giveUpAfterMs ?? DEFAULT_TIMEOUT_POLICY.giveUpAfterMs,
  };
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
