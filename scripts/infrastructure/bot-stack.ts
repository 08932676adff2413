import { REQUEST_TABLE_KEYS, TABLE_SCHEMA } from '../../src/aws/request-store.ts';
import type { DeploybotConfig } from '../../src/config.ts';
import type { DeploymentNames } from './names.ts';
import { type RolePolicies, reconcilerFunctionPolicies, slackFunctionPolicies, statusFunctionPolicies } from './policies.ts';

// The bot's own stack: the request table and one role per Lambda function. Deployed once,
// before serverless/serverless.yml, which takes the role ARNs and the table name from its outputs.

/**
 * A role with its common statements inline and one managed policy per environment. IAM allows
 * 10,240 characters of inline policy per role but 6,144 per managed policy and 10 managed
 * policies per role (IAM user guide, "IAM and AWS STS quotas"): an environment's statements
 * (about 2,500 characters with the StartBuild guards) fit its own policy, and ten environments fit a role.
 */
function lambdaRole(role: string, description: string, policies: RolePolicies): Record<string, unknown> {
  const managed = Object.entries(policies.environments).map(([env, p]) => [`${role}${logicalName(env)}Policy`, p] as const);
  return {
    [role]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: description,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [policies.common],
        ManagedPolicyArns: managed.map(([id]) => ({ Ref: id })),
      },
    },
    ...Object.fromEntries(
      managed.map(([id, p]) => [
        id,
        { Type: 'AWS::IAM::ManagedPolicy', Properties: { Description: `${p.PolicyName} of ${role}`, PolicyDocument: p.PolicyDocument } },
      ]),
    ),
  };
}

/** `staging-eu` → `EnvStagingEu`: a CloudFormation logical id is alphanumeric. */
export function logicalName(env: string): string {
  return `Env${env
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;
}

export function renderBotStack(config: DeploybotConfig, names: DeploymentNames) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `daadaar-deploybot - request table and the two functions' roles, for ${Object.keys(config.environments).join(', ')}`,
    Resources: {
      // The audit trail of every request: kept when the stack is deleted or the table replaced.
      RequestTable: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          ...REQUEST_TABLE_KEYS,
          // Old requests expire on their own; DynamoDB deletes them within days of `ttl`, not on the second.
          TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      ...lambdaRole(
        'SlackFunctionRole',
        `${names.slackFunction}: Slack requests, builds of the configured projects, the request table`,
        slackFunctionPolicies(config, names),
      ),
      ...lambdaRole(
        'StatusFunctionRole',
        `${names.statusFunction}: reads builds, their logs and the request table`,
        statusFunctionPolicies(config, names),
      ),
      ...lambdaRole(
        'ReconcilerFunctionRole',
        `${names.reconcilerFunction}: brings unsettled requests to the truth every minute`,
        reconcilerFunctionPolicies(config, names),
      ),
    },
    Outputs: {
      // Exported for each environment's CodeBuild stack: its build reads the request it runs.
      RequestTableName: { Value: { Ref: 'RequestTable' }, Export: { Name: `${names.botStack}-RequestTableName` } },
      RequestTableArn: { Value: { 'Fn::GetAtt': ['RequestTable', 'Arn'] }, Export: { Name: `${names.botStack}-RequestTableArn` } },
      SlackFunctionRoleArn: { Value: { 'Fn::GetAtt': ['SlackFunctionRole', 'Arn'] } },
      StatusFunctionRoleArn: { Value: { 'Fn::GetAtt': ['StatusFunctionRole', 'Arn'] } },
      ReconcilerFunctionRoleArn: { Value: { 'Fn::GetAtt': ['ReconcilerFunctionRole', 'Arn'] } },
    },
  };
}
