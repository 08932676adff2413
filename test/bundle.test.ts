import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './support/fake-aws.ts';
import { FakeSlackApi } from './support/fake-slack-api.ts';

const run = promisify(execFile);

// The Lambda as it ships: the esbuild bundle, in a fresh process, answering a signed request
// delivered as an API Gateway event. Catches what only bundling breaks (lazy chunks, interop).
describe('the bundled Slack handler', () => {
  const slack = new FakeSlackApi();
  const aws = new FakeAws();
  let config: string;
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build.mjs']);
    await slack.start();
    await aws.start();
    aws.projects.set('daadaar-migrations', []);
    aws.secrets.set('daadaar/prod/database-url', 'postgres://deploy:pw@127.0.0.1:1/daadaar');
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    config = join(dir, 'deploybot.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        environments: {
          prod: {
            codebuildProject: 'daadaar-migrations',
            region: 'us-east-1',
            databaseUrlSecretId: 'daadaar/prod/database-url',
            channels: ['C0DEPLOYS01'],
            approvers: ['U0APPROVER1'],
          },
        },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await slack.stop();
    await aws.stop();
  });

  async function invoke(text: string): Promise<{ status: number }> {
    const { stdout } = await run(process.execPath, ['bench/cold-start-child.mjs'], {
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        BUNDLE: resolve('dist/lambda/slack.mjs'),
        COMMAND_TEXT: text,
        DEPLOYBOT_CONFIG: config,
        MIGRATIONS_DIR: resolve('backend/drizzle'),
        SLACK_SIGNING_SECRET: 'bench-signing-secret',
        SLACK_BOT_TOKEN: 'xoxb-bundle-test',
        SLACK_API_URL: slack.url,
        LOG_LEVEL: 'warn',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST00',
        AWS_SECRET_ACCESS_KEY: 'bundle-secret',
      },
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  }

  it('opens and fills the modal, reading the secret through the lazily loaded SDK', async () => {
    expect((await invoke('migrate prod')).status).toBe(200);
    const modal = JSON.stringify(slack.callsTo('views.update').at(-1)?.args.view);
    // The database is unreachable on purpose; what matters is that the secret was read.
    expect(modal).toContain('Pending set unknown');
    expect(modal).not.toContain('Cannot read secret');
    expect(modal).not.toContain(':pw@');
    expect(aws.callsOf('GetSecretValue')).toEqual([{ SecretId: 'daadaar/prod/database-url' }]);
  }, 60_000);

  it('answers /daadaar status through the lazily loaded CodeBuild client', async () => {
    expect((await invoke('status prod')).status).toBe(200);
    expect(aws.callsOf('ListBuildsForProject')).toHaveLength(1);
  }, 60_000);
});
