import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseOptions } from '../../src/cli/review.ts';
import { MigrationRepository } from './git-repository.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

// The pull-request workflow, held to what the CLI accepts and to the rule that a pull request
// cannot change how it is judged.
describe('.github/workflows/migration-review.yml', () => {
  const workflow = parse(readFileSync('.github/workflows/migration-review.yml', 'utf8'));
  const steps: Step[] = workflow.jobs.review.steps;
  const review = steps.find((s) => s.run?.includes('deploybot.mjs review'));
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not JavaScript templates
  const baseSha = '${{ github.event.pull_request.base.sha }}';
  const headSha = '${{ github.event.pull_request.head.sha }}';
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not JavaScript templates

  it('runs as the base branch has it, on pull requests that touch the migrations or the schema', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request_target']);
    expect(workflow.on.pull_request_target.paths).toEqual(expect.arrayContaining(['backend/drizzle/**', 'database/**']));
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('judges with the base commit’s reviewer and only reads the pull request', () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((s) => [s.with?.ref, s.with?.path, s.with?.['persist-credentials']])).toEqual([
      [baseSha, 'reviewer', false],
      [headSha, 'pr', false],
    ]);
    expect(checkouts[1]?.with?.['fetch-depth']).toBe(0);
    // Installed and run: the reviewer. The pull request's tree is a working directory, nothing more.
    const install = steps.find((s) => s.run === 'npm ci --no-audit --no-fund');
    expect(install?.['working-directory']).toBe('reviewer');
    expect(review?.['working-directory']).toBe('pr');
    expect(review?.run).toMatch(/^node \.\.\/reviewer\/bin\/deploybot\.mjs review /);
    expect(steps.filter((s) => s.run && s !== install && s !== review)).toEqual([]);
  });

  it('pins every action to a commit, not a tag', () => {
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
  });

  it('fails on destructive, breaking, unreviewable and a failed dry run, with options the CLI accepts', () => {
    expect(review?.env).toEqual({ BASE_SHA: baseSha });
    const args = (review?.run ?? '')
      .replace(/ \$\(.*\)$/, '')
      .replace('node ../reviewer/bin/deploybot.mjs review ', '')
      .replace('"$BASE_SHA"', 'main')
      .split(' ');
    expect(parseOptions(args)).toMatchObject({
      ok: true,
      changedSince: 'main',
      format: 'github',
      failOn: ['destructive', 'breaking', 'unreviewable', 'dry-run'],
      dryRun: true,
    });
  });

  describe('its review command, run as the workflow runs it', () => {
    const repo = new MigrationRepository();
    let base: string;
    beforeAll(() => {
      base = repo.git('rev-parse', 'HEAD').trim();
      repo.branch('feature');
      // drizzle-kit writes exactly this for a new `.notNull()` column without `.default()`.
      repo.addMigration('0006_nickname', 'ALTER TABLE "users" ADD COLUMN "nickname" text NOT NULL;');
      repo.commit('users get a nickname');
    });
    afterAll(() => repo.remove());

    it('turns red for a NOT NULL column without a default, which fails on the first populated table', () => {
      const line = (review?.run ?? '').replaceAll('../reviewer', resolve('.'));
      const run = spawnSync('bash', ['-c', line.replace('--format github', '--format github --no-dry-run')], {
        cwd: repo.dir,
        encoding: 'utf8',
        env: { ...process.env, BASE_SHA: base, GITHUB_STEP_SUMMARY: '' },
        timeout: 120_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Failing: found 1 breaking');
      expect(run.stdout).toMatch(/^::error file=backend\/drizzle\/0006_nickname\.sql,line=1,/m);
    }, 120_000);
  });
});
