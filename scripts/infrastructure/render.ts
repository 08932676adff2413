import type { DeploybotConfig } from '../../src/config.ts';
import { logicalName, renderBotStack } from './bot-stack.ts';
import { renderCodeBuildStack } from './codebuild-stack.ts';
import type { DeploymentNames } from './names.ts';

export interface RenderedInfrastructure {
  bot: ReturnType<typeof renderBotStack>;
  /** One CodeBuild stack per environment of the config, by environment name. */
  environments: Record<string, ReturnType<typeof renderCodeBuildStack>>;
}

// IAM's default quota of managed policies attached to one role (IAM user guide, "IAM and AWS STS quotas").
const MANAGED_POLICIES_PER_ROLE = 10;

export type RenderResult = { ok: true; rendered: RenderedInfrastructure } | { ok: false; reason: string };

/**
 * Every stack the config needs. An environment's build-event rule targets the status function
 * in its own region (an EventBridge rule invokes a Lambda function of its region only), so an
 * environment in another region than the bot is refused rather than rendered broken.
 */
export function renderInfrastructure(
  config: DeploybotConfig,
  codebuildTemplate: string,
  names: DeploymentNames,
  botRegion: string,
): RenderResult {
  const count = Object.keys(config.environments).length;
  if (count > MANAGED_POLICIES_PER_ROLE)
    return { ok: false, reason: `${count} environments: a role holds ${MANAGED_POLICIES_PER_ROLE} managed policies, one per environment.` };
  const elsewhere = Object.entries(config.environments).filter(([, env]) => env.region !== botRegion);
  if (elsewhere.length > 0) {
    const list = elsewhere.map(([name, env]) => `${name} (${env.region})`).join(', ');
    return { ok: false, reason: `The bot runs in ${botRegion}; these environments are elsewhere: ${list}. Deploy a bot per region.` };
  }
  // IAM role names and EventBridge rule names are at most 64 characters; both derive from the project.
  const tooLong = Object.entries(config.environments).filter(([, env]) => `${env.codebuildProject}-build-events`.length > 64);
  if (tooLong.length > 0)
    return {
      ok: false,
      reason: `Project names longer than ${64 - '-build-events'.length} characters cannot name their role and rule: ${tooLong.map(([n]) => n).join(', ')}.`,
    };
  // Each environment's policy has a logical id made of its name without hyphens (`a-1` and `a1` meet).
  const ids = Object.keys(config.environments).map(logicalName);
  if (new Set(ids).size !== ids.length)
    return { ok: false, reason: `Environment names that differ only in hyphens: ${Object.keys(config.environments).join(', ')}.` };
  const environments = Object.fromEntries(
    Object.entries(config.environments).map(([name, env]) => [name, renderCodeBuildStack(codebuildTemplate, name, env, names)]),
  );
  return { ok: true, rendered: { bot: renderBotStack(config, names), environments } };
}
