// The contract between the bot and the CodeBuild build: the environment variables StartBuild
// overrides. The bot writes them (encodeBuildEnvironment); the build's verifier, the status
// reporter and `/daadaar status` read them (decodeBuildEnvironment). Nothing else names them.
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
} as const;

export type BuildRun = { kind: 'migrate' } | { kind: 'seed'; clean: boolean };

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
}

export function decodeBuildEnvironment(vars: Readonly<Record<string, string | undefined>>): DecodedBuildEnvironment {
  const get = (name: string) => {
    const value = vars[name]?.trim();
    return value ? value : undefined;
  };
  const run: BuildRun | undefined =
    get(BUILD_VARS.runMigrations) === 'true'
      ? { kind: 'migrate' }
      : get(BUILD_VARS.runSeed) === 'true'
        ? { kind: 'seed', clean: get(BUILD_VARS.clean) === 'true' }
        : undefined;
  return {
    run,
    requestId: get(BUILD_VARS.requestId),
    env: get(BUILD_VARS.env),
    channel: get(BUILD_VARS.channel),
    threadTs: get(BUILD_VARS.threadTs),
    requestedBy: get(BUILD_VARS.requestedBy),
    approvedBy: (get(BUILD_VARS.approvedBy) ?? '').split(',').filter(Boolean),
    plan: get(BUILD_VARS.plan),
    planSha256: get(BUILD_VARS.planSha256),
    imageUri: get(BUILD_VARS.imageUri),
  };
}
