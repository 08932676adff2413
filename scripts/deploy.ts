import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { BOT_STACK_OUTPUT_PARAMS, DEPLOYMENT_NAMES } from './infrastructure/names.ts';

// `npm run deploy`: the bot's two functions and its HTTP API, through the open-source Serverless
// fork pinned in package.json (osls). The npm `serverless` package now installs v4, which
// downloads a binary and asks for an account; osls packages and deploys with only AWS's own
// APIs. The values serverless/serverless.yml would otherwise read with `${cf:…}` (a
// CloudFormation call even to package) are the bot stack's outputs, read here once and passed
// as params, so `--dry-run` packages the compiled template with no AWS call at all.

const USAGE = `Usage: npm run deploy -- --subnets SUBNET[,SUBNET…] --security-group SG [options]

Deploys serverless/serverless.yml (the Slack, build-status and reconciler functions) with the pinned osls.
Run \`npm run package\` first: the zip it writes is what is deployed.

Options:
  --subnets LIST          private subnets of the Slack function, comma-separated (need a NAT)
  --security-group SG     the Slack function's security group
  --stage NAME            serverless stage (default: dev)
  --dry-run               package only: compile the CloudFormation template into --out, call no AWS
  --out DIR               where --dry-run writes the template (default: dist/serverless)
  --table NAME            the request table; default: the bot stack's RequestTableName output
  --slack-role ARN        default: the bot stack's SlackFunctionRoleArn output
  --status-role ARN       default: the bot stack's StatusFunctionRoleArn output
  --reconciler-role ARN   default: the bot stack's ReconcilerFunctionRoleArn output
  -h, --help              this text
`;

type Outputs = Record<keyof typeof BOT_STACK_OUTPUT_PARAMS, string>;

/** With --dry-run and no stack to read, clearly fake values: the template's shape is what is checked. */
const PLACEHOLDER_OUTPUTS: Outputs = {
  requestTableName: 'dry-run-request-table',
  slackFunctionRoleArn: 'arn:aws:iam::000000000000:role/dry-run-slack-function',
  statusFunctionRoleArn: 'arn:aws:iam::000000000000:role/dry-run-status-function',
  reconcilerFunctionRoleArn: 'arn:aws:iam::000000000000:role/dry-run-reconciler-function',
};

async function botStackOutputs(region: string): Promise<Outputs> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region });
  const answer = await client.send(new DescribeStacksCommand({ StackName: DEPLOYMENT_NAMES.botStack }));
  const outputs = new Map((answer.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const found: Partial<Outputs> = {};
  for (const [param, key] of Object.entries(BOT_STACK_OUTPUT_PARAMS) as [keyof Outputs, string][]) {
    const value = outputs.get(key);
    if (!value) throw new Error(`the stack ${DEPLOYMENT_NAMES.botStack} has no output ${key}: deploy it first (npm run infra prints how)`);
    found[param] = value;
  }
  return found as Outputs;
}

/** The one region of the bot (serverless.yml's provider.region, as `npm run infra` reads it). */
function serverlessRegion(): string {
  return (parseYaml(readFileSync('serverless/serverless.yml', 'utf8')) as { provider: { region: string } }).provider.region;
}

function oslsBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const subnets = (values.subnets ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const problems: string[] = [];
  if (subnets.length === 0) problems.push('--subnets needs at least one subnet id');
  for (const s of subnets) if (!/^subnet-[0-9a-z]+$/.test(s)) problems.push(`"${s}" is not a subnet id (subnet-…)`);
  if (!values['security-group'] || !/^sg-[0-9a-z]+$/.test(values['security-group']))
    problems.push('--security-group needs a security group id (sg-…)');
  const artifact = resolve('dist/package/deploybot.zip');
  if (!existsSync(artifact)) problems.push('dist/package/deploybot.zip is missing: run `npm run package` first');
  if (problems.length) {
    console.error(`${problems.join('\n')}\n\n${USAGE}`);
    return 2;
  }
  const given: Partial<Outputs> = {
    requestTableName: values.table,
    slackFunctionRoleArn: values['slack-role'],
    statusFunctionRoleArn: values['status-role'],
    reconcilerFunctionRoleArn: values['reconciler-role'],
  };
  let outputs: Outputs;
  if (values['dry-run']) {
    outputs = { ...PLACEHOLDER_OUTPUTS, ...definedOnly(given) };
  } else {
    try {
      outputs = { ...(await botStackOutputs(serverlessRegion())), ...definedOnly(given) };
    } catch (error) {
      console.error(`Could not read the bot stack's outputs: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  const params = {
    privateSubnetIds: subnets.join(','),
    botSecurityGroupId: values['security-group'] as string,
    ...outputs,
  };
  const args = [oslsBin(), values['dry-run'] ? 'package' : 'deploy', '--stage', values.stage ?? 'dev'];
  if (values['dry-run']) args.push('--package', resolve(values.out ?? 'dist/serverless'));
  for (const [name, value] of Object.entries(params)) args.push(`--param=${name}=${value}`);
  const run = spawnSync(process.execPath, args, { cwd: 'serverless', stdio: 'inherit' });
  return run.status ?? 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      subnets: { type: 'string' },
      'security-group': { type: 'string' },
      stage: { type: 'string' },
      'dry-run': { type: 'boolean' },
      out: { type: 'string' },
      table: { type: 'string' },
      'slack-role': { type: 'string' },
      'status-role': { type: 'string' },
      'reconciler-role': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

process.exitCode = await main(process.argv.slice(2));
