import { type DeploybotConfig, type EnvironmentConfig, timeoutPolicy } from '../../config.ts';
import { describeTimeout } from '../../review/statement-timeouts.ts';
import { escapeMrkdwn, mention, subteam } from '../../slack/mrkdwn.ts';

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
    ...(env.approvalRules?.length
      ? [
          `• Raised by what the review finds, the first rule that holds: ${env.approvalRules
            .map(
              (r) =>
                `"${escapeMrkdwn(r.name)}" when ${r.when}: ${Math.max(n, r.approvalsRequired ?? n)} approval${Math.max(n, r.approvalsRequired ?? n) === 1 ? '' : 's'}${r.oneOf ? `, one from ${subteam(r.oneOf)}` : ''}`,
            )
            .join('; ')}`,
        ]
      : []),
    `• Staging first: ${first ? `the same pending migrations (or seed files) must have a succeeded request in \`${escapeMrkdwn(first)}\`` : 'nothing must run elsewhere first'}`,
    `• Seed: ${env.seed.allowed ? 'allowed' : `off${env.seed.reason ? `: ${escapeMrkdwn(env.seed.reason)}` : ''}`}`,
    `• A request expires ${env.requestTtlMinutes} min after posting unless approved`,
    `• Timeouts${env.timeouts ? '' : ' (the defaults)'}: lock_timeout ${describeTimeout(lock.readsAndWrites)} when it blocks reads and writes, ${describeTimeout(lock.writes)} writes only, ${describeTimeout(lock.neither)} neither; statement_timeout ${describeTimeout(run.small)} on small tables, ${describeTimeout(run.medium)} medium, ${describeTimeout(run.large)} large, ${describeTimeout(run.unknown)} unknown size`,
    `• A wait for a lock that holds sessions queued behind the migrator ends after ${describeTimeout(timeouts.giveUpAfterMs)}, and the attempt is retried`,
    `• Break-glass: ${breakGlassText(name, env)}`,
    `• Snapshot before a migration: ${snapshotText(env)}`,
    `• Requested and decided in ${env.channels.map((c) => `<#${c}>`).join(' or ')}`,
  ].join('\n');
}

function snapshotText(env: EnvironmentConfig): string {
  if (env.snapshotBefore === 'never' || !env.database) return 'never';
  const target = env.database.instance
    ? `instance \`${escapeMrkdwn(env.database.instance)}\``
    : `cluster \`${escapeMrkdwn(env.database.cluster ?? '')}\``;
  return `${env.snapshotBefore === 'always' ? 'always' : 'when the review finds something destructive'}, of ${target}`;
}

function breakGlassText(name: string, env: EnvironmentConfig): string {
  const glass = env.breakGlass;
  if (!glass) return 'off';
  return `\`/daadaar breakglass ${escapeMrkdwn(name)}\` by ${glass.users.map(mention).join(', ')}: a migration on their own confirmation instead of an approval (staging first still holds), announced in <#${glass.securityChannel}>; an approver acknowledges it within ${glass.acknowledgeWithinHours} h, else the channel is reminded each day`;
}
