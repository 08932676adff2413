import { type DeploybotConfig, type EnvironmentConfig, timeoutPolicy } from '../../config.ts';
import { describeTimeout } from '../../review/statement-timeouts.ts';
import { escapeMrkdwn, mention } from '../../slack/mrkdwn.ts';

// `/daadaar policy [env]`: what a request to an environment will need, read from the config the
// bot enforces (src/config.ts), so the answer cannot drift from the checks. Config text (a seed
// refusal reason) is escaped: a config edit is reviewed, but it is still typed by a person.

export function policyText(config: DeploybotConfig, only?: string): string {
  const envs = Object.entries(config.environments).filter(([name]) => only === undefined || name === only);
  const parts = envs.map(([name, env]) => environmentPolicy(name, env));
  return [`*What a request needs*${only ? ` in \`${escapeMrkdwn(only)}\`` : ''}, from deploybot.config.json:`, ...parts].join('\n\n');
}

function environmentPolicy(name: string, env: EnvironmentConfig): string {
  const n = env.approvalsRequired;
  const timeouts = timeoutPolicy(env);
  const lock = timeouts.lockTimeoutMs;
  const run = timeouts.statementTimeoutMs;
  const first = env.requires?.succeededIn;
  return [
    `*\`${escapeMrkdwn(name)}\`*`,
    `• Approvals: ${n} of ${env.approvers.map(mention).join(', ')}, never the requester's own`,
    `• Staging first: ${first ? `the same pending migrations (or seed files) must have a succeeded request in \`${escapeMrkdwn(first)}\`` : 'nothing must run elsewhere first'}`,
    `• Seed: ${env.seed.allowed ? 'allowed' : `off${env.seed.reason ? `: ${escapeMrkdwn(env.seed.reason)}` : ''}`}`,
    `• A request expires ${env.requestTtlMinutes} min after posting unless approved`,
    `• Timeouts${env.timeouts ? '' : ' (the defaults)'}: lock_timeout ${describeTimeout(lock.readsAndWrites)} when it blocks reads and writes, ${describeTimeout(lock.writes)} writes only, ${describeTimeout(lock.neither)} neither; statement_timeout ${describeTimeout(run.small)} on small tables, ${describeTimeout(run.medium)} medium, ${describeTimeout(run.large)} large, ${describeTimeout(run.unknown)} unknown size`,
    `• Requested and decided in ${env.channels.map((c) => `<#${c}>`).join(' or ')}`,
  ].join('\n');
}
