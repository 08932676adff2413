import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { listen } from './http-server.ts';

// AWS services the bot calls, on loopback, speaking the JSON 1.1 protocol the SDK uses
// (POST /, X-Amz-Target: <Service>.<Operation>, application/x-amz-json-1.1, errors as
// { __type, message } with a 4xx status), and Lambda's REST Invoke API
// (POST /2015-03-31/functions/<name>/invocations; InvocationType Event answers 202 at once
// and runs the function afterwards, as Lambda queues an asynchronous invocation). Behaviour follows the AWS API references, including
// StartBuild's idempotency token: the same token within five minutes returns the same build,
// and with different parameters is refused.

export interface FakeBuild {
  id: string;
  arn: string;
  projectName: string;
  buildStatus: string;
  currentPhase: string;
  startTime: number;
  endTime?: number;
  sourceVersion?: string;
  environment: { type: string; image: string; environmentVariables: { name: string; value: string; type: string }[] };
  logs: { groupName: string; streamName: string; deepLink: string };
  phases?: FakePhase[];
}

export interface FakePhase {
  phaseType: string;
  phaseStatus?: string;
  startTime: number;
  endTime?: number;
  durationInSeconds?: number;
}

interface AwsError {
  status: number;
  type: string;
  message: string;
}

export class FakeAws {
  readonly builds: FakeBuild[] = [];
  readonly requests: { target: string; body: Record<string, unknown> }[] = [];
  readonly projects = new Map<string, { name: string; value: string; type: string }[]>();
  readonly secrets = new Map<string, string>();
  /** CloudWatch Logs: "group\tstream" → messages; a missing key is a stream not created yet. */
  readonly logStreams = new Map<string, string[]>();
  /** ECR: repository name → its images (a digest and the tags pointing at it). */
  readonly ecrImages = new Map<string, { imageDigest: string; imageTags: string[] }[]>();
  readonly #tokens = new Map<string, { params: unknown; buildId: string; at: number }>();
  readonly #failures = new Map<string, AwsError[]>();
  readonly #hanging = new Set<string>();
  readonly #held: (() => void)[] = [];
  /** Lambda: runs an asynchronously invoked function's payload. */
  onInvoke?: (functionName: string, payload: unknown) => void;
  readonly invocations: { functionName: string; type: string; payload: unknown }[] = [];
  #server?: { url: string; close(): Promise<void> };
  now = () => Date.now();

  get url(): string {
    return this.#server?.url ?? '';
  }

  async start(): Promise<this> {
    this.#server = await listen((req, raw, res) => {
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (invoke) {
        const functionName = decodeURIComponent(invoke[1] ?? '');
        const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        const payload = JSON.parse(raw || '{}') as unknown;
        this.invocations.push({ functionName, type, payload });
        if (this.#hanging.has('Invoke')) {
          this.#held.push(() => res.destroy());
          return;
        }
        res.writeHead(type === 'Event' ? 202 : 200, { 'x-amzn-requestid': randomUUID() });
        res.end();
        setImmediate(() => this.onInvoke?.(functionName, payload));
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      if (this.#hanging.has(target.split('.')[1] ?? '')) {
        this.requests.push({ target, body: JSON.parse(raw || '{}') as Record<string, unknown> });
        this.#held.push(() => res.destroy());
        return;
      }
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      this.requests.push({ target, body });
      const failure = this.#failures.get(target.split('.')[1] ?? '')?.shift();
      const result = failure ? { error: failure } : this.#dispatch(target, body);
      res.writeHead('error' in result ? result.error.status : 200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(JSON.stringify('error' in result ? { __type: result.error.type, message: result.error.message } : result.ok));
    });
    return this;
  }

  stop(): Promise<void> {
    for (const release of this.#held.splice(0)) release();
    return this.#server?.close() ?? Promise.resolve();
  }

  /** From now on `operation` (e.g. 'GetSecretValue', 'StartBuild', 'Invoke') never answers. */
  hang(operation: string): void {
    this.#hanging.add(operation);
  }

  /** `operation` answers again (calls already held stay unanswered, as a dead connection does). */
  unhang(operation: string): void {
    this.#hanging.delete(operation);
  }

  /** The next call(s) of `operation` (e.g. 'StartBuild') fail with this error. */
  fail(operation: string, error: AwsError): void {
    this.#failures.set(operation, [...(this.#failures.get(operation) ?? []), error]);
  }

  /** A build of the project already in progress, as if someone started it by hand. */
  addRunningBuild(project: string, env: Record<string, string> = {}): FakeBuild {
    return this.#createBuild(project, env);
  }

  /** CodeBuild forgets a build (BatchGetBuilds lists it in buildsNotFound from now on). */
  forgetBuild(id: string): void {
    const at = this.builds.findIndex((b) => b.id === id);
    if (at !== -1) this.builds.splice(at, 1);
  }

  finishBuild(id: string, status: 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT'): void {
    const build = this.builds.find((b) => b.id === id);
    if (build) Object.assign(build, { buildStatus: status, currentPhase: 'COMPLETED', endTime: this.now() / 1000 });
  }

  callsOf(operation: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.target.endsWith(`.${operation}`)).map((r) => r.body);
  }

  #dispatch(target: string, body: Record<string, unknown>): { ok: unknown } | { error: AwsError } {
    switch (target) {
      case 'CodeBuild_20161006.StartBuild':
        return this.#startBuild(body);
      case 'CodeBuild_20161006.StopBuild': {
        const build = this.builds.find((b) => b.id === body.id);
        if (!build) return notFound(`Build cannot be found: ${body.id}`);
        if (build.buildStatus === 'IN_PROGRESS')
          Object.assign(build, { buildStatus: 'STOPPED', currentPhase: 'COMPLETED', endTime: this.now() / 1000 });
        return { ok: { build } };
      }
      case 'CodeBuild_20161006.ListBuildsForProject': {
        if (!this.projects.has(String(body.projectName))) return notFound(`Project cannot be found: ${body.projectName}`);
        const ids = this.builds
          .filter((b) => b.projectName === body.projectName)
          .sort((a, b) => (body.sortOrder === 'ASCENDING' ? a.startTime - b.startTime : b.startTime - a.startTime))
          .map((b) => b.id);
        // CodeBuild answers at most 100 ids a page, with a nextToken for the rest.
        const from = body.nextToken ? Number(body.nextToken) : 0;
        const page = ids.slice(from, from + 100);
        return { ok: { ids: page, ...(from + 100 < ids.length ? { nextToken: String(from + 100) } : {}) } };
      }
      case 'CodeBuild_20161006.BatchGetBuilds': {
        const ids = (body.ids as string[]) ?? [];
        return {
          ok: {
            builds: this.builds.filter((b) => ids.includes(b.id)),
            buildsNotFound: ids.filter((id) => !this.builds.some((b) => b.id === id)),
          },
        };
      }
      case 'Logs_20140328.GetLogEvents': {
        const lines = this.logStreams.get(`${body.logGroupName}\t${body.logStreamName}`);
        if (!lines) return notFound('The specified log stream does not exist.');
        const limit = Number(body.limit ?? 10_000);
        // startFromHead false: the newest page, still in chronological order.
        const page = body.startFromHead === true ? lines.slice(0, limit) : lines.slice(-limit);
        const t0 = this.now();
        return {
          ok: {
            events: page.map((message, i) => ({ timestamp: t0 + i, ingestionTime: t0 + i, message: `${message}\n` })),
            nextForwardToken: 'f/1',
            nextBackwardToken: 'b/1',
          },
        };
      }
      case 'secretsmanager.GetSecretValue': {
        const value = this.secrets.get(String(body.SecretId));
        if (value === undefined)
          return { error: { status: 400, type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } };
        return {
          ok: {
            ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${body.SecretId}`,
            Name: body.SecretId,
            SecretString: value,
            VersionId: randomUUID(),
            CreatedDate: this.now() / 1000,
          },
        };
      }
      case 'AmazonEC2ContainerRegistry_V20150921.DescribeImages':
        return this.#describeImages(body);
      default:
        return { error: { status: 400, type: 'UnknownOperationException', message: `fake does not implement ${target}` } };
    }
  }

  #describeImages(body: Record<string, unknown>): { ok: unknown } | { error: AwsError } {
    const repositoryName = String(body.repositoryName);
    const registryId = String(body.registryId ?? '123456789012');
    const images = this.ecrImages.get(repositoryName);
    if (!images) {
      const message = `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`;
      return { error: { status: 400, type: 'RepositoryNotFoundException', message } };
    }
    const ids = (body.imageIds as { imageTag?: string; imageDigest?: string }[] | undefined) ?? [];
    const found = images.filter((i) =>
      ids.some((id) => i.imageDigest === id.imageDigest || (id.imageTag && i.imageTags.includes(id.imageTag))),
    );
    if (found.length === 0) {
      const [id] = ids;
      const message = `The image with imageId {imageDigest:'${id?.imageDigest ?? 'null'}', imageTag:'${id?.imageTag ?? 'null'}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`;
      return { error: { status: 400, type: 'ImageNotFoundException', message } };
    }
    const imageDetails = found.map((i) => ({
      registryId,
      repositoryName,
      imageDigest: i.imageDigest,
      imageTags: i.imageTags,
      imageSizeInBytes: 52_428_800,
      imagePushedAt: this.now() / 1000,
      imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
    }));
    return { ok: { imageDetails } };
  }

  #startBuild(body: Record<string, unknown>): { ok: unknown } | { error: AwsError } {
    const project = String(body.projectName);
    if (!this.projects.has(project))
      return notFound(`Project cannot be found: arn:aws:codebuild:us-east-1:123456789012:project/${project}`);
    const token = body.idempotencyToken as string | undefined;
    const { idempotencyToken: _t, ...params } = body;
    if (token) {
      const seen = this.#tokens.get(token);
      if (seen && this.now() - seen.at < 5 * 60_000) {
        if (!isDeepStrictEqual(seen.params, params)) {
          return {
            error: {
              status: 400,
              type: 'InvalidInputException',
              message: `Idempotency token ${token} was already used with different request parameters`,
            },
          };
        }
        return { ok: { build: this.builds.find((b) => b.id === seen.buildId) } };
      }
    }
    const overrides = Object.fromEntries(
      ((body.environmentVariablesOverride as { name: string; value: string }[]) ?? []).map((v) => [v.name, v.value]),
    );
    const build = this.#createBuild(project, overrides, body.sourceVersion as string | undefined);
    if (token) this.#tokens.set(token, { params, buildId: build.id, at: this.now() });
    return { ok: { build } };
  }

  #createBuild(project: string, overrides: Record<string, string>, sourceVersion?: string): FakeBuild {
    const uuid = randomUUID();
    const base = this.projects.get(project) ?? [];
    const merged = new Map(base.map((v) => [v.name, v]));
    for (const [name, value] of Object.entries(overrides)) merged.set(name, { name, value, type: 'PLAINTEXT' });
    const build: FakeBuild = {
      id: `${project}:${uuid}`,
      arn: `arn:aws:codebuild:us-east-1:123456789012:build/${project}:${uuid}`,
      projectName: project,
      buildStatus: 'IN_PROGRESS',
      currentPhase: 'SUBMITTED',
      startTime: this.now() / 1000 + this.builds.length / 1000,
      sourceVersion,
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', environmentVariables: [...merged.values()] },
      logs: {
        groupName: `/aws/codebuild/${project}`,
        streamName: uuid,
        deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/${project};stream=${uuid}`,
      },
    };
    this.builds.push(build);
    return build;
  }
}

/** Moves a build along as CodeBuild would: each phase ends before the next starts. */
export function advanceBuild(build: FakeBuild, phases: [type: string, seconds: number, status?: string][], final?: string): void {
  let at = build.startTime;
  build.phases = phases.map(([phaseType, seconds, status], i) => {
    const last = i === phases.length - 1;
    const phase: FakePhase = { phaseType, startTime: at };
    if (!last || final) {
      phase.endTime = at + seconds;
      phase.durationInSeconds = seconds;
      phase.phaseStatus = status ?? 'SUCCEEDED';
    }
    at += seconds;
    return phase;
  });
  build.currentPhase = final ? 'COMPLETED' : (phases.at(-1)?.[0] ?? 'SUBMITTED');
  if (final) {
    build.buildStatus = final;
    build.endTime = at;
  }
}

function notFound(message: string): { error: AwsError } {
  return { error: { status: 400, type: 'ResourceNotFoundException', message } };
}
