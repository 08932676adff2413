import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, seedRefusal, snapshotDecision } from '../src/config.ts';

const env = {
  codebuildProject: 'daadaar-migrations',
  region: 'us-east-1',
  databaseUrlSecretId: 'daadaar/prod/database-url',
  databaseReadUrlSecretId: 'daadaar/prod/database-read-url',
  channels: ['C0DEPLOYS01'],
  approvers: ['U0APPROVER1', 'U0APPROVER2'],
  database: { instance: 'daadaar-prod' },
};

const staging = {
  ...env,
  codebuildProject: 'daadaar-migrations-staging',
  databaseUrlSecretId: 'daadaar/staging/database-url',
  databaseReadUrlSecretId: 'daadaar/staging/database-read-url',
  database: { cluster: 'daadaar-staging' },
};

const problems = (environments: Record<string, unknown>): string => {
  const parsed = parseConfig(JSON.stringify({ environments }));
  if (parsed.ok) throw new Error('the config was accepted');
  return parsed.reason;
};

describe('deploybot.config.json', () => {
  it('the committed config is valid and keeps production seeding off', () => {
    const parsed = parseConfig(readFileSync('deploybot.config.json', 'utf8'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const prod = parsed.config.environments.prod;
    expect(prod?.codebuildProject).toBe('daadaar-migrations');
    expect(prod && seedRefusal('prod', prod)).toMatch(/Seeding prod/);
  });

  it('fills in defaults', () => {
    const parsed = parseConfig(JSON.stringify({ environments: { prod: env } }));
    expect(parsed).toMatchObject({
      ok: true,
      config: { environments: { prod: { approvalsRequired: 1, requestTtlMinutes: 30, seed: { allowed: false } } } },
    });
  });

  it('names every problem with its path and a readable message', () => {
    const parsed = parseConfig(
      JSON.stringify({
        environments: { prod: { ...env, codebuildProject: '', region: 'mars', channels: [], approvalsRequired: 3, extra: true } },
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toContain('environments.prod.codebuildProject: Too small');
    expect(parsed.reason).toContain('environments.prod.region: must be an AWS region such as us-east-1');
    expect(parsed.reason).toContain('environments.prod.channels: Too small');
    expect(parsed.reason).toContain('Unrecognized key: "extra"');
    expect(parsed.reason).toContain(
      'environments.prod.approvalsRequired: needs 3 approvers besides the requester, so at least 4 distinct approvers (2 listed)',
    );
    expect(parsed.reason).not.toContain('Invalid input');
  });

  it('requires the read-only database secret, and says what it is for', () => {
    const { databaseReadUrlSecretId: _, ...withoutReadUrl } = env;
    const missing = parseConfig(JSON.stringify({ environments: { prod: withoutReadUrl } }));
    expect(missing).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/environments\.prod\.databaseReadUrlSecretId: required: .*read-only DATABASE_URL/),
    });
    const empty = parseConfig(JSON.stringify({ environments: { prod: { ...env, databaseReadUrlSecretId: '' } } }));
    expect(empty).toMatchObject({ ok: false, reason: expect.stringContaining('environments.prod.databaseReadUrlSecretId: Too small') });
  });

  it('takes per-statement timeouts, and refuses a lock_timeout of 0 (wait forever) with its path', () => {
    const timeouts = { lockTimeoutMs: { readsAndWrites: 2000 }, statementTimeoutMs: { large: 0 } };
    expect(parseConfig(JSON.stringify({ environments: { prod: { ...env, timeouts } } }))).toMatchObject({ ok: true });
    const zero = parseConfig(JSON.stringify({ environments: { prod: { ...env, timeouts: { lockTimeoutMs: { writes: 0 } } } } }));
    expect(zero).toMatchObject({ ok: false, reason: expect.stringContaining('environments.prod.timeouts.lockTimeoutMs.writes') });
    expect(zero).toMatchObject({ ok: false, reason: expect.stringContaining('0 would wait forever') });
    const unknown = parseConfig(JSON.stringify({ environments: { prod: { ...env, timeouts: { lockTimeoutMs: { rows: 5 } } } } }));
    expect(unknown.ok).toBe(false);
  });

  it('refuses ids that are not Slack ids and files that are not JSON', () => {
    const bad = parseConfig(JSON.stringify({ environments: { prod: { ...env, approvers: ['alice'] } } }));
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('must be a Slack user id') });
    expect(parseConfig('{ nope')).toMatchObject({ ok: false, reason: expect.stringContaining('is not valid JSON') });
    expect(parseConfig(JSON.stringify({ environments: {} }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('define at least one environment'),
    });
  });

  it('accepts two environments that own their projects and secrets', () => {
    expect(parseConfig(JSON.stringify({ environments: { prod: env, staging } }))).toMatchObject({ ok: true });
  });

  it('takes requires.succeededIn naming another environment', () => {
    const parsed = parseConfig(JSON.stringify({ environments: { prod: { ...env, requires: { succeededIn: 'staging' } }, staging } }));
    expect(parsed.ok && parsed.config.environments.prod?.requires).toEqual({ succeededIn: 'staging' });
  });

  it('takes breakGlass off by default, fills in a day to acknowledge, and names each problem by path', () => {
    const off = parseConfig(JSON.stringify({ environments: { prod: env } }));
    expect(off.ok && off.config.environments.prod?.breakGlass).toBeUndefined();
    const on = parseConfig(
      JSON.stringify({ environments: { prod: { ...env, breakGlass: { users: ['U0ONCALL001'], securityChannel: 'C0SECURITY1' } } } }),
    );
    expect(on.ok && on.config.environments.prod?.breakGlass).toEqual({
      users: ['U0ONCALL001'],
      securityChannel: 'C0SECURITY1',
      acknowledgeWithinHours: 24,
    });
    const bad = problems({
      prod: { ...env, breakGlass: { users: [], securityChannel: 'C0DEPLOYS01', acknowledgeWithinHours: 0 } },
    });
    expect(bad).toContain('environments.prod.breakGlass.users:');
    expect(bad).toContain('environments.prod.breakGlass.acknowledgeWithinHours:');
    expect(problems({ prod: { ...env, breakGlass: { users: ['U0ONCALL001'], securityChannel: 'C0DEPLOYS01' } } })).toContain(
      "environments.prod.breakGlass.securityChannel: is one of prod's own channels: a break-glass run must also be seen outside the channel it ran from",
    );
    expect(problems({ prod: { ...env, breakGlass: { users: ['oncall'], securityChannel: '#security' } } })).toMatch(
      /breakGlass\.users\.0: must be a Slack user id[\s\S]*breakGlass\.securityChannel: must be a Slack channel id/,
    );
  });

  it('refuses requires.succeededIn naming the environment itself, an unknown one, or a cycle, each by path', () => {
    expect(problems({ prod: { ...env, requires: { succeededIn: 'prod' } }, staging })).toContain(
      'environments.prod.requires.succeededIn: names the environment itself: no request could ever be first',
    );
    expect(problems({ prod: { ...env, requires: { succeededIn: 'stage' } }, staging })).toContain(
      'environments.prod.requires.succeededIn: names stage, which is not an environment here (prod, staging)',
    );
    const cycle = problems({
      prod: { ...env, requires: { succeededIn: 'staging' } },
      staging: { ...staging, requires: { succeededIn: 'prod' } },
    });
    expect(cycle).toContain('environments.prod.requires.succeededIn: prod → staging → prod: each waits for the other');
    expect(cycle).toContain('environments.staging.requires.succeededIn: staging → prod → staging');
    expect(problems({ prod: { ...env, requires: { succeededIn: '' } }, staging })).toContain('environments.prod.requires.succeededIn');
    expect(problems({ prod: { ...env, requires: { succeeded: 'staging' } }, staging })).toContain('environments.prod.requires');
  });

  it("refuses an environment running its builds in another environment's CodeBuild project, in any region", () => {
    expect(problems({ prod: env, staging: { ...staging, codebuildProject: 'daadaar-migrations' } })).toContain(
      "environments.staging.codebuildProject: is also prod's CodeBuild project: each environment needs its own",
    );
    expect(problems({ prod: env, staging: { ...staging, codebuildProject: 'daadaar-migrations', region: 'eu-west-1' } })).toContain(
      "environments.staging.codebuildProject: is also prod's CodeBuild project",
    );
  });

  it("refuses an environment reading another environment's database secret, by name or by ARN", () => {
    expect(problems({ prod: env, staging: { ...staging, databaseUrlSecretId: 'daadaar/prod/database-url' } })).toContain(
      "environments.staging.databaseUrlSecretId: is also prod's database secret: each environment needs its own",
    );
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:daadaar/prod/database-url-Ab12Cd';
    expect(problems({ prod: env, staging: { ...staging, databaseUrlSecretId: arn } })).toContain(
      "environments.staging.databaseUrlSecretId: is also prod's database secret",
    );
    // One environment's read-only secret is another's owner secret: still shared.
    expect(problems({ prod: env, staging: { ...staging, databaseReadUrlSecretId: 'daadaar/prod/database-url' } })).toContain(
      "environments.staging.databaseReadUrlSecretId: is also prod's database secret",
    );
    expect(problems({ prod: { ...env, databaseReadUrlSecretId: env.databaseUrlSecretId } })).toContain(
      "environments.prod.databaseReadUrlSecretId: is the migration owner's secret (databaseUrlSecretId)",
    );
  });

  it('refuses an approver listed twice, and more approvals than an approver-requester could ever get', () => {
    const twice = problems({ prod: { ...env, approvers: ['U0APPROVER1', 'U0APPROVER2', 'U0APPROVER1'], approvalsRequired: 2 } });
    expect(twice).toContain('environments.prod.approvers.2: U0APPROVER1 is listed twice');
    // Three entries but two people: a request by either could get one approval, never two.
    expect(twice).toContain(
      'environments.prod.approvalsRequired: needs 2 approvers besides the requester, so at least 3 distinct approvers (2 listed)',
    );
    expect(problems({ prod: { ...env, approvers: ['U0APPROVER1'] } })).toContain(
      'environments.prod.approvalsRequired: needs 1 approver besides the requester, so at least 2 distinct approvers (1 listed)',
    );
    expect(
      parseConfig(
        JSON.stringify({
          environments: { prod: { ...env, approvers: ['U0APPROVER1', 'U0APPROVER2', 'U0APPROVER3'], approvalsRequired: 2 } },
        }),
      ),
    ).toMatchObject({ ok: true });
  });

  it('snapshots before destructive runs by default, and refuses a snapshot policy without the database to snapshot', () => {
    const parsed = parseConfig(JSON.stringify({ environments: { prod: env } }));
    if (!parsed.ok) throw new Error(parsed.reason);
    const prod = parsed.config.environments.prod;
    if (!prod) throw new Error('no prod');
    expect(prod.snapshotBefore).toBe('destructive');
    expect(snapshotDecision(prod, true)).toEqual({ kind: 'instance', id: 'daadaar-prod' });
    expect(snapshotDecision(prod, false)).toBeUndefined();
    expect(snapshotDecision({ ...prod, snapshotBefore: 'always' }, false)).toEqual({ kind: 'instance', id: 'daadaar-prod' });
    expect(snapshotDecision({ ...prod, snapshotBefore: 'never' }, true)).toBeUndefined();

    const { database: _, ...unnamed } = env;
    expect(problems({ prod: unnamed })).toContain(
      'environments.prod.database: required with snapshotBefore "destructive": name the database to snapshot ({ "instance": "<id>" } or { "cluster": "<id>" }), or set snapshotBefore to "never"',
    );
    expect(problems({ prod: { ...unnamed, snapshotBefore: 'always' } })).toContain('required with snapshotBefore "always"');
    expect(parseConfig(JSON.stringify({ environments: { prod: { ...unnamed, snapshotBefore: 'never' } } }))).toMatchObject({ ok: true });
    expect(problems({ prod: { ...env, database: { instance: 'a', cluster: 'b' } } })).toContain(
      'environments.prod.database: names exactly one of { "instance": "<DB instance id>" } or { "cluster": "<Aurora cluster id>" }',
    );
    expect(problems({ prod: { ...env, database: {} } })).toContain('environments.prod.database: names exactly one of');
    expect(problems({ prod: { ...env, database: { instance: 'prod--db' } } })).toContain(
      'environments.prod.database.instance: must be an RDS identifier',
    );
    expect(problems({ prod: { ...env, snapshotBefore: 'sometimes' } })).toMatch(/environments\.prod\.snapshotBefore: .*"destructive"/);
  });
});
