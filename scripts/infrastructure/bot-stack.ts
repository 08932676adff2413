import type { DeploybotConfig } from '../../src/config.ts';
import { type DeploymentNames, TABLE_INDEX } from './names.ts';
import { type InlinePolicy, slackFunctionPolicies, statusFunctionPolicies } from './policies.ts';

// The bot's own stack: the request table and one role per Lambda function. Deployed once,
// before serverless/serverless.yml, which takes the role ARNs and the table name from its outputs.

const lambdaRole = (description: string, policies: InlinePolicy[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    Description: description,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    Policies: policies,
  },
});

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
          AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: TABLE_INDEX,
              KeySchema: [
                { AttributeName: 'gsi1pk', KeyType: 'HASH' },
                { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          // Old requests expire on their own; DynamoDB deletes them within days of `ttl`, not on the second.
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      SlackFunctionRole: lambdaRole(
        `${names.slackFunction}: Slack requests, builds of the configured projects, the request table`,
        slackFunctionPolicies(config, names),
      ),
      StatusFunctionRole: lambdaRole(
        `${names.statusFunction}: reads builds, their logs and the request table`,
        statusFunctionPolicies(config, names),
      ),
    },
    Outputs: {
      RequestTableName: { Value: { Ref: 'RequestTable' } },
      SlackFunctionRoleArn: { Value: { 'Fn::GetAtt': ['SlackFunctionRole', 'Arn'] } },
      StatusFunctionRoleArn: { Value: { 'Fn::GetAtt': ['StatusFunctionRole', 'Arn'] } },
    },
  };
}
