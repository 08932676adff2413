import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, REQUESTER, SECRET, writeConfigFile } from './support/bot-harness.ts';
import { freePort } from './support/database.ts';
import { FakeAws } from './support/fake-aws.ts';
import { FakeSlackApi } from './support/fake-slack-api.ts';
import { LocalDynamo } from './support/local-dynamo.ts';
import { signedInit, slashCommandBody } from './support/slack-requests.ts';

// Every line a bot process writes is one JSON object, redacted: what a log reader (CloudWatch
// Logs Insights, jq) can parse, and nothing a reader of the logs should not see.

/** Secrets the processes hold; none may appear in any line they write. */
const BOT_TOKEN = 'xoxb-1111111111-2222222222-PlantedBotTokenValue';
const DB_PASSWORD = 'planted-db-password-7f3a';
const DATABASE_URL = `postgres://deploy:${DB_PASSWORD}@127.0.0.1:1/daadaar`;

interface Output {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Each non-empty line parsed as JSON; a line that is not one JSON object fails the test with the line. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`not a JSON object: ${line}`);
      return parsed as Record<string, unknown>;
    });
}

/** The child's output so far, and all of it once it has exited. */
function collect(child: ReturnType<typeof spawn>): { sofar: () => string; done: Promise<Output> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return { sofar: () => stdout, done: new Promise((resolve) => child.on('close', (code) => resolve({ stdout, stderr, code }))) };
}

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

describe('every log line is JSON and redacted', () => {
  const slack = new FakeSlackApi();
  const aws = new FakeAws();
  const dynamo = new LocalDynamo();
  let table: string;
  beforeAll(async () => {
    await slack.start();
    await aws.start();
    await dynamo.start();
    table = await dynamo.table();
    aws.secrets.set('daadaar/prod/database-read-url', DATABASE_URL);
    aws.secrets.set('daadaar/staging/database-read-url', DATABASE_URL);
  });
  afterAll(async () => {
    await slack.stop();
    await aws.stop();
    await dynamo.stop();
  });

  /** What every process here is given; the AWS SDK's Node warning is left on (vitest.config.ts turns it off). */
  const processEnv = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    // Debug: the most lines, Bolt's and web-api's included.
    LOG_LEVEL: 'debug',
    DEPLOYBOT_CONFIG: writeConfigFile(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.url,
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOGGINGTEST0',
    AWS_SECRET_ACCESS_KEY: 'logging-test-secret',
    ...extra,
  });

  /** `npm run dev` (npm's own banner left out with --silent: it is npm's line, not the bot's), one slash command, SIGTERM. */
  async function devServerThroughCommand(env: Record<string, string>, settled: (stdout: string) => boolean): Promise<Output> {
    const port = await freePort();
    const child = spawn('npm', ['run', 'dev', '--silent'], {
      env: processEnv({ DEPLOYBOT_ENV_FILE: join(mkdtempSync(join(tmpdir(), 'logging-')), 'absent.env'), PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    let healthy = false;
    for (let i = 0; i < 300 && !healthy; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy).toBe(true);
    const body = slashCommandBody({ text: 'migrate prod', userId: REQUESTER, channelId: CHANNEL, responseUrl: slack.responseUrl() });
    const answer = await fetch(
      `http://127.0.0.1:${port}/slack/events`,
      signedInit(SECRET, body, 'application/x-www-form-urlencoded', Math.floor(Date.now() / 1000)),
    );
    expect(answer.status).toBe(200);
    for (let i = 0; i < 300 && !settled(output.sofar()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(settled(output.sofar())).toBe(true);
    child.kill('SIGTERM');
    const out = await output.done;
    expect(out.code).toBe(0);
    return out;
  }

  it('npm run dev through a failing Slack call: every line of stdout and stderr is JSON, no secret in any', async () => {
    // The job reads the database URL (with its password) from Secrets Manager, then Slack is
    // degraded when it fills the modal: views.update is answered 503, and 503 on its one retry.
    slack.reset();
    slack.unavailable('views.update', 2);
    const failed = () => slack.callsTo('views.update').filter((c) => c.answer?.status === 503).length === 2;
    const { stdout, stderr } = await devServerThroughCommand({}, failed);
    const lines = [...jsonLines(stdout), ...jsonLines(stderr)];
    expect(aws.callsOf('GetSecretValue')).toContainEqual({ SecretId: 'daadaar/prod/database-read-url' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'form could not be updated' }));
    // web-api's and Bolt's own lines arrive through the same logger.
    expect(lines).toContainEqual(expect.objectContaining({ source: 'web-api' }));
    expect(lines).toContainEqual(expect.objectContaining({ source: 'bolt' }));
    // On Node < 22 the AWS SDK warns once per process, as one line of the dev server's log.
    const sdkWarnings = lines.filter((l) => String(l.msg).startsWith('NodeVersionSupportWarning'));
    expect(sdkWarnings).toHaveLength(NODE_MAJOR < 22 ? 1 : 0);
    if (NODE_MAJOR < 22) expect(sdkWarnings[0]).toMatchObject({ level: 'warn', handler: 'dev' });
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain(BOT_TOKEN);
      expect(text).not.toContain(DB_PASSWORD);
    }
  }, 60_000);

  it('npm run dev: an error that carries a URL with its password is logged as JSON with the password masked', async () => {
    // fetch refuses a URL with credentials and quotes the whole URL in its TypeError
    // ("Request cannot be constructed from a URL that includes credentials: …"): the error the
    // listener logs when the modal cannot be opened carries the password.
    slack.reset();
    const proxied = slack.url.replace('http://', `http://deploybot:${DB_PASSWORD}@`);
    const { stdout, stderr } = await devServerThroughCommand({ SLACK_API_URL: proxied }, (sofar) =>
      sofar.includes('modal could not be opened'),
    );
    const lines = [...jsonLines(stdout), ...jsonLines(stderr)];
    const refused = lines.find((l) => l.msg === 'modal could not be opened');
    expect(refused?.error).toMatch(/includes credentials: .*\[REDACTED\]/);
    expect(slack.callsTo('views.open')).toEqual([]);
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain(DB_PASSWORD);
      expect(text).not.toContain(BOT_TOKEN);
    }
  }, 60_000);

  it('a Lambda entry (the reconciler) writes only JSON lines, its SDK warning included', async () => {
    // As Lambda runs it: a fresh process imports the handler module and invokes it once.
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', resolve('test/support/invoke-handler.mjs')],
      {
        timeout: 30_000,
        env: processEnv({
          BUNDLE: resolve('src/handlers/reconcile.ts'),
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
          DEPLOYBOT_TABLE: table,
          AWS_LAMBDA_FUNCTION_NAME: 'deploybot-reconcile',
        }),
      },
    );
    const lines = [...jsonLines(stdout), ...jsonLines(stderr)];
    // invoke-handler.mjs's own result line: the run happened.
    expect(lines.at(-1)).toMatchObject({ ok: true });
    const sdkWarnings = lines.filter((l) => String(l.msg).startsWith('NodeVersionSupportWarning'));
    expect(sdkWarnings).toHaveLength(NODE_MAJOR < 22 ? 1 : 0);
    if (NODE_MAJOR < 22) expect(sdkWarnings[0]).toMatchObject({ level: 'warn', handler: 'reconcile' });
    expect(`${stdout}${stderr}`).not.toContain(BOT_TOKEN);
  }, 60_000);
});
