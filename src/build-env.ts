// The contract between the bot and the CodeBuild build: the environment variables StartBuild
// overrides. The bot writes them (encodeBuildEnvironment); the build's verifier, the status
// reporter and `/daadaar status` read them (decodeBuildEnvironment). Nothing else names them.
// The build kind (RUN_MIGRATIONS / RUN_SEED / CLEAN) is decoded here only (decodeBuildRun),
// exactly: a verifier and a runner that read it differently would verify one kind and run another.
//
// They are PLAINTEXT overrides, visible to anyone who can read the build: they carry ids and
// hashes, never a secret. DATABASE_URL reaches the build through the project's own
// SECRETS_MANAGER variable, not through this contract.

export const BUILD_VARS = {
  runMigrations: 'RUN_MIGRATIONS',
  runSeed: 'RUN_SEED',
  clean: 'CLEAN',
  requestId: 'DEPLOYBOT_REQUEST_ID',
  env: 'DEPLOYBOT_ENV',
  channel: 'SLACK_CHANNEL_ID',
  threadTs: 'SLACK_THREAD_TS',
  requestedBy: 'REQUESTED_BY',
  approvedBy: 'APPROVED_BY',
  /** The approved plan, as src/history/plan.ts encodes it; the verifier decodes and compares it. */
  plan: 'DEPLOYBOT_PLAN',
  /** sha256 of the approved plan: what the review message showed and the approvers approved. */
  planSha256: 'DEPLOYBOT_PLAN_SHA256',
  /** The image to run, pinned by digest (repo@sha256:…). */
  imageUri: 'IMAGE_URI',
  /** The bot's decision on a snapshot before the run: `instance:<id>`, `cluster:<id>` or `none` (encodeSnapshotTarget). */
  snapshot: 'DEPLOYBOT_SNAPSHOT',
} as const;

/** What the build snapshots before it migrates: an RDS DB instance or an Aurora DB cluster. */
export type SnapshotTarget = { kind: 'instance' | 'cluster'; id: string };

// RDS identifiers are letters, digits and hyphens, starting with a letter (RDS user guide,
// "Naming constraints in Amazon RDS"); anything else is refused, not passed to the API.
const RDS_IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

export function encodeSnapshotTarget(target: SnapshotTarget | undefined): string {
  return target ? `${target.kind}:${target.id}` : 'none';
}

/**
 * The snapshot decision, exactly as the bot writes it. Absent is `none`: a build started by hand
 * or by a bot from before the variable existed takes no snapshot, as it did then.
 */
export function decodeSnapshotTarget(vars: Vars): { ok: true; target: SnapshotTarget | undefined } | { ok: false; reason: string } {
  const raw = vars[BUILD_VARS.snapshot];
  if (raw === undefined || raw === 'none') return { ok: true, target: undefined };
  const match = /^(instance|cluster):(.+)$/.exec(raw);
  if (match?.[1] && match[2] && RDS_IDENTIFIER.test(match[2]))
    return { ok: true, target: { kind: match[1] as SnapshotTarget['kind'], id: match[2] } };
  return {
    ok: false,
    reason: `${BUILD_VARS.snapshot}=${JSON.stringify(raw.slice(0, 80))} is not instance:<id>, cluster:<id> or none`,
  };
}

/**
 * Set on the environment's CodeBuild project by its stack (infrastructure/aws/deploybot.yml),
 * never by StartBuild: the bot's StartBuild guard denies every override outside BUILD_VARS
 * (scripts/infrastructure/policies.ts). CodeBuild itself sets CODEBUILD_BUILD_ID.
 */
export const PROJECT_VARS = {
  /** The request table the build reads its approval from and claims its run in. */
  table: 'DEPLOYBOT_TABLE',
  /** The environment this project belongs to: a request of another environment is refused. */
  projectEnv: 'DEPLOYBOT_PROJECT_ENV',
  /** `project:uuid`, CodeBuild's id of this build (CODEBUILD_ is reserved to CodeBuild). */
  buildId: 'CODEBUILD_BUILD_ID',
} as const;

export type BuildRun = { kind: 'migrate' } | { kind: 'seed'; clean: boolean };

export type BuildRunDecode = { ok: true; run: BuildRun } | { ok: false; reason: string };

type Vars = Readonly<Record<string, string | undefined>>;

/** A flag is exactly `true`, `false` or absent: ` true`, `TRUE`, `1` or an empty value are refused, not guessed. */
export function decodeFlag(vars: Vars, name: string): { ok: true; value: boolean | undefined } | { ok: false; reason: string } {
  const raw = vars[name];
  if (raw === undefined || raw === 'true' || raw === 'false') return { ok: true, value: raw === undefined ? undefined : raw === 'true' };
  return { ok: false, reason: `${name}=${JSON.stringify(raw.slice(0, 40))} is neither "true" nor "false"` };
}

/** What the build runs, decoded exactly as the bot encodes it; anything else is refused with the reason. */
export function decodeBuildRun(vars: Vars): BuildRunDecode {
  const flags: Record<'migrate' | 'seed' | 'clean', boolean | undefined> = { migrate: undefined, seed: undefined, clean: undefined };
  for (const [key, name] of [
    ['migrate', BUILD_VARS.runMigrations],
    ['seed', BUILD_VARS.runSeed],
    ['clean', BUILD_VARS.clean],
  ] as const) {
    const flag = decodeFlag(vars, name);
    if (!flag.ok) return flag;
    flags[key] = flag.value;
  }
  if (flags.migrate && flags.seed) return { ok: false, reason: 'both RUN_MIGRATIONS=true and RUN_SEED=true are set' };
  if (flags.migrate) {
    if (flags.clean !== undefined) return { ok: false, reason: 'CLEAN is set on a migration build (it belongs to seeds only)' };
    return { ok: true, run: { kind: 'migrate' } };
  }
  if (flags.seed) {
    if (flags.clean === undefined) return { ok: false, reason: 'RUN_SEED=true without CLEAN=true or CLEAN=false' };
    return { ok: true, run: { kind: 'seed', clean: flags.clean } };
  }
  return { ok: false, reason: 'the build sets neither RUN_MIGRATIONS=true nor RUN_SEED=true' };
}

/** `migrate`, `seed (CLEAN=false)`: the kind as one line says it. */
export function describeBuildRun(run: BuildRun): string {
  return run.kind === 'migrate' ? 'migrate' : `seed (CLEAN=${run.clean})`;
}

export interface BuildEnvironment {
  run: BuildRun;
  requestId: string;
  env: string;
  channel: string;
  threadTs: string;
  requestedBy: string;
  approvedBy: string[];
  plan: string;
  planSha256: string;
  /** Absent: the project's own IMAGE_URI is used (never by a request the bot starts). */
  imageUri?: string;
  /** Absent: no snapshot (DEPLOYBOT_SNAPSHOT=none is written, so the decision is always visible). */
  snapshot?: SnapshotTarget;
}

export function encodeBuildEnvironment(b: BuildEnvironment): Record<string, string> {
  const vars: Record<string, string> =
    b.run.kind === 'migrate'
      ? { [BUILD_VARS.runMigrations]: 'true' }
      : { [BUILD_VARS.runSeed]: 'true', [BUILD_VARS.clean]: b.run.clean ? 'true' : 'false' };
  Object.assign(vars, {
    [BUILD_VARS.requestId]: b.requestId,
    [BUILD_VARS.env]: b.env,
    [BUILD_VARS.channel]: b.channel,
    [BUILD_VARS.threadTs]: b.threadTs,
    [BUILD_VARS.requestedBy]: b.requestedBy,
    [BUILD_VARS.approvedBy]: b.approvedBy.join(','),
    [BUILD_VARS.plan]: b.plan,
    [BUILD_VARS.planSha256]: b.planSha256,
  });
  if (b.run.kind === 'migrate') vars[BUILD_VARS.snapshot] = encodeSnapshotTarget(b.snapshot);
  if (b.imageUri) vars[BUILD_VARS.imageUri] = b.imageUri;
  return vars;
}

/**
 * What a build says about itself. Builds started by hand (or by an older bot) carry only part
 * of the contract, so every field may be missing; a reader decides what it needs.
 */
export interface DecodedBuildEnvironment {
  run?: BuildRun;
  requestId?: string;
  env?: string;
  channel?: string;
  threadTs?: string;
  requestedBy?: string;
  approvedBy: string[];
  plan?: string;
  planSha256?: string;
  imageUri?: string;
  snapshot?: SnapshotTarget;
}

export function decodeBuildEnvironment(vars: Readonly<Record<string, string | undefined>>): DecodedBuildEnvironment {
  const get = (name: string) => {
    const value = vars[name]?.trim();
    return value ? value : undefined;
  };
  const run = decodeBuildRun(vars);
  const snapshot = decodeSnapshotTarget(vars);
  return {
    run: run.ok ? run.run : undefined,
    requestId: get(BUILD_VARS.requestId),
    env: get(BUILD_VARS.env),
    channel: get(BUILD_VARS.channel),
    threadTs: get(BUILD_VARS.threadTs),
    requestedBy: get(BUILD_VARS.requestedBy),
    approvedBy: (get(BUILD_VARS.approvedBy) ?? '').split(',').filter(Boolean),
    plan: get(BUILD_VARS.plan),
    planSha256: get(BUILD_VARS.planSha256),
    imageUri: get(BUILD_VARS.imageUri),
    snapshot: snapshot.ok ? snapshot.target : undefined,
  };
}
