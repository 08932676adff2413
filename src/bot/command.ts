import type { DeploybotConfig } from '../config.ts';

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'policy'; env?: string }
  | { kind: 'status' | 'history'; env?: string }
  | { kind: 'migrate' | 'seed'; env: string }
  /** A migration on the requester's own confirmation (src/requests/break-glass.ts). */
  | { kind: 'breakglass'; env: string }
  | { kind: 'invalid'; message: string };

export function parseCommand(text: string, config: DeploybotConfig): ParsedCommand {
  const [verb = '', envName, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const envs = Object.keys(config.environments);
  const envList = envs.map((e) => `\`${e}\``).join(', ');
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'status':
    case 'history': {
      const v = verb.toLowerCase() as 'status' | 'history';
      if (envName && !envs.includes(envName))
        return { kind: 'invalid', message: `Unknown environment \`${clip(envName)}\`. Try \`/daadaar ${v}\` or one of ${envList}.` };
      return { kind: v, env: envName };
    }
    case 'policy': {
      if (envName && !envs.includes(envName))
        return { kind: 'invalid', message: `Unknown environment \`${clip(envName)}\`. Try \`/daadaar policy\` or one of ${envList}.` };
      if (rest.length > 0) return { kind: 'invalid', message: '`/daadaar policy` takes at most the environment: `/daadaar policy [env]`.' };
      return { kind: 'policy', env: envName };
    }
    case 'migrate':
    case 'seed': {
      const v = verb.toLowerCase() as 'migrate' | 'seed';
      if (!envName) return { kind: 'invalid', message: `Say which environment: \`/daadaar ${v} <env>\`, with <env> one of ${envList}.` };
      if (!envs.includes(envName))
        return {
          kind: 'invalid',
          message: `Unknown environment \`${clip(envName)}\`. Type \`/daadaar ${v} <env>\` with one of ${envList}.`,
        };
      if (rest.length > 0)
        return { kind: 'invalid', message: `\`/daadaar ${v}\` takes just the environment: \`/daadaar ${v} ${envName}\`.` };
      return { kind: v, env: envName };
    }
    case 'breakglass':
    case 'break-glass': {
      if (!envName)
        return { kind: 'invalid', message: `Say which environment: \`/daadaar breakglass <env>\`, with <env> one of ${envList}.` };
      if (!envs.includes(envName))
        return {
          kind: 'invalid',
          message: `Unknown environment \`${clip(envName)}\`. Type \`/daadaar breakglass <env>\` with one of ${envList}.`,
        };
      if (rest.length > 0)
        return { kind: 'invalid', message: `\`/daadaar breakglass\` takes just the environment: \`/daadaar breakglass ${envName}\`.` };
      return { kind: 'breakglass', env: envName };
    }
    default:
      return { kind: 'invalid', message: `Unknown command \`${clip(verb)}\`. ${HELP_SHORT}` };
  }
}

const HELP_SHORT = 'Type `/daadaar help` for what I can do.';

export function helpText(config: DeploybotConfig): string {
  const envs = Object.entries(config.environments)
    .map(
      ([name, env]) =>
        `• \`${name}\`: CodeBuild \`${env.codebuildProject}\` (${env.region}), ${env.approvalsRequired} approval${env.approvalsRequired === 1 ? '' : 's'}, seeding ${env.seed.allowed ? 'allowed' : 'off'}${env.requires ? `, after \`${env.requires.succeededIn}\`` : ''}`,
    )
    .join('\n');
  return [
    '*Daadaar deploybot* ships database migrations and seeds after a second engineer approves them.',
    '• `/daadaar migrate <env>`: review the pending migrations and ask for approval',
    '• `/daadaar seed <env>`: ask for approval to run the organizations seed',
    '• `/daadaar status [env]`: latest builds and open requests',
    '• `/daadaar history [env]`: the last 10 requests: who asked, who approved, what ran',
    '• `/daadaar breakglass <env>`: where configured, migrate on your own confirmation when no second engineer can approve; announced to security, acknowledged by an approver afterwards',
    '• `/daadaar policy [env]`: what a request needs: approvals, who approves, staging first, seeding, expiry, timeouts',
    '• `/daadaar help`: this message',
    '',
    `Environments:\n${envs}`,
  ].join('\n');
}

// What a person typed is echoed inside backticks; keep it short and free of backticks.
function clip(text: string): string {
  return text.replace(/`/g, "'").replace(/[<>&]/g, '').slice(0, 40);
}
