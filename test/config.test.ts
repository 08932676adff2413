import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, seedRefusal } from '../src/config.ts';

const env = {
  codebuildProject: 'daadaar-migrations',
  region: 'us-east-1',
  databaseUrlSecretId: 'daadaar/prod/database-url',
  databaseReadUrlSecretId: 'daadaar/prod/database-read-url',
  channels: ['C0DEPLOYS01'],
  approvers: ['U0APPROVER1'],
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
        environments: { prod: { ...env, codebuildProject: '', region: 'mars', channels: [], approvalsRequired: 2, extra: true } },
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toContain('environments.prod.codebuildProject: Too small');
    expect(parsed.reason).toContain('environments.prod.region: must be an AWS region such as us-east-1');
    expect(parsed.reason).toContain('environments.prod.channels: Too small');
    expect(parsed.reason).toContain('Unrecognized key: "extra"');
    expect(parsed.reason).toContain('environments.prod.approvalsRequired: needs 2 approvers but only 1 are listed');
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

  it('refuses ids that are not Slack ids and files that are not JSON', () => {
    const bad = parseConfig(JSON.stringify({ environments: { prod: { ...env, approvers: ['alice'] } } }));
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('must be a Slack user id') });
    expect(parseConfig('{ nope')).toMatchObject({ ok: false, reason: expect.stringContaining('is not valid JSON') });
    expect(parseConfig(JSON.stringify({ environments: {} }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('define at least one environment'),
    });
  });
});
