import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.ts';
import { codebuildStackName, DEPLOYMENT_NAMES } from './infrastructure/names.ts';
import { renderInfrastructure } from './infrastructure/render.ts';

// `npm run infra`: the CloudFormation templates deploybot.config.json needs, in deploy order:
// the bot's stack (request table, one role per function), then, after `npm run deploy`,
// one CodeBuild stack per environment. Prints the commands that deploy them.
const { values } = parseArgs({
  options: { config: { type: 'string' }, out: { type: 'string', default: 'dist/infrastructure' } },
});
const loaded = loadConfig(values.config);
if (!loaded.ok) {
  console.error(loaded.reason);
  process.exit(2);
}
const serverless = parse(readFileSync('serverless/serverless.yml', 'utf8')) as { provider: { region: string } };
const region = serverless.provider.region;
const result = renderInfrastructure(loaded.config, readFileSync('infrastructure/aws/deploybot.yml', 'utf8'), DEPLOYMENT_NAMES, region);
if (!result.ok) {
  console.error(result.reason);
  process.exit(2);
}
const out = values.out;
mkdirSync(out, { recursive: true });
// JSON, which CloudFormation reads as is: no YAML 1.1 reader can take a version date for a timestamp.
const write = (file: string, template: unknown) => {
  writeFileSync(join(out, file), `${JSON.stringify(template, null, 2)}\n`);
  return join(out, file);
};
const bot = write('bot.json', result.rendered.bot);
const deploy = (stack: string, file: string, extra = '') =>
  `aws cloudformation deploy --region ${region} --stack-name ${stack} --template-file ${file} --capabilities CAPABILITY_NAMED_IAM${extra}`;
// Numbered as the README's "Deploying" steps (1 and 2, the Slack app and the secrets, are by
// hand; 6 points the manifest at the API), so the two lists can be followed side by side.
console.log(`3. ${deploy(DEPLOYMENT_NAMES.botStack, bot)}`);
console.log('4. npm run package && npm run deploy -- --subnets subnet-…,subnet-… --security-group sg-…');
for (const [name, template] of Object.entries(result.rendered.environments)) {
  const file = write(`codebuild-${name}.json`, template);
  console.log(`5. (${name}) ${deploy(codebuildStackName(name), file, ' --parameter-overrides VpcId=… SubnetIds=… BackendImageUri=…')}`);
}
