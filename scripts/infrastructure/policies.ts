// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation Fn::Sub text, not JS templates
import { BUILD_VARS } from '../../src/build-env.ts';
import type { DeploybotConfig, EnvironmentConfig } from '../../src/config.ts';
import { buildLogGroup, type DeploymentNames, DUE_INDEX, secretArn, TABLE_INDEX } from './names.ts';

// The bot's two roles, one statement per purpose. The Slack function faces the internet, so
// it gets what a request needs and no more; the EventBridge function only reads builds, their
// logs and the request record, and posts to Slack. Per-environment statements are rendered
// from deploybot.config.json and name only that environment's project, log group and secret.

export type Intrinsic = string | { 'Fn::Sub': string } | { 'Fn::GetAtt': [string, string] };

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: Intrinsic[];
  Condition?: Record<string, Record<string, Intrinsic | Intrinsic[]>>;
}

export interface InlinePolicy {
  PolicyName: string;
  PolicyDocument: { Version: '2012-10-17'; Statement: Statement[] };
}

/** A role's statements: what it always needs, and one policy per environment of the config. */
export interface RolePolicies {
  common: InlinePolicy;
  environments: Record<string, InlinePolicy>;
}

const sub = (text: string): Intrinsic => (text.includes('${') ? { 'Fn::Sub': text } : text);
const policy = (name: string, statements: Statement[]): InlinePolicy => ({
  PolicyName: name,
  PolicyDocument: { Version: '2012-10-17', Statement: statements },
});

const TABLE: Intrinsic = { 'Fn::GetAtt': ['RequestTable', 'Arn'] };
const TABLE_INDEXES: Intrinsic = { 'Fn::Sub': `\${RequestTable.Arn}/index/${TABLE_INDEX}` };
const DUE_INDEX_ARN: Intrinsic = { 'Fn::Sub': `\${RequestTable.Arn}/index/${DUE_INDEX}` };

const functionArn = (name: string) => sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}`);
const projectArn = (env: EnvironmentConfig) =>
  sub(`arn:\${AWS::Partition}:codebuild:${env.region}:\${AWS::AccountId}:project/${env.codebuildProject}`);
// GetLogEvents authorizes on the log stream (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
const buildLogStreams = (env: EnvironmentConfig) =>
  sub(`arn:\${AWS::Partition}:logs:${env.region}:\${AWS::AccountId}:log-group:${buildLogGroup(env.codebuildProject)}:log-stream:*`);

function ownLogs(functionName: string): Statement {
  // The function's log group is created by serverless.yml (logRetentionInDays); the role only writes to it.
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`)],
  };
}

function slackCredentials(names: DeploymentNames): Statement {
  return {
    Sid: 'ReadSlackCredentials',
    Effect: 'Allow',
    Action: ['secretsmanager:GetSecretValue'],
    Resource: [sub(secretArn(names.slackSecret, '${AWS::Region}'))],
  };
}

/**
 * What StartBuild may carry. AWS CodeBuild documents condition keys for StartBuild's request
 * fields (CodeBuild user guide, "AWS CodeBuild condition keys":
 * https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html):
 * `codebuild:source.buildspec` supports only `Null` (a buildspecOverride would run arbitrary
 * commands under the project's role), `codebuild:environment.environmentVariables.name` and
 * `…environmentVariables/${name}.value` for overrides, `codebuild:environment.image` for the
 * image (Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodebuild.html).
 * The bot sends only the variables of src/build-env.ts, as PLAINTEXT, and an idempotency token;
 * IMAGE_URI is one of those variables, never an image override.
 * No key exposes a variable's type: a SECRETS_MANAGER-typed override of an allowed name could
 * only name secrets the project's role can read, which is this environment's own DATABASE_URL.
 * Keys within one Null block are ANDed, so each denied override is a statement of its own.
 */
function startBuildGuards(env: EnvironmentConfig, names: DeploymentNames): Statement[] {
  const project = [projectArn(env)];
  const deny = (Sid: string, Condition: Statement['Condition']): Statement => ({
    Sid,
    Effect: 'Deny',
    Action: ['codebuild:StartBuild'],
    Resource: project,
    Condition,
  });
  const imageUri = `codebuild:environment.environmentVariables/${BUILD_VARS.imageUri}.value`;
  return [
    deny('DenyBuildspecOverride', { Null: { 'codebuild:source.buildspec': 'false' } }),
    deny('DenyImageOverride', { Null: { 'codebuild:environment.image': 'false' } }),
    deny('DenyEnvironmentVariablesTheBotNeverSends', {
      'ForAnyValue:StringNotEquals': { 'codebuild:environment.environmentVariables.name': Object.values(BUILD_VARS).sort() },
    }),
    // A negated operator is true when the key is missing, so `Null: false` limits the deny to a
    // request that sets IMAGE_URI: without it the project's own IMAGE_URI runs, as by hand.
    deny('DenyImageUriNotPinnedInBackendRepository', {
      Null: { [imageUri]: 'false' },
      StringNotLike: { [imageUri]: sub(`\${AWS::AccountId}.dkr.ecr.${env.region}.amazonaws.com/${names.backendRepository}@sha256:*`) },
    }),
  ];
}

/**
 * StartBuild overrides the bot never sends, each denied by the condition key CodeBuild sets when
 * the request carries it (Service Authorization Reference, "Actions, resources, and condition
 * keys for AWS CodeBuild", StartBuild). Keys within one Null block are ANDed, so each is a
 * statement of its own; they name every project of the account (a Deny widens nothing) and sit
 * in the role's inline policy, where they are written once rather than once per environment.
 * StartBuild has no key for sourceVersion (the config may set it), the timeouts,
 * debugSessionEnabled or the git clone options: a debug session needs Session Manager
 * permissions the build's role lacks, and a rerun of any kind meets the build's own claim on
 * its request (src/requests/build-approval.ts).
 */
export const DENIED_START_BUILD_OVERRIDES: Record<string, string> = {
  AutoRetryLimit: 'codebuild:autoRetryLimit',
  LogsConfig: 'codebuild:logsConfig',
  SourceLocation: 'codebuild:source.location',
  SourceAuth: 'codebuild:source.auth.type',
  SourceInsecureSsl: 'codebuild:source.insecureSsl',
  SecondarySources: 'codebuild:secondarySources',
  Artifacts: 'codebuild:artifacts',
  SecondaryArtifacts: 'codebuild:secondaryArtifacts',
  Cache: 'codebuild:cache',
  EncryptionKey: 'codebuild:encryptionKey',
  ServiceRole: 'codebuild:serviceRole',
  PrivilegedMode: 'codebuild:environment.privilegedMode',
  ComputeType: 'codebuild:environment.computeType',
  EnvironmentType: 'codebuild:environment.type',
  Certificate: 'codebuild:environment.certificate',
  Fleet: 'codebuild:environment.fleet.fleetArn',
  ImagePullCredentials: 'codebuild:environment.imagePullCredentialsType',
  RegistryCredential: 'codebuild:environment.registryCredential',
};

function deniedOverrides(): Statement[] {
  return Object.entries(DENIED_START_BUILD_OVERRIDES).map(([name, key]) => ({
    Sid: `Deny${name}Override`,
    Effect: 'Deny',
    Action: ['codebuild:StartBuild'],
    Resource: [sub('arn:${AWS::Partition}:codebuild:*:${AWS::AccountId}:project/*')],
    Condition: { Null: { [key]: 'false' } },
  }));
}

function slackEnvironmentPolicy(envName: string, env: EnvironmentConfig, names: DeploymentNames): InlinePolicy {
  return policy(`env-${envName}`, [
    {
      Sid: 'RunAndWatchMigrationBuilds',
      Effect: 'Allow',
      Action: ['codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject', 'codebuild:StartBuild', 'codebuild:StopBuild'],
      Resource: [projectArn(env)],
    },
    ...startBuildGuards(env, names),
    { Sid: 'ReadBuildLogTail', Effect: 'Allow', Action: ['logs:GetLogEvents'], Resource: [buildLogStreams(env)] },
    {
      Sid: 'ReadTargetHistoryUrl',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [sub(secretArn(env.databaseReadUrlSecretId, env.region))],
    },
    {
      // The review pins the image: its tag is resolved to a digest when the request is made.
      Sid: 'ResolveBackendImageDigest',
      Effect: 'Allow',
      Action: ['ecr:DescribeImages'],
      Resource: [sub(`arn:\${AWS::Partition}:ecr:${env.region}:\${AWS::AccountId}:repository/${names.backendRepository}`)],
    },
  ]);
}

export function slackFunctionPolicies(config: DeploybotConfig, names: DeploymentNames): RolePolicies {
  const common = policy('slack-function', [
    ownLogs(names.slackFunction),
    {
      // In the VPC to read the target's drizzle history. Lambda creates the function's network
      // interfaces with its role; DescribeNetworkInterfaces works only on "*"
      // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html).
      Sid: 'VpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: ['*'],
    },
    {
      // TransactWriteItems has no action of its own: each item in it is authorized as its
      // PutItem/UpdateItem/DeleteItem/ConditionCheckItem (DynamoDB developer guide, "Using IAM
      // with DynamoDB transactions").
      Sid: 'RequestRecords',
      Effect: 'Allow',
      Action: [
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      Resource: [TABLE, TABLE_INDEXES],
    },
    {
      // Slow work leaves Slack's 3-second window as an asynchronous invocation of this same
      // function (InvocationType Event), unqualified.
      Sid: 'InvokeItselfAsynchronously',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: [functionArn(names.slackFunction)],
    },
    slackCredentials(names),
    ...deniedOverrides(),
  ]);
  return {
    common,
    environments: Object.fromEntries(
      Object.entries(config.environments).map(([name, env]) => [name, slackEnvironmentPolicy(name, env, names)]),
    ),
  };
}

export function statusFunctionPolicies(config: DeploybotConfig, names: DeploymentNames): RolePolicies {
  const common = policy('status-function', [
    ownLogs(names.statusFunction),
    {
      // The report's conditional writes replace the record (PutItem), and an ended build frees
      // its environment's lock (DeleteItem) before the reconciler would have to.
      Sid: 'RequestRecords',
      Effect: 'Allow',
      Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      Resource: [TABLE],
    },
    slackCredentials(names),
  ]);
  const environments = Object.entries(config.environments).map(([name, env]) => [
    name,
    policy(`env-${name}`, [
      { Sid: 'ReadBuilds', Effect: 'Allow', Action: ['codebuild:BatchGetBuilds'], Resource: [projectArn(env)] },
      { Sid: 'ReadBuildLogTail', Effect: 'Allow', Action: ['logs:GetLogEvents'], Resource: [buildLogStreams(env)] },
    ]),
  ]);
  return { common, environments: Object.fromEntries(environments) };
}

/**
 * The reconciler (src/reconciler/), on its EventBridge schedule: it reads and writes request
 * records and locks, reads the due index, asks CodeBuild about builds, finishes a stalled start
 * (StartBuild under the same guards as the Slack function: the pinned image, the project's own
 * role), reads log tails for the result reply, and posts to Slack. No Slack-facing endpoint, no
 * VPC, no database secret.
 */
export function reconcilerFunctionPolicies(config: DeploybotConfig, names: DeploymentNames): RolePolicies {
  const common = policy('reconciler-function', [
    ownLogs(names.reconcilerFunction),
    {
      Sid: 'RequestRecords',
      Effect: 'Allow',
      Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      Resource: [TABLE, DUE_INDEX_ARN],
    },
    slackCredentials(names),
  ]);
  const environments = Object.entries(config.environments).map(([name, env]) => [
    name,
    policy(`env-${name}`, [
      {
        Sid: 'FindAndFinishBuilds',
        Effect: 'Allow',
        Action: ['codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject', 'codebuild:StartBuild'],
        Resource: [projectArn(env)],
      },
      ...startBuildGuards(env, names),
      { Sid: 'ReadBuildLogTail', Effect: 'Allow', Action: ['logs:GetLogEvents'], Resource: [buildLogStreams(env)] },
    ]),
  ]);
  return { common, environments: Object.fromEntries(environments) };
}
