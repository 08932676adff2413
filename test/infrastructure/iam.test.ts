import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_NAMES } from '../../scripts/infrastructure/names.ts';
import { DENIED_START_BUILD_OVERRIDES } from '../../scripts/infrastructure/policies.ts';
import { renderInfrastructure } from '../../scripts/infrastructure/render.ts';
import { type BuildEnvironment, encodeBuildEnvironment, PROJECT_VARS } from '../../src/build-env.ts';
import { parseConfig } from '../../src/config.ts';
import { ACCOUNT, EXPORTS, evaluate, overrideContext, policiesOfRole, type Request, resolve, type Statement } from './iam-evaluation.ts';

// The bot's two roles as CloudFormation will create them from deploybot.config.json, resolved
// against one account: every action and resource each role holds, exactly, and what the
// StartBuild guards let through. A widened policy or a new grant fails here first.
const config = parseConfig(readFileSync('deploybot.config.json', 'utf8'));
if (!config.ok) throw new Error(config.reason);
const rendered = renderInfrastructure(
  config.config,
  readFileSync('infrastructure/aws/deploybot.yml', 'utf8'),
  DEPLOYMENT_NAMES,
  'us-east-1',
);
if (!rendered.ok) throw new Error(rendered.reason);
const policiesOf = (role: string) => policiesOfRole(rendered.rendered.bot.Resources as never, role);
const statementsOf = (role: string) => policiesOf(role).flatMap((p) => p.statements);

/** action → every resource an Allow grants it on, sorted. */
function grants(role: string): Record<string, string[]> {
  const byAction: Record<string, Set<string>> = {};
  for (const s of statementsOf(role).filter((s) => s.Effect === 'Allow'))
    for (const action of s.Action) {
      const resources = byAction[action] ?? new Set();
      for (const resource of s.Resource) resources.add(resource);
      byAction[action] = resources;
    }
  return Object.fromEntries(
    Object.entries(byAction)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, resources]) => [action, [...resources].sort()]),
  );
}

const arn = {
  project: (name: string) => `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${name}`,
  buildLogs: (name: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${name}:log-stream:*`,
  secret: (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-??????`,
  ownLogs: (fn: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/${fn}:*`,
  table: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/daadaar-deploybot-requests`,
};
const [prodProject, stagingProject] = [arn.project('daadaar-migrations'), arn.project('daadaar-migrations-staging')];
const projects = [prodProject, stagingProject].sort();
const buildLogs = [arn.buildLogs('daadaar-migrations'), arn.buildLogs('daadaar-migrations-staging')].sort();

describe('the Slack function role', () => {
  it('holds exactly its actions, each on named resources', () => {
    const eni = ['*'];
    const table = [arn.table, `${arn.table}/index/byEnv`];
    expect(grants('SlackFunctionRole')).toEqual({
      'codebuild:BatchGetBuilds': projects,
      'codebuild:ListBuildsForProject': projects,
      'codebuild:StartBuild': projects,
      'codebuild:StopBuild': projects,
      'dynamodb:ConditionCheckItem': table,
      'dynamodb:DeleteItem': table,
      'dynamodb:GetItem': table,
      'dynamodb:PutItem': table,
      'dynamodb:Query': table,
      'dynamodb:UpdateItem': table,
      'ec2:AssignPrivateIpAddresses': eni,
      'ec2:CreateNetworkInterface': eni,
      'ec2:DeleteNetworkInterface': eni,
      'ec2:DescribeNetworkInterfaces': eni,
      'ec2:DescribeSubnets': eni,
      'ec2:UnassignPrivateIpAddresses': eni,
      'ecr:DescribeImages': [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/daadaar-backend`],
      'lambda:InvokeFunction': [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:daadaar-deploybot-slack`],
      'logs:CreateLogStream': [arn.ownLogs('daadaar-deploybot-slack')],
      'logs:GetLogEvents': buildLogs,
      'logs:PutLogEvents': [arn.ownLogs('daadaar-deploybot-slack')],
      'secretsmanager:GetSecretValue': [
        arn.secret('daadaar/prod/database-read-url'),
        arn.secret('daadaar/staging/database-read-url'),
        arn.secret('deploybot/slack'),
      ].sort(),
    });
  });

  it('grants "*" only for the network interfaces Lambda manages in the VPC', () => {
    const wildcard = statementsOf('SlackFunctionRole').filter((s) => s.Resource.includes('*'));
    expect(wildcard.map((s) => s.Sid)).toEqual(['VpcNetworkInterfaces']);
    expect(wildcard.flatMap((s) => s.Action).every((a) => a.startsWith('ec2:'))).toBe(true);
  });

  it('never reads the migration owner database URL', () => {
    const resources = JSON.stringify(statementsOf('SlackFunctionRole').map((s) => s.Resource));
    for (const env of Object.values(config.config.environments)) expect(resources).not.toContain(`${env.databaseUrlSecretId}-`);
  });

  it("fits IAM's quotas: 10,240 characters inline per role, 6,144 per managed policy, 10 managed policies", () => {
    for (const role of ['SlackFunctionRole', 'StatusFunctionRole']) {
      const policies = policiesOf(role);
      expect(policies.filter((p) => p.kind === 'inline').reduce((n, p) => n + p.size, 0)).toBeLessThan(10_240);
      for (const p of policies.filter((p) => p.kind === 'managed')) expect(p.size, p.name).toBeLessThan(6_144);
      expect(policies.filter((p) => p.kind === 'managed').length).toBeLessThanOrEqual(10);
    }
  });

  it('keeps each environment in a policy of its own', () => {
    expect(policiesOf('SlackFunctionRole').map((p) => `${p.kind} ${p.name}`)).toEqual([
      'inline slack-function',
      'managed env-prod of SlackFunctionRole',
      'managed env-staging of SlackFunctionRole',
    ]);
  });
});

describe('the EventBridge function role', () => {
  it('reads builds, their logs, the table and the Slack credentials, nothing else', () => {
    expect(grants('StatusFunctionRole')).toEqual({
      'codebuild:BatchGetBuilds': projects,
      'dynamodb:DeleteItem': [arn.table],
      'dynamodb:GetItem': [arn.table],
      'dynamodb:PutItem': [arn.table],
      'dynamodb:Query': [arn.table],
      'dynamodb:UpdateItem': [arn.table],
      'logs:CreateLogStream': [arn.ownLogs('daadaar-deploybot-codebuild-events')],
      'logs:GetLogEvents': buildLogs,
      'logs:PutLogEvents': [arn.ownLogs('daadaar-deploybot-codebuild-events')],
      'secretsmanager:GetSecretValue': [arn.secret('deploybot/slack')],
    });
    expect(statementsOf('StatusFunctionRole').filter((s) => s.Effect === 'Deny')).toEqual([]);
  });

  it("needs no grant for the build's progress: CloudWatch Logs invokes it, allowed by each environment stack", () => {
    // The subscription filter pushes the log lines (infrastructure/aws/deploybot.yml); the role reads nothing more for them.
    expect(Object.keys(grants('StatusFunctionRole'))).not.toContain('logs:FilterLogEvents');
    for (const [name, env] of Object.entries(config.config.environments)) {
      const stack = rendered.rendered.environments[name] as unknown as { Resources: Record<string, { Type: string }> };
      const permissions = Object.values(stack.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Permission')
        .map((r) => resolve(r, { ProjectName: env.codebuildProject, 'BuildEventsRule.Arn': 'rule' }) as { Properties: object });
      // EventBridge from the environment's rule, CloudWatch Logs from its build log group: nobody else.
      expect(permissions.map((p) => p.Properties)).toEqual([
        expect.objectContaining({ Principal: 'events.amazonaws.com', SourceArn: 'rule' }),
        expect.objectContaining({
          Principal: 'logs.amazonaws.com',
          SourceAccount: ACCOUNT,
          SourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${env.codebuildProject}:*`,
        }),
      ]);
    }
  });

  it('cannot start a build, invoke a function or read a database URL', () => {
    const status = statementsOf('StatusFunctionRole');
    expect(evaluate(status, { action: 'codebuild:StartBuild', resource: prodProject })).toBe('implicitly denied');
    expect(evaluate(status, { action: 'codebuild:StopBuild', resource: prodProject })).toBe('implicitly denied');
    expect(
      evaluate(status, {
        action: 'lambda:InvokeFunction',
        resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:daadaar-deploybot-slack`,
      }),
    ).toBe('implicitly denied');
    for (const secret of ['daadaar/prod/database-url', 'daadaar/prod/database-read-url'])
      expect(evaluate(status, { action: 'secretsmanager:GetSecretValue', resource: `${arn.secret(secret).slice(0, -7)}-AbCdEf` })).toBe(
        'implicitly denied',
      );
  });
});

describe('StartBuild, as the Slack role may call it', () => {
  const slack = statementsOf('SlackFunctionRole');
  const pinned = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@sha256:${'ab'.repeat(32)}`;
  const request: BuildEnvironment = {
    run: { kind: 'migrate' },
    requestId: 'req-0001',
    env: 'prod',
    channel: 'C0DAADAAR01',
    threadTs: '1764000000.000100',
    requestedBy: 'U0REQUESTER',
    approvedBy: ['U0APPROVER1'],
    plan: 'v1;0004_rename_biography;0005_backfill_trimmed_names',
    planSha256: 'cd'.repeat(32),
    imageUri: pinned,
  };
  const startBuild = (vars: Record<string, string>, extra: Record<string, string> = {}, project = prodProject): Request => ({
    action: 'codebuild:StartBuild',
    resource: project,
    context: { ...overrideContext(vars), ...extra },
  });

  it('lets the bot start what it sends: the build-env contract as PLAINTEXT overrides', () => {
    expect(evaluate(slack, startBuild(encodeBuildEnvironment(request)))).toBe('allowed');
    const seed = encodeBuildEnvironment({ ...request, run: { kind: 'seed', clean: true }, imageUri: undefined });
    expect(evaluate(slack, startBuild(seed, {}, stagingProject))).toBe('allowed');
  });

  it('refuses a buildspec override, an image override and any variable outside the contract', () => {
    const vars = encodeBuildEnvironment(request);
    expect(evaluate(slack, startBuild(vars, { 'codebuild:source.buildspec': 'true' }))).toBe('explicitly denied');
    expect(evaluate(slack, startBuild(vars, { 'codebuild:environment.image': 'attacker/image:latest' }))).toBe('explicitly denied');
    expect(evaluate(slack, startBuild({ ...vars, DATABASE_URL: 'postgres://elsewhere' }))).toBe('explicitly denied');
    expect(evaluate(slack, startBuild({ ...vars, EXTRA_ARGS: '--force' }))).toBe('explicitly denied');
  });

  it('runs only a digest-pinned image of the backend repository in this account', () => {
    const vars = encodeBuildEnvironment(request);
    const image = (uri: string) => evaluate(slack, startBuild({ ...vars, IMAGE_URI: uri }));
    expect(image(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend:latest`)).toBe('explicitly denied');
    expect(image(`999999999999.dkr.ecr.us-east-1.amazonaws.com/daadaar-backend@sha256:${'ab'.repeat(32)}`)).toBe('explicitly denied');
    expect(image(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/other-app@sha256:${'ab'.repeat(32)}`)).toBe('explicitly denied');
    expect(image(pinned)).toBe('allowed');
  });

  it('reaches no project outside the config', () => {
    expect(evaluate(slack, startBuild(encodeBuildEnvironment(request), {}, arn.project('some-other-project')))).toBe('implicitly denied');
  });

  it('refuses every override the bot never sends: retries, logs, source, privileged mode, compute, role, …', () => {
    const vars = encodeBuildEnvironment(request);
    const overrides: Record<string, string> = {
      'codebuild:autoRetryLimit': '3',
      'codebuild:logsConfig': 'true',
      'codebuild:source.location': 'https://github.com/attacker/repo',
      'codebuild:source.auth.type': 'OAUTH',
      'codebuild:source.insecureSsl': 'true',
      'codebuild:secondarySources': 'true',
      'codebuild:artifacts': 'true',
      'codebuild:secondaryArtifacts': 'true',
      'codebuild:cache': 'true',
      'codebuild:encryptionKey': 'arn:aws:kms:us-east-1:999999999999:key/x',
      'codebuild:serviceRole': `arn:aws:iam::${ACCOUNT}:role/admin`,
      'codebuild:environment.privilegedMode': 'false',
      'codebuild:environment.computeType': 'BUILD_GENERAL1_2XLARGE',
      'codebuild:environment.type': 'ARM_CONTAINER',
      'codebuild:environment.certificate': 'attacker-bucket/cert.pem',
      'codebuild:environment.fleet.fleetArn': `arn:aws:codebuild:us-east-1:${ACCOUNT}:fleet/other`,
      'codebuild:environment.imagePullCredentialsType': 'SERVICE_ROLE',
      'codebuild:environment.registryCredential': 'true',
    };
    expect(Object.keys(overrides).sort()).toEqual(Object.values(DENIED_START_BUILD_OVERRIDES).sort());
    for (const [key, value] of Object.entries(overrides)) {
      expect(evaluate(slack, startBuild(vars, { [key]: value })), key).toBe('explicitly denied');
      expect(evaluate(slack, startBuild(vars, { [key]: value }, stagingProject)), key).toBe('explicitly denied');
    }
    expect(evaluate(slack, startBuild(vars))).toBe('allowed');
  });

  it("cannot override the project's own variables: its table and its environment", () => {
    const vars = encodeBuildEnvironment(request);
    expect(evaluate(slack, startBuild({ ...vars, [PROJECT_VARS.table]: 'attacker-table' }))).toBe('explicitly denied');
    expect(evaluate(slack, startBuild({ ...vars, [PROJECT_VARS.projectEnv]: 'staging' }))).toBe('explicitly denied');
  });
});

describe("each environment's CodeBuild role", () => {
  it.each(['prod', 'staging'])('%s: its own logs, the backend image, its own database URL, the VPC interfaces', (name) => {
    const env = config.config.environments[name];
    const stack = rendered.rendered.environments[name] as unknown as { Resources: Record<string, unknown> };
    const role = resolve(stack.Resources.MigrationsRole, {}) as {
      Properties: {
        RoleName: string;
        Policies: {
          PolicyDocument: { Statement: (Omit<Statement, 'Action' | 'Resource'> & { Action: string | string[]; Resource: string })[] };
        }[];
      };
    };
    const statements = role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const granted = statements
      .filter((s) => !s.Sid.startsWith('SnapshotBeforeMigrating'))
      .flatMap((s) => [s.Action].flat().map((action) => `${action} ${s.Resource}`))
      .sort();
    const project = env?.codebuildProject;
    expect(granted).toEqual(
      [
        `logs:CreateLogStream arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${project}:*`,
        `logs:PutLogEvents arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${project}:*`,
        'ecr:GetAuthorizationToken *',
        ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map(
          (a) => `${a} arn:aws:ecr:us-east-1:${ACCOUNT}:repository/daadaar-backend`,
        ),
        `secretsmanager:GetSecretValue ${arn.secret(env?.databaseUrlSecretId ?? '?')}`,
        ...[
          'ec2:CreateNetworkInterface',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeVpcs',
        ].map((a) => `${a} *`),
        `ec2:CreateNetworkInterfacePermission arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/*`,
        `dynamodb:GetItem ${arn.table}`,
        `dynamodb:UpdateItem ${arn.table}`,
      ].sort(),
    );
    expect(statements.find((s) => s.Action === 'ec2:CreateNetworkInterfacePermission')?.Condition).toEqual({
      StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
    });
  });

  it('prod: snapshots its own database into deploybot-prod-* snapshots, nothing else of RDS; staging (snapshotBefore never) gets no RDS grant', () => {
    const statementsOf = (name: string): Statement[] => {
      const stack = rendered.rendered.environments[name] as unknown as { Resources: Record<string, unknown> };
      const role = resolve(stack.Resources.MigrationsRole, {}) as {
        Properties: {
          Policies: { PolicyDocument: { Statement: (Omit<Statement, 'Action' | 'Resource'> & { Action: string; Resource: string })[] } }[];
        };
      };
      return role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement).map((s) => ({
        ...s,
        Action: [s.Action].flat(),
        Resource: [s.Resource].flat(),
      }));
    };
    const prod = statementsOf('prod');
    const rds = (action: string, resource: string): Request => ({ action, resource: `arn:aws:rds:us-east-1:${ACCOUNT}:${resource}` });
    // What database/snapshot.ts calls for prod's instance (deploybot.config.json: database.instance daadaar-prod).
    expect(evaluate(prod, rds('rds:CreateDBSnapshot', 'db:daadaar-prod'))).toBe('allowed');
    expect(evaluate(prod, rds('rds:CreateDBSnapshot', 'snapshot:deploybot-prod-req1-202612040507'))).toBe('allowed');
    expect(evaluate(prod, rds('rds:AddTagsToResource', 'snapshot:deploybot-prod-req1-202612040507'))).toBe('allowed');
    expect(evaluate(prod, rds('rds:DescribeDBSnapshots', 'snapshot:deploybot-prod-req1-202612040507'))).toBe('allowed');
    // Not another database, not a snapshot outside its prefix, never a delete or a restore.
    expect(evaluate(prod, rds('rds:CreateDBSnapshot', 'db:daadaar-staging'))).toBe('implicitly denied');
    expect(evaluate(prod, rds('rds:CreateDBSnapshot', 'snapshot:nightly-1'))).toBe('implicitly denied');
    expect(evaluate(prod, rds('rds:AddTagsToResource', 'db:daadaar-prod'))).toBe('implicitly denied');
    expect(evaluate(prod, rds('rds:AddTagsToResource', 'snapshot:deploybot-staging-x'))).toBe('implicitly denied');
    expect(evaluate(prod, rds('rds:DeleteDBSnapshot', 'snapshot:deploybot-prod-x'))).toBe('implicitly denied');
    expect(evaluate(prod, rds('rds:RestoreDBInstanceFromDBSnapshot', 'snapshot:deploybot-prod-x'))).toBe('implicitly denied');
    expect(statementsOf('staging').filter((s) => s.Action.some((a) => a.startsWith('rds:')))).toEqual([]);
  });

  it.each(['prod', 'staging'])('%s: reads request items and writes only the run claim on them', (name) => {
    const stack = rendered.rendered.environments[name] as unknown as { Resources: Record<string, unknown> };
    const role = resolve(stack.Resources.MigrationsRole, {}) as {
      Properties: {
        Policies: { PolicyDocument: { Statement: (Omit<Statement, 'Action' | 'Resource'> & { Action: string; Resource: string })[] } }[];
      };
    };
    const statements: Statement[] = role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement).map((s) => ({
      ...s,
      Action: [s.Action].flat(),
      Resource: [s.Resource].flat(),
    }));
    const item = (action: string, leadingKey: string, context: Record<string, string | string[]> = {}): Request => ({
      action,
      resource: arn.table,
      context: { 'dynamodb:LeadingKeys': [leadingKey], ...context },
    });
    // What database/approved-run.ts sends: a GetItem, and an UpdateItem of the claim and the version.
    expect(evaluate(statements, item('dynamodb:GetItem', 'REQUEST#req-1'))).toBe('allowed');
    const claim = { 'dynamodb:Attributes': ['buildRun', 'version'] };
    expect(evaluate(statements, item('dynamodb:UpdateItem', 'REQUEST#req-1', claim))).toBe('allowed');
    // Not the environment's lock, not the record itself, not by a whole-item write, nothing else of the table.
    expect(evaluate(statements, item('dynamodb:GetItem', 'LOCK#prod'))).toBe('implicitly denied');
    expect(evaluate(statements, item('dynamodb:UpdateItem', 'LOCK#prod', claim))).toBe('implicitly denied');
    expect(evaluate(statements, item('dynamodb:UpdateItem', 'REQUEST#req-1', { 'dynamodb:Attributes': ['record', 'version'] }))).toBe(
      'implicitly denied',
    );
    expect(evaluate(statements, item('dynamodb:UpdateItem', 'REQUEST#req-1', { 'dynamodb:Attributes': ['state'] }))).toBe(
      'implicitly denied',
    );
    expect(evaluate(statements, item('dynamodb:UpdateItem', 'REQUEST#req-1', { ...claim, 'dynamodb:ReturnValues': 'ALL_OLD' }))).toBe(
      'implicitly denied',
    );
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan'])
      expect(evaluate(statements, item(action, 'REQUEST#req-1')), action).toBe('implicitly denied');
  });

  it("names the bot stack's exported table, which the bot stack exports, and sets it as the project's own variable", () => {
    const outputs = rendered.rendered.bot.Outputs as Record<string, { Export?: { Name: string } }>;
    const exported = Object.values(outputs).flatMap((o) => (o.Export ? [o.Export.Name] : []));
    expect(exported.sort()).toEqual(Object.keys(EXPORTS).sort());
    for (const name of ['prod', 'staging']) {
      const stack = rendered.rendered.environments[name] as unknown as { Resources: Record<string, unknown> };
      const project = stack.Resources.MigrationsProject as {
        Properties: { Environment: { EnvironmentVariables: unknown } };
      };
      const variables = resolve(project.Properties.Environment.EnvironmentVariables, { BackendImageUri: 'backend:latest' }) as {
        Name: string;
        Value: string;
      }[];
      const vars = Object.fromEntries(variables.map((v) => [v.Name, v.Value]));
      expect(vars[PROJECT_VARS.table]).toBe('daadaar-deploybot-requests');
      expect(vars[PROJECT_VARS.projectEnv]).toBe(name);
    }
  });
});
