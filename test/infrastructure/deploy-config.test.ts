// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation and Serverless variables, not JS templates
// biome-ignore-all lint/suspicious/noExplicitAny: parsed YAML documents are navigated freely in assertions
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config.ts';

// The deploy files are YAML nobody can run here (no AWS account): these tests hold them to
// the code they deploy, so a renamed handler, a new Slack method or a widened policy shows up.
const read = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, any>;
const serverless = read('serverless/serverless.yml');
const template = read('infrastructure/aws/deploybot.yml');
const manifest = read('infrastructure/aws/slack-app-manifest.yml');
const config = parseConfig(readFileSync('deploybot.config.json', 'utf8'));
if (!config.ok) throw new Error(config.reason);
const environments = Object.values(config.config.environments);

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

  it('routes Slack to POST /slack/events and CodeBuild events of every configured project', () => {
    expect(serverless.functions.slack.events).toContainEqual({ httpApi: { method: 'POST', path: '/slack/events' } });
    const pattern = serverless.functions.codebuildEvents.events[0].eventBridge.pattern;
    expect(pattern.source).toEqual(['aws.codebuild']);
    expect(pattern['detail-type'].sort()).toEqual(['CodeBuild Build Phase Change', 'CodeBuild Build State Change']);
    expect(pattern.detail['project-name'].sort()).toEqual(environments.map((e) => e.codebuildProject).sort());
  });

  it('sets only environment variables the code reads', () => {
    for (const name of Object.keys(serverless.provider.environment)) {
      expect(
        source.some((s) => s.includes(`.${name}`) || s.includes(`'${name}'`)),
        name,
      ).toBe(true);
    }
    expect(serverless.provider.iam.role.managedPolicies).toEqual(['${cf:daadaar-deploybot-infra.BotPolicyArn}']);
    expect(serverless.provider.iam.role.statements).toBeUndefined();
  });
});

describe('infrastructure/aws/deploybot.yml', () => {
  const project = template.Resources.MigrationsProject.Properties;

  it('keeps the platform model: NO_SOURCE, standard:7.0, privileged, in the VPC, IMAGE_URI', () => {
    expect(project.Source.Type).toBe('NO_SOURCE');
    expect(project.Environment).toMatchObject({ Image: 'aws/codebuild/standard:7.0', PrivilegedMode: true });
    expect(project.Environment.EnvironmentVariables.map((v: { Name: string }) => v.Name)).toEqual(['IMAGE_URI']);
    expect(project.VpcConfig.Subnets).toEqual({ Ref: 'SubnetIds' });
    expect(project.ConcurrentBuildLimit).toBe(1);
    expect(template.Parameters.ProjectName.Default).toBe('daadaar-migrations');
  });

  it('carries the buildspec file verbatim', () => {
    expect(project.Source.BuildSpec).toBe(readFileSync('infrastructure/aws/codebuild-migrations.buildspec.yml', 'utf8'));
  });

  it('grants the bot exactly its five actions, each on named resources only', () => {
    const statements = template.Resources.BotPolicy.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const actions = statements.flatMap((s) => s.Action).sort();
    expect(actions).toEqual([
      'codebuild:BatchGetBuilds',
      'codebuild:ListBuildsForProject',
      'codebuild:StartBuild',
      'logs:GetLogEvents',
      'secretsmanager:GetSecretValue',
    ]);
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).not.toMatch(/"\*"/);
    expect(resources).toContain(':project/${ProjectName}');
    expect(resources).toContain(':log-group:/aws/codebuild/${ProjectName}:log-stream:*');
    expect(resources).toContain(':secret:${DatabaseUrlSecretName}-??????');
  });

  it('names the production database secret the config points at', () => {
    expect(template.Parameters.DatabaseUrlSecretName.Default).toBe(config.config.environments.prod?.databaseUrlSecretId);
    expect(template.Parameters.SlackSecretName.Default).toBe(serverless.provider.environment.SLACK_SECRET_ID);
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
      source.flatMap((s) => [...s.matchAll(/\.(chat|conversations|views|files)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`)),
    );
    for (const method of methods) expect(SCOPES, `unknown Slack method ${method}`).toHaveProperty([method]);
    const needed = new Set(['commands', ...[...methods].flatMap((m) => SCOPES[m] ?? [])]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
