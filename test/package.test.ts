import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
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
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build.mjs']);
    await run(process.execPath, ['scripts/package.mjs']);
    unpacked = mkdtempSync(join(tmpdir(), 'lambda-'));
    await run('unzip', ['-q', resolve('dist/package/deploybot.zip'), '-d', unpacked]);
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
});
