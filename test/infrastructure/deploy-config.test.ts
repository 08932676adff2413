// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation and Serverless variables, not JS templates
// biome-ignore-all lint/suspicious/noExplicitAny: parsed YAML documents are navigated freely in assertions
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_STACK_OUTPUT_PARAMS, DEPLOYMENT_NAMES } from '../../scripts/infrastructure/names.ts';
import { renderInfrastructure } from '../../scripts/infrastructure/render.ts';
import { parseConfig } from '../../src/config.ts';

// The deploy files are YAML nobody can run here (no AWS account): these tests hold them to
// the code they deploy, so a renamed handler, a new Slack method or a widened policy shows up.
const read = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, any>;
const serverless = read('serverless/serverless.yml');
const template = read('infrastructure/aws/deploybot.yml');
const manifest = read('infrastructure/aws/slack-app-manifest.yml');
const config = parseConfig(readFileSync('deploybot.config.json', 'utf8'));
if (!config.ok) throw new Error(config.reason);
const rendered = renderInfrastructure(
  config.config,
  readFileSync('infrastructure/aws/deploybot.yml', 'utf8'),
  DEPLOYMENT_NAMES,
  serverless.provider.region,
);
if (!rendered.ok) throw new Error(rendered.reason);
const bot = rendered.rendered.bot as Record<string, any>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const source = sourceFiles('src').map((f) => readFileSync(f, 'utf8'));

describe('serverless/serverless.yml', () => {
  it('deploys the packaged zip, with one function per handler in src/handlers', () => {
    expect(serverless.package.artifact).toBe('../dist/package/deploybot.zip');
    const handlers = Object.values(serverless.functions as Record<string, { handler: string }>).map((f) => f.handler);
    // Composition roots and the dev server sit beside the entries; an entry exports `handler`.
    const entries = readdirSync('src/handlers')
      .filter((f) => readFileSync(`src/handlers/${f}`, 'utf8').includes('export const handler'))
      .map((f) => `${f.replace(/\.ts$/, '')}.handler`);
    expect(handlers.sort()).toEqual(entries.sort());
    expect(readFileSync('scripts/build.mjs', 'utf8')).toContain("'codebuild-events': 'src/handlers/codebuild-events.ts'");
  });

  it('runs on Node 22 everywhere: Lambda, the esbuild target, engines, .nvmrc, the workflow and the types', () => {
    expect(serverless.provider.runtime).toBe('nodejs22.x');
    expect(readFileSync('scripts/build.mjs', 'utf8')).toMatch(/target: 'node22'/);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.engines.node).toBe('>=22');
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^22\./);
    expect(readFileSync('.nvmrc', 'utf8').trim()).toBe('22');
    expect(readFileSync('.github/workflows/migration-review.yml', 'utf8')).toContain('node-version-file: reviewer/.nvmrc');
    expect(readFileSync('Dockerfile', 'utf8')).toContain('ARG NODE_VERSION=22');
  });

  it('routes Slack to POST /slack/events; build events come from each environment stack, not from here', () => {
    expect(serverless.functions.slack.events).toContainEqual({ httpApi: { method: 'POST', path: '/slack/events' } });
    expect(serverless.functions.codebuildEvents.events).toBeUndefined();
    // The environment stacks target this function by name, and its role names it too.
    expect(serverless.functions.codebuildEvents.name).toBe(DEPLOYMENT_NAMES.statusFunction);
    expect(template.Parameters.StatusFunctionName.Default).toBe(DEPLOYMENT_NAMES.statusFunction);
    expect(serverless.functions.slack.name).toBe(DEPLOYMENT_NAMES.slackFunction);
  });

  it("gives each function its own role from the bot's stack, and no shared one", () => {
    // `npm run deploy` reads each output of the bot's stack and passes it as the param of that name.
    const param = (name: keyof typeof BOT_STACK_OUTPUT_PARAMS) => `\${param:${name}}`;
    expect(serverless.functions.slack.role).toBe(param('slackFunctionRoleArn'));
    expect(serverless.functions.codebuildEvents.role).toBe(param('statusFunctionRoleArn'));
    expect(serverless.provider.iam).toBeUndefined();
    expect(serverless.provider.environment.DEPLOYBOT_TABLE).toBe(param('requestTableName'));
    expect(Object.keys(bot.Outputs)).toEqual(expect.arrayContaining(Object.values(BOT_STACK_OUTPUT_PARAMS)));
    // Nothing left that would make packaging call CloudFormation.
    expect(readFileSync('serverless/serverless.yml', 'utf8')).not.toContain('${cf:');
    expect(serverless.provider.environment.SLACK_SECRET_ID).toBe(DEPLOYMENT_NAMES.slackSecret);
  });

  it('sets only environment variables the code reads', () => {
    for (const name of Object.keys(serverless.provider.environment)) {
      expect(
        source.some((s) => s.includes(`.${name}`) || s.includes(`'${name}'`)),
        name,
      ).toBe(true);
    }
  });
});

describe("the bot's stack", () => {
  it('holds the request table: pk/sk, the byEnv index, the sparse due index, TTL, point-in-time recovery, kept on delete', () => {
    const table = bot.Resources.RequestTable;
    expect(table).toMatchObject({ Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'duePk', 'dueSk'].map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byEnv',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          // Only unsettled requests carry duePk: the reconciler reads them without a scan.
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'duePk', KeyType: 'HASH' },
            { AttributeName: 'dueSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is rendered by npm run infra, one file per stack', async () => {
    const out = mkdtempSync(join(tmpdir(), 'infra-'));
    const { stdout } = await promisify(execFile)(process.execPath, [
      'node_modules/.bin/tsx',
      'scripts/render-infrastructure.ts',
      '--out',
      out,
    ]);
    expect(readdirSync(out).sort()).toEqual(
      ['bot.json', ...Object.keys(config.config.environments).map((n) => `codebuild-${n}.json`)].sort(),
    );
    expect(JSON.parse(readFileSync(join(out, 'bot.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(bot)));
    expect(stdout).toContain(`--stack-name ${DEPLOYMENT_NAMES.botStack} --template-file ${join(out, 'bot.json')}`);
    expect(stdout).toContain('--stack-name daadaar-deploybot-codebuild-staging');
    // Numbered as the README's Deploying steps, which the README lists in the same order.
    const steps = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[0]);
    expect(steps).toEqual(['3.', '4.', ...Object.keys(config.config.environments).map(() => '5.')]);
    const readme = readFileSync('README.md', 'utf8');
    const deploying = readme.slice(readme.indexOf('## Deploying'));
    expect(deploying).toMatch(/\n3\. \*\*The bot's stack\*\*/);
    expect(deploying).toMatch(/\n4\. \*\*The functions\*\*: `npm run package && npm run deploy/);
    expect(deploying).toMatch(/\n5\. \*\*Each environment\*\*/);
  }, 30_000);
});

describe('infrastructure/aws/deploybot.yml', () => {
  const project = template.Resources.MigrationsProject.Properties;

  it('keeps the platform model: NO_SOURCE, standard:7.0, privileged, in the VPC, one build at a time', () => {
    expect(project.Source.Type).toBe('NO_SOURCE');
    expect(project.Environment).toMatchObject({ Image: 'aws/codebuild/standard:7.0', PrivilegedMode: true });
    expect(project.Environment.EnvironmentVariables.map((v: { Name: string; Type: string }) => `${v.Name}:${v.Type}`)).toEqual([
      'IMAGE_URI:PLAINTEXT',
      'DATABASE_URL:SECRETS_MANAGER',
      'DEPLOYBOT_TABLE:PLAINTEXT',
      'DEPLOYBOT_PROJECT_ENV:PLAINTEXT',
    ]);
    expect(project.VpcConfig.Subnets).toEqual({ Ref: 'SubnetIds' });
    expect(project.ConcurrentBuildLimit).toBe(1);
  });

  it('carries the buildspec file verbatim', () => {
    expect(project.Source.BuildSpec).toBe(readFileSync('infrastructure/aws/codebuild-migrations.buildspec.yml', 'utf8'));
  });

  it('has no default for what names an environment, so no stack falls back to production', () => {
    for (const name of ['EnvironmentName', 'ProjectName', 'DatabaseUrlSecretName'])
      expect(template.Parameters[name].Default, name).toBeUndefined();
    expect(project.Environment.EnvironmentVariables[1].Value).toEqual({ Ref: 'DatabaseUrlSecretName' });
  });
});

describe('infrastructure/aws/slack-app-manifest.yml', () => {
  // What each Slack Web API method the code calls needs (Slack's method reference).
  const SCOPES: Record<string, string[]> = {
    'chat.postMessage': ['chat:write'],
    'chat.update': ['chat:write'],
    'chat.postEphemeral': ['chat:write'],
    'conversations.history': ['channels:history', 'groups:history'],
    'conversations.replies': ['channels:history', 'groups:history'],
    'views.open': [],
    'views.update': [],
    'files.uploadV2': ['files:write'],
    'usergroups.users.list': ['usergroups:read'],
  };

  it('sends the slash command and interactivity to /slack/events', () => {
    const [command] = manifest.features.slash_commands;
    expect(command.command).toBe('/daadaar');
    expect(command.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks for exactly the scopes the code needs', () => {
    const methods = new Set(
      source.flatMap((s) =>
        [...s.matchAll(/\bslack\.(chat|conversations|views|files|usergroups)\.([\w.]+)\(/g)].map((m) => `${m[1]}.${m[2]}`),
      ),
    );
    for (const method of methods) expect(SCOPES, `unknown Slack method ${method}`).toHaveProperty([method]);
    const needed = new Set(['commands', ...[...methods].flatMap((m) => SCOPES[m] ?? [])]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
