// biome-ignore-all lint/suspicious/noExplicitAny: rendered templates are navigated freely in assertions
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOYMENT_NAMES } from '../../scripts/infrastructure/names.ts';
import { renderInfrastructure } from '../../scripts/infrastructure/render.ts';
import { type DeploybotConfig, type EnvironmentConfig, parseConfig } from '../../src/config.ts';
import { formatRunnerLine } from '../../src/runner-report.ts';
import { ACCOUNT, policiesOfRole, resolve } from './iam-evaluation.ts';

// Each environment of deploybot.config.json rendered into its own CodeBuild stack and its own
// statements in the bot's roles. The failure this guards against: a "staging" build that
// migrates production, because the buildspec, the template or the policy named prod's secret.
const TEMPLATE = readFileSync('infrastructure/aws/deploybot.yml', 'utf8');
const BUILDSPEC = readFileSync('infrastructure/aws/codebuild-migrations.buildspec.yml', 'utf8');
const parsed = parseConfig(readFileSync('deploybot.config.json', 'utf8'));
if (!parsed.ok) throw new Error(parsed.reason);
const config = parsed.config;

function render(c: DeploybotConfig = config) {
  const result = renderInfrastructure(c, TEMPLATE, DEPLOYMENT_NAMES, 'us-east-1');
  if (!result.ok) throw new Error(result.reason);
  return result.rendered;
}
/** A stack as CloudFormation would see it: the parameters the config cannot know filled in, `Ref` to a log group or project is its name. */
function stackOf(name: string, c: DeploybotConfig = config): any {
  const stack = render(c).environments[name] as any;
  const parameters = { VpcId: 'vpc-0abc', SubnetIds: 'subnet-0abc', BackendImageUri: 'backend:latest' };
  const nameOf = (resource: string, property: string) => resolve(stack.Resources[resource].Properties[property], parameters) as string;
  return resolve(stack, {
    ...parameters,
    MigrationsLogGroup: nameOf('MigrationsLogGroup', 'LogGroupName'),
    MigrationsProject: nameOf('MigrationsProject', 'Name'),
    MigrationsSecurityGroup: 'sg-0abc',
    'MigrationsRole.Arn': `arn:aws:iam::${ACCOUNT}:role/${nameOf('MigrationsRole', 'RoleName')}`,
    'BuildEventsRule.Arn': `arn:aws:events:us-east-1:${ACCOUNT}:rule/${nameOf('BuildEventsRule', 'Name')}`,
  });
}
/** The bot's statements for one environment, resolved. */
const slackPolicy = (name: string, c: DeploybotConfig = config) =>
  policiesOfRole(render(c).bot.Resources as never, 'SlackFunctionRole').find((p) => p.name.startsWith(`env-${name} `));
/** Every string in a document. */
const strings = (node: unknown): string[] =>
  typeof node === 'string' ? [node] : node && typeof node === 'object' ? Object.values(node).flatMap(strings) : [];
/** Does any string name `word` as a whole name (daadaar-migrations is not daadaar-migrations-staging)? */
const mentions = (node: unknown, word: string) => {
  const whole = new RegExp(`(?<![\\w-])${word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w-])`);
  return strings(node).some((s) => whole.test(s));
};
const ownNames = (env: EnvironmentConfig) => [env.codebuildProject, env.databaseUrlSecretId, env.databaseReadUrlSecretId];

describe.each(['prod', 'staging'])('the %s environment', (name) => {
  const env = config.environments[name] as EnvironmentConfig;
  const others = Object.entries(config.environments).filter(([other]) => other !== name);

  it('gets its own project, log group, role and build-event rule', () => {
    const { Resources: r } = stackOf(name);
    expect(r.MigrationsProject.Properties.Name).toBe(env.codebuildProject);
    expect(r.MigrationsLogGroup.Properties.LogGroupName).toBe(`/aws/codebuild/${env.codebuildProject}`);
    expect(r.MigrationsProject.Properties.LogsConfig.CloudWatchLogs.GroupName).toBe(`/aws/codebuild/${env.codebuildProject}`);
    expect(r.MigrationsRole.Properties.RoleName).toBe(`${env.codebuildProject}-codebuild`);
    expect(r.BuildEventsRule.Properties.Name).toBe(`${env.codebuildProject}-build-events`);
    expect(r.BuildEventsRule.Properties.EventPattern.detail['project-name']).toEqual([env.codebuildProject]);
    expect(r.BuildEventsRule.Properties.Targets[0].Arn).toBe(
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${DEPLOYMENT_NAMES.statusFunction}`,
    );
    expect(r.MigrationsProject.Properties.Tags).toEqual([{ Key: 'deploybot:environment', Value: name }]);
  });

  it("subscribes its own log group's runner reports to the status function, which only that group may invoke so", () => {
    const { Resources: r } = stackOf(name);
    const statusFunction = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${DEPLOYMENT_NAMES.statusFunction}`;
    expect(r.BuildProgressSubscription).toEqual({
      Type: 'AWS::Logs::SubscriptionFilter',
      DependsOn: 'BuildProgressInvokePermission',
      Properties: {
        FilterName: `${env.codebuildProject}-progress`,
        LogGroupName: `/aws/codebuild/${env.codebuildProject}`,
        FilterPattern: '"{\\"deploybot\\":"',
        DestinationArn: statusFunction,
      },
    });
    expect(r.BuildProgressInvokePermission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: statusFunction,
      Principal: 'logs.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${env.codebuildProject}:*`,
    });
  });

  it("hands the build its own database URL, from the project's SECRETS_MANAGER variable", () => {
    const { Resources: r } = stackOf(name);
    expect(r.MigrationsProject.Properties.Environment.EnvironmentVariables).toEqual([
      { Name: 'IMAGE_URI', Type: 'PLAINTEXT', Value: 'backend:latest' },
      { Name: 'DATABASE_URL', Type: 'SECRETS_MANAGER', Value: env.databaseUrlSecretId },
      { Name: 'DEPLOYBOT_TABLE', Type: 'PLAINTEXT', Value: 'daadaar-deploybot-requests' },
      { Name: 'DEPLOYBOT_PROJECT_ENV', Type: 'PLAINTEXT', Value: name },
    ]);
    const readSecret = r.MigrationsRole.Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Sid === 'ReadOwnDatabaseUrl');
    expect(readSecret.Resource).toBe(`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${env.databaseUrlSecretId}-??????`);
    // The buildspec names no secret of its own: what the project sets is what the build uses.
    expect(r.MigrationsProject.Properties.Source.BuildSpec).toBe(BUILDSPEC);
    expect(BUILDSPEC).not.toMatch(/secrets-manager|database-url/);
  });

  it("names nothing of another environment's, in its stack or in the bot's statements for it", () => {
    for (const [, other] of others)
      for (const word of ownNames(other)) {
        expect(mentions(stackOf(name), word), word).toBe(false);
        expect(mentions(slackPolicy(name), word), word).toBe(false);
      }
  });

  it("lets the bot act on this environment's project, log group and read-only secret only", () => {
    const statements = slackPolicy(name)?.statements ?? [];
    const resource = (sid: string) => statements.find((s) => s.Sid === sid)?.Resource;
    expect(resource('RunAndWatchMigrationBuilds')).toEqual([`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${env.codebuildProject}`]);
    expect(resource('ReadBuildLogTail')).toEqual([
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${env.codebuildProject}:log-stream:*`,
    ]);
    expect(resource('ReadTargetHistoryUrl')).toEqual([
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${env.databaseReadUrlSecretId}-??????`,
    ]);
    for (const deny of statements.filter((s) => s.Sid.startsWith('Deny')))
      expect(deny.Resource).toEqual(resource('RunAndWatchMigrationBuilds'));
  });

  it('leaves as parameters only what the config cannot know', () => {
    expect(Object.keys(render().environments[name]?.Parameters ?? {}).sort()).toEqual(['BackendImageUri', 'SubnetIds', 'VpcId']);
  });
});

describe('rendering', () => {
  it('gives no two environments a name in common', () => {
    const named = (stack: any) => {
      const r = stack.Resources;
      return [
        r.MigrationsProject.Properties.Name,
        r.MigrationsLogGroup.Properties.LogGroupName,
        r.MigrationsRole.Properties.RoleName,
        r.BuildEventsRule.Properties.Name,
        r.BuildProgressSubscription.Properties.FilterName,
      ];
    };
    const all = Object.keys(config.environments).flatMap((name) => named(stackOf(name)));
    expect(new Set(all).size).toBe(all.length);
  });

  it('renders whatever environments the config holds, each with its own policy', () => {
    const qa = {
      ...config.environments.staging,
      codebuildProject: 'daadaar-migrations-qa',
      databaseUrlSecretId: 'daadaar/qa/database-url',
    };
    const withQa = { environments: { ...config.environments, qa: { ...qa, databaseReadUrlSecretId: 'daadaar/qa/database-read-url' } } };
    const rendered = render(withQa as DeploybotConfig);
    expect(Object.keys(rendered.environments).sort()).toEqual(['prod', 'qa', 'staging']);
    expect(policiesOfRole(rendered.bot.Resources as never, 'SlackFunctionRole').map((p) => p.name)).toEqual([
      'slack-function',
      'env-prod of SlackFunctionRole',
      'env-staging of SlackFunctionRole',
      'env-qa of SlackFunctionRole',
    ]);
    expect(JSON.stringify(slackPolicy('qa', withQa as DeploybotConfig))).toContain('project/daadaar-migrations-qa');
    expect(stackOf('qa', withQa as DeploybotConfig).Resources.MigrationsProject.Properties.Name).toBe('daadaar-migrations-qa');
  });

  it('refuses more environments than a role can hold policies for', () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`env${i}`, { ...config.environments.staging }]));
    expect(renderInfrastructure({ environments: many } as DeploybotConfig, TEMPLATE, DEPLOYMENT_NAMES, 'us-east-1')).toEqual({
      ok: false,
      reason: '11 environments: a role holds 10 managed policies, one per environment.',
    });
  });

  it('refuses a project name too long to name its role and build-event rule (64 characters)', () => {
    const long = { environments: { prod: { ...config.environments.prod, codebuildProject: 'x'.repeat(52) } } };
    expect(renderInfrastructure(long as DeploybotConfig, TEMPLATE, DEPLOYMENT_NAMES, 'us-east-1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('longer than 51 characters'),
    });
    const fits = { environments: { prod: { ...config.environments.prod, codebuildProject: 'x'.repeat(51) } } };
    expect(renderInfrastructure(fits as DeploybotConfig, TEMPLATE, DEPLOYMENT_NAMES, 'us-east-1').ok).toBe(true);
  });

  it('refuses an environment in another region than the bot, whose build events could not reach it', () => {
    const elsewhere = { environments: { ...config.environments, eu: { ...config.environments.staging, region: 'eu-west-1' } } };
    expect(renderInfrastructure(elsewhere as DeploybotConfig, TEMPLATE, DEPLOYMENT_NAMES, 'us-east-1')).toEqual({
      ok: false,
      reason: 'The bot runs in us-east-1; these environments are elsewhere: eu (eu-west-1). Deploy a bot per region.',
    });
  });
});

describe('the progress subscription filter pattern', () => {
  // One quoted term: CloudWatch Logs matches its characters anywhere in the event, `\"` standing
  // for a double quote (the user guide's "Filter pattern syntax"; aws-cdk-lib quotes terms so).
  const pattern = parse(TEMPLATE).Resources.BuildProgressSubscription.Properties.FilterPattern as string;
  const term = JSON.parse(pattern) as string;
  const matches = (line: string) => line.includes(term);

  it('is one quoted term that matches every runner report and nothing the build prints around them', () => {
    expect(pattern).toMatch(/^"(?:[^"\\]|\\")+"$/);
    expect(term).toBe('{"deploybot":');
    expect(matches(formatRunnerLine({ source: 'migrate', level: 'info', text: 'Applying 0004' }))).toBe(true);
    expect(
      matches(
        formatRunnerLine({
          source: 'migrate',
          level: 'info',
          text: 'step',
          progress: { kind: 'schema', matches: true, differences: [] },
        }),
      ),
    ).toBe(true);
    for (const line of [
      'deploybot request 0b5c, requested by U0REQ, approved by U0APP, plan 9f2e',
      '[Container] 2026/11/24 09:01:02.123456 Running command bun database/run-build.ts',
      '{"level":"info","msg":"deploybot"}',
    ])
      expect(matches(line), line).toBe(false);
  });
});
