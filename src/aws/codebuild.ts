import type { Build } from '@aws-sdk/client-codebuild';
import { BUDGET, sdkTimeouts } from '../deadline.ts';
import { describeAwsError, regionalClients } from './lazy-sdk.ts';

// CodeBuild behind the three calls the bot needs. The SDK client honours AWS_ENDPOINT_URL,
// which is how tests point it at a local server speaking CodeBuild's JSON 1.1 protocol.

export interface BuildSummary {
  id: string;
  project: string;
  status: string;
  currentPhase?: string;
  startTime?: Date;
  endTime?: Date;
  /** Environment as the build ran it, overrides included. */
  env: Record<string, string>;
  logs?: { groupName?: string; streamName?: string; deepLink?: string };
  phases: BuildPhase[];
}

export interface BuildPhase {
  type: string;
  status?: string;
  startTime?: Date;
  endTime?: Date;
  durationSeconds?: number;
}

export interface StartBuildInput {
  project: string;
  region: string;
  idempotencyToken: string;
  environment: Record<string, string>;
  sourceVersion?: string;
}

/**
 * `ambiguous`: the call may have reached CodeBuild (a timeout, a 5xx, a dropped connection), so
 * a build may exist; only a retry with the same idempotency token, or a look at the project's
 * builds, can tell. Otherwise CodeBuild refused and no build exists.
 */
export type StartBuildResult = { ok: true; build: BuildSummary } | { ok: false; code: string; message: string; ambiguous: boolean };

export interface CodeBuildGateway {
  /** Newest first. */
  recentBuilds(project: string, region: string, limit: number): Promise<BuildSummary[]>;
  startBuild(input: StartBuildInput): Promise<StartBuildResult>;
  /**
   * The newest build that `matches`, among the project's builds started at or after `since`:
   * ListBuildsForProject pages newest first (100 ids a page), so it pages back until a build
   * older than `since`, not only through the newest few.
   */
  findBuild(project: string, region: string, since: number, matches: (build: BuildSummary) => boolean): Promise<BuildSummary | undefined>;
  /** Undefined when CodeBuild no longer knows the build (BatchGetBuilds' buildsNotFound). */
  getBuild(buildId: string, region: string): Promise<BuildSummary | undefined>;
  stopBuild(buildId: string, region: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export class SdkCodeBuildGateway implements CodeBuildGateway {
  // Loaded on first use: a slash command's modal never needs CodeBuild.
  readonly #client = regionalClients(
    () => import('@aws-sdk/client-codebuild'),
    (sdk, region) => new sdk.CodeBuildClient({ region, ...sdkTimeouts(BUDGET.codeBuild) }),
  );

  async recentBuilds(project: string, region: string, limit: number): Promise<BuildSummary[]> {
    const { client, sdk } = await this.#client(region);
    const listed = await client.send(new sdk.ListBuildsForProjectCommand({ projectName: project, sortOrder: 'DESCENDING' }));
    const ids = (listed.ids ?? []).slice(0, limit);
    if (ids.length === 0) return [];
    const got = await client.send(new sdk.BatchGetBuildsCommand({ ids }));
    const byId = new Map((got.builds ?? []).map((b) => [b.id, summarize(b)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async findBuild(
    project: string,
    region: string,
    since: number,
    matches: (build: BuildSummary) => boolean,
  ): Promise<BuildSummary | undefined> {
    const { client, sdk } = await this.#client(region);
    let nextToken: string | undefined;
    do {
      const listed = await client.send(new sdk.ListBuildsForProjectCommand({ projectName: project, sortOrder: 'DESCENDING', nextToken }));
      const ids = listed.ids ?? [];
      if (ids.length === 0) return undefined;
      const got = await client.send(new sdk.BatchGetBuildsCommand({ ids }));
      const byId = new Map((got.builds ?? []).map((b) => [b.id, summarize(b)]));
      for (const id of ids) {
        const build = byId.get(id);
        if (!build) continue;
        if (matches(build)) return build;
        if (build.startTime && build.startTime.getTime() < since) return undefined;
      }
      nextToken = listed.nextToken;
    } while (nextToken);
    return undefined;
  }

  async getBuild(buildId: string, region: string): Promise<BuildSummary | undefined> {
    const { client, sdk } = await this.#client(region);
    const got = await client.send(new sdk.BatchGetBuildsCommand({ ids: [buildId] }));
    const build = got.builds?.[0];
    return build ? summarize(build) : undefined;
  }

  async startBuild(input: StartBuildInput): Promise<StartBuildResult> {
    try {
      const { client, sdk } = await this.#client(input.region);
      const started = await client.send(
        new sdk.StartBuildCommand({
          projectName: input.project,
          idempotencyToken: input.idempotencyToken,
          sourceVersion: input.sourceVersion,
          environmentVariablesOverride: Object.entries(input.environment).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' })),
        }),
      );
      if (!started.build) return { ok: false, code: 'EmptyResponse', message: 'StartBuild returned no build', ambiguous: true };
      return { ok: true, build: summarize(started.build) };
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      return { ok: false, code: e.name ?? 'Error', message: e.message ?? String(error), ambiguous: status === undefined || status >= 500 };
    }
  }

  async stopBuild(buildId: string, region: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const { client, sdk } = await this.#client(region);
      await client.send(new sdk.StopBuildCommand({ id: buildId }));
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: describeAwsError(error) };
    }
  }
}

function summarize(build: Build): BuildSummary {
  const env: Record<string, string> = {};
  for (const v of build.environment?.environmentVariables ?? []) {
    // Never carry secret references' values around; PLAINTEXT only.
    if (v.name && v.value !== undefined && (v.type === undefined || v.type === 'PLAINTEXT')) env[v.name] = v.value;
  }
  return {
    id: build.id ?? '?',
    project: build.projectName ?? '?',
    status: build.buildStatus ?? 'UNKNOWN',
    currentPhase: build.currentPhase,
    startTime: build.startTime,
    endTime: build.endTime,
    env,
    logs: build.logs ? { groupName: build.logs.groupName, streamName: build.logs.streamName, deepLink: build.logs.deepLink } : undefined,
    phases: (build.phases ?? []).map((p) => ({
      type: p.phaseType ?? '?',
      status: p.phaseStatus,
      startTime: p.startTime,
      endTime: p.endTime,
      durationSeconds: p.durationInSeconds,
    })),
  };
}
