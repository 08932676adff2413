import { TABLE_SCHEMA } from '../../src/aws/request-store.ts';
// Names the rendered stacks and serverless/serverless.yml must agree on. The roles are written
// before the functions exist (a role's policy names its own function for the self-invocation),
// so the functions carry fixed names instead of the Serverless Framework's stage-derived ones.

export interface DeploymentNames {
  /** serverless.yml `functions.slack.name`. */
  slackFunction: string;
  /** serverless.yml `functions.codebuildEvents.name`, the target of every environment's build-event rule. */
  statusFunction: string;
  /** serverless.yml `functions.reconciler.name`, run every minute by an EventBridge schedule. */
  reconcilerFunction: string;
  /** Secrets Manager secret with SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (serverless.yml `SLACK_SECRET_ID`). */
  slackSecret: string;
  /** The ECR repository of the backend image every environment's build runs. */
  backendRepository: string;
  /** The bot's stack (table and roles); `npm run deploy` passes its outputs to serverless.yml as params. */
  botStack: string;
}

export const DEPLOYMENT_NAMES: DeploymentNames = {
  slackFunction: 'daadaar-deploybot-slack',
  statusFunction: 'daadaar-deploybot-codebuild-events',
  reconcilerFunction: 'daadaar-deploybot-reconciler',
  slackSecret: 'deploybot/slack',
  backendRepository: 'daadaar-backend',
  botStack: 'daadaar-deploybot-bot',
};

/**
 * serverless.yml's `${param:…}` for each output of the bot's stack. scripts/deploy.ts reads the
 * outputs and passes them under these names, so packaging needs no CloudFormation call.
 */
export const BOT_STACK_OUTPUT_PARAMS = {
  requestTableName: 'RequestTableName',
  slackFunctionRoleArn: 'SlackFunctionRoleArn',
  statusFunctionRoleArn: 'StatusFunctionRoleArn',
  reconcilerFunctionRoleArn: 'ReconcilerFunctionRoleArn',
} as const;

/** The request table's secondary index of requests of an environment, newest first. */
export const TABLE_INDEX = TABLE_SCHEMA.index.name;
/** The sparse index of unsettled requests, which only the reconciler reads. */
export const DUE_INDEX = TABLE_SCHEMA.dueIndex.name;

/** Stack of one environment's CodeBuild side. */
export function codebuildStackName(envName: string): string {
  return `daadaar-deploybot-codebuild-${envName}`;
}

/** CodeBuild writes each project's builds to this group (deploybot.yml names it so). */
export function buildLogGroup(project: string): string {
  return `/aws/codebuild/${project}`;
}

/**
 * A secret's ARN pattern from the id the config holds. Secrets Manager appends six random
 * characters to a secret's name in its ARN, so a name matches `name-??????` (Secrets Manager
 * user guide, "Permissions policy examples").
 */
export function secretArn(secretId: string, region: string): string {
  if (secretId.startsWith('arn:')) return secretId;
  return `arn:\${AWS::Partition}:secretsmanager:${region}:\${AWS::AccountId}:secret:${secretId}-??????`;
}
