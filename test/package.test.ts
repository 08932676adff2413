// biome-ignore-all lint/suspicious/noExplicitAny: a compiled CloudFormation template is navigated freely in assertions
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, writeConfigFile } from './support/bot-harness.ts';
import { stateChange } from './support/codebuild-events.ts';
import { FakeAws } from './support/fake-aws.ts';
import { FakeSlackApi } from './support/fake-slack-api.ts';
import { LocalDynamo } from './support/local-dynamo.ts';

const run = promisify(execFile);

// The Lambda as it ships: `npm run package`'s zip, unpacked away from this repository (so no
// stray node_modules can help), each handler in a fresh process. Catches what only bundling
// and packaging break: lazy chunks, CommonJS interop, files left out of the zip.
describe('the packaged Lambda handlers', () => {
  const slack = new FakeSlackApi();
  const aws = new FakeAws();
  const dynamo = new LocalDynamo();
  /** What the Slack function sent to its own asynchronous invocation. */
  const invocations: unknown[] = [];
  let table: string;
  let config: string;
  let unpacked: string;
  let zipped: Record<string, Uint8Array>;
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build.mjs']);
    await run(process.execPath, ['scripts/package.mjs']);
    unpacked = mkdtempSync(join(tmpdir(), 'lambda-'));
    zipped = unzipSync(readFileSync('dist/package/deploybot.zip'));
    for (const [name, bytes] of Object.entries(zipped)) {
      if (name.endsWith('/')) continue;
      mkdirSync(dirname(join(unpacked, name)), { recursive: true });
      writeFileSync(join(unpacked, name), bytes);
    }
    await slack.start();
    await aws.start();
    await dynamo.start();
    table = await dynamo.table();
    aws.onInvoke = (_fn, payload) => invocations.push(payload);
    aws.projects.set('daadaar-migrations', []);
    aws.secrets.set('daadaar/prod/database-read-url', 'postgres://deploy:pw@127.0.0.1:1/daadaar');
    config = writeConfigFile();
  }, 60_000);
  afterAll(async () => {
    await slack.stop();
    await aws.stop();
    await dynamo.stop();
  });

  /** What the Lambda's configuration would set, pointed at the loopback fakes. */
  const lambdaEnv = () => ({
    DEPLOYBOT_CONFIG: config,
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-bundle-test',
    SLACK_API_URL: slack.url,
    LOG_LEVEL: 'warn',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST00',
    AWS_SECRET_ACCESS_KEY: 'bundle-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    DEPLOYBOT_TABLE: table,
    AWS_LAMBDA_FUNCTION_NAME: 'deploybot-slack',
  });

  /** Runs one invocation of a bundled handler in a fresh process, as Lambda would. */
  async function runHandler(bundle: string, event: unknown): Promise<unknown> {
    const { stdout } = await run(process.execPath, [resolve('test/support/invoke-handler.mjs')], {
      timeout: 30_000,
      cwd: unpacked,
      env: { PATH: process.env.PATH, BUNDLE: join(unpacked, bundle), EVENT: JSON.stringify(event), ...lambdaEnv() },
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  }

  /** The slash command answered, then the job it handed to its own asynchronous invocation run. */
  async function commandAndJob(text: string): Promise<void> {
    const before = invocations.length;
    expect((await invoke(text)).status).toBe(200);
    expect(aws.invocations.at(-1)).toMatchObject({ functionName: 'deploybot-slack', type: 'Event' });
    for (let i = 0; i < 100 && invocations.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await runHandler('slack.mjs', invocations.at(-1))).toEqual({ ok: true, result: { ok: true } });
  }

  async function invoke(text: string): Promise<{ status: number }> {
    const { stdout } = await run(process.execPath, [resolve('bench/cold-start-child.mjs')], {
      timeout: 30_000,
      cwd: unpacked,
      env: {
        PATH: process.env.PATH,
        BUNDLE: join(unpacked, 'slack.mjs'),
        COMMAND_TEXT: text,
        CHANNEL_ID: CHANNEL,
        ...lambdaEnv(),
      },
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  }

  it('opens and fills the modal, reading the secret through the lazily loaded SDK', async () => {
    await commandAndJob('migrate prod');
    const modal = JSON.stringify(slack.callsTo('views.update').at(-1)?.args.view);
    // The database is unreachable on purpose; what matters is that the secret was read.
    expect(modal).toContain('Pending set unknown');
    // The migrations shipped in the zip were found and reviewed.
    expect(modal).toContain('6 migrations, 105 statements');
    expect(modal).not.toContain('Cannot read secret');
    expect(modal).not.toContain(':pw@');
    expect(aws.callsOf('GetSecretValue')).toEqual([{ SecretId: 'daadaar/prod/database-read-url' }]);
  }, 60_000);

  it('answers /daadaar status through the lazily loaded CodeBuild client', async () => {
    await commandAndJob('status prod');
    expect(aws.callsOf('ListBuildsForProject')).toHaveLength(1);
  }, 60_000);

  it('refuses an asynchronous invocation whose job is not signed by this deployment', async () => {
    const forged = { deploybotJob: { type: 'status', to: { user: 'U0X', channel: 'C0X' } }, mac: 'forged' };
    expect(await runHandler('slack.mjs', forged)).toEqual({ ok: true, result: { ok: false } });
  }, 60_000);

  it('carries PGlite whole, so the live dry run starts from the package', async () => {
    const script =
      "const { PGlite } = await import('@electric-sql/pglite'); const db = await PGlite.create(); process.stdout.write(JSON.stringify((await db.query('select 1 as one')).rows)); await db.close();";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      // PGlite's first start takes seconds, more on a loaded machine.
      timeout: 60_000,
      cwd: unpacked,
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(stdout)).toEqual([{ one: 1 }]);
  }, 90_000);

  it('the EventBridge handler reports a build from the package', async () => {
    aws.projects.set('daadaar-migrations', []);
    const arn = 'arn:aws:codebuild:us-east-1:123456789012:build/daadaar-migrations:nope';
    const event = stateChange({ arn, projectName: 'daadaar-migrations' }, 'SUCCEEDED');
    // The build is unknown to (fake) CodeBuild: reported as not found, after a real BatchGetBuilds.
    expect(await runHandler('codebuild-events.mjs', event)).toEqual({ ok: true, result: { kind: 'not-found' } });
    expect(aws.callsOf('BatchGetBuilds').at(-1)).toEqual({ ids: ['daadaar-migrations:nope'] });
  }, 60_000);

  it('deploys through the pinned osls: the compiled template splits the subnets and sizes each function', async () => {
    const out = mkdtempSync(join(tmpdir(), 'serverless-'));
    // The documented deploy in its dry form: no AWS call, the bot stack's outputs as params.
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/deploy.ts',
        '--dry-run',
        '--out',
        out,
        '--subnets',
        'subnet-0a1,subnet-0b2',
        '--security-group',
        'sg-0c3',
      ],
      {
        timeout: 60_000,
      },
    );
    const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>);
    const fn = (name: string) =>
      resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === name)?.Properties;
    const slackFn = fn('daadaar-deploybot-slack');
    const statusFn = fn('daadaar-deploybot-codebuild-events');
    // CloudFormation's Fn::Split of the one param: two subnet ids, not one id "a,b".
    const [separator, joined] = slackFn?.VpcConfig.SubnetIds['Fn::Split'] ?? [];
    expect(joined.split(separator)).toEqual(['subnet-0a1', 'subnet-0b2']);
    expect(slackFn?.VpcConfig.SecurityGroupIds).toEqual(['sg-0c3']);
    expect([slackFn?.Runtime, statusFn?.Runtime]).toEqual(['nodejs22.x', 'nodejs22.x']);
    expect([slackFn?.MemorySize, statusFn?.MemorySize]).toEqual([1769, 512]);
    expect(statusFn?.VpcConfig).toBeUndefined();
    // A crashed job is never replayed by Lambda hours later.
    const invokeConfig = resources.filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig').map((r) => r.Properties);
    const slackInvoke = invokeConfig.find((c) => JSON.stringify(c.FunctionName).includes('SlackLambdaFunction'));
    expect(slackInvoke).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    // The reconciler runs every minute, with its own role, and a failed run is just the next one.
    const reconcilerFn = fn('daadaar-deploybot-reconciler');
    expect(reconcilerFn?.Runtime).toBe('nodejs22.x');
    const schedule = resources.find((r) => r.Type === 'AWS::Events::Rule');
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(JSON.stringify(schedule?.Properties.Targets)).toContain('ReconcilerLambdaFunction');
    expect(reconcilerFn?.Environment.Variables.DEPLOYBOT_RECONCILE_SECONDS).toBe('60');
    expect(new Set([slackFn?.Role, statusFn?.Role, reconcilerFn?.Role]).size).toBe(3);
    // Every handler the template names is a file in the zip that exports it.
    const handlers = resources.filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => String(r.Properties.Handler));
    expect(handlers.sort()).toEqual(['codebuild-events.handler', 'reconcile.handler', 'slack.handler']);
    for (const handler of handlers) {
      const [file, exported] = handler.split('.');
      const bundle = zipped[`${file}.mjs`];
      expect(bundle, `${file}.mjs in the zip`).toBeDefined();
      expect(Buffer.from(bundle as Uint8Array).toString('utf8')).toMatch(
        new RegExp(`export\\s*\\{[^}]*\\bas ${exported}\\b|export\\s*\\{[^}]*\\b${exported}\\b`),
      );
    }
  }, 90_000);

  it('refuses a deploy without subnets, plainly', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/deploy.ts', '--dry-run', '--security-group', 'sg-0c3']).catch(
      (e) => e,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('--subnets needs at least one subnet id');
    expect(failed.stderr).not.toMatch(/\bat \S+:\d+:\d+/);
  }, 30_000);
});
