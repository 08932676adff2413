import { parse } from 'yaml';
import type { EnvironmentConfig } from '../../src/config.ts';
import type { DeploymentNames } from './names.ts';

// One environment's copy of infrastructure/aws/deploybot.yml: the parameters that name the
// environment are bound from deploybot.config.json and removed, so the stack deployed for
// staging cannot be handed production's project or secret by a mistyped command line. What
// the config does not know (VPC, subnets, the image tag) stays a parameter.

type Template = { Parameters: Record<string, unknown>; [key: string]: unknown };

export function environmentParameters(envName: string, env: EnvironmentConfig, names: DeploymentNames): Record<string, string> {
  return {
    EnvironmentName: envName,
    ProjectName: env.codebuildProject,
    DatabaseUrlSecretName: env.databaseUrlSecretId,
    SnapshotDatabase: env.database?.cluster ? `cluster:${env.database.cluster}` : `db:${env.database?.instance ?? ''}`,
    SnapshotResourceType: env.database?.cluster ? 'cluster-snapshot' : 'snapshot',
    EcrRepositoryName: names.backendRepository,
    StatusFunctionName: names.statusFunction,
    BotStackName: names.botStack,
  };
}

export function renderCodeBuildStack(templateText: string, envName: string, env: EnvironmentConfig, names: DeploymentNames): Template {
  const template = parse(templateText) as Template;
  const values = environmentParameters(envName, env, names);
  for (const name of Object.keys(values)) {
    if (!(name in template.Parameters)) throw new Error(`deploybot.yml has no parameter ${name}`);
    delete template.Parameters[name];
  }
  // An environment that names no database never snapshots (config.ts requires one otherwise): its role gets no RDS grant at all.
  if (!env.database) dropStatements(template, 'SnapshotBeforeMigrating');
  return bind(template, values) as Template;
}

function dropStatements(template: Template, sidPrefix: string): void {
  const resources = template.Resources as Record<
    string,
    { Properties?: { Policies?: { PolicyDocument: { Statement: { Sid?: string }[] } }[] } }
  >;
  for (const policy of resources.MigrationsRole?.Properties?.Policies ?? [])
    policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.filter((s) => !s.Sid?.startsWith(sidPrefix));
}

/** Replaces `Ref: P` and `${P}` inside `Fn::Sub` for the bound parameters; leaves the rest to CloudFormation. */
function bind(node: unknown, values: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => bind(n, values));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  const [only] = entries;
  if (entries.length === 1 && only) {
    const [key, value] = only;
    if (key === 'Ref' && typeof value === 'string' && value in values) return values[value];
    if (key === 'Fn::Sub' && typeof value === 'string') {
      const text = value.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => values[name] ?? whole);
      return text.includes('${') ? { 'Fn::Sub': text } : text;
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, bind(v, values)]));
}
