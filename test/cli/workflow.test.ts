import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseOptions } from '../../src/cli/review.ts';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

// The pull-request workflow, held to what the CLI accepts and what --changed-since needs.
describe('.github/workflows/migration-review.yml', () => {
  const workflow = parse(readFileSync('.github/workflows/migration-review.yml', 'utf8'));
  const steps: Step[] = workflow.jobs.review.steps;

  it('runs on pull requests that touch the migrations or the schema', () => {
    expect(workflow.on.pull_request.paths).toEqual(expect.arrayContaining(['backend/drizzle/**', 'database/**']));
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('checks out the whole history and installs the locked dependencies', () => {
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    expect(steps.map((s) => s.run)).toContain('npm ci --no-audit --no-fund');
  });

  it('reviews what the pull request adds against its base, with options the CLI accepts', () => {
    const review = steps.find((s) => s.run?.startsWith('npx deploybot review'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JavaScript template
    expect(review?.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
    const args = (review?.run ?? '').replace('npx deploybot review ', '').replace('"origin/$BASE_REF"', 'origin/main').split(' ');
    const options = parseOptions(args);
    expect(options).toMatchObject({
      ok: true,
      changedSince: 'origin/main',
      format: 'github',
      failOn: ['destructive', 'unreviewable', 'dry-run'],
      dryRun: true,
    });
  });
});
