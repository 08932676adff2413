import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationRepository } from './git-repository.ts';

const BIN = resolve('bin/deploybot.mjs');

/** `deploybot` as CI runs it: a process in the repository's root. */
function deploybot(repo: MigrationRepository, args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: repo.dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const GOOD = `CREATE TABLE "report_tags" (
\t"id" serial PRIMARY KEY NOT NULL,
\t"report_id" integer NOT NULL,
\t"tag" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_tags_report_idx" ON "report_tags" USING btree ("report_id");--> statement-breakpoint
ALTER TABLE "report_tags" ADD CONSTRAINT "report_tags_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;`;

describe('deploybot review --changed-since', () => {
  describe('a branch that adds one good migration', () => {
    const repo = new MigrationRepository();
    beforeAll(() => {
      repo.branch('feature');
      repo.addMigration('0006_report_tags', GOOD);
      repo.commit('report tags');
    });
    afterAll(() => repo.remove());

    it('reviews only what the branch adds, as one run dry-run on top of the base history', () => {
      const { code, out, err } = deploybot(repo, ['review', '--changed-since', 'main', '--json', '--fail-on', 'destructive,unreviewable']);
      expect(err).not.toContain('Failing');
      expect(code).toBe(0);
      const doc = JSON.parse(out);
      expect(doc.scope.mode).toBe('branch');
      expect(doc.branch).toMatchObject({ ref: 'main', history: 6, added: ['0006_report_tags'], checks: [] });
      expect(doc.branch.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(doc.migrations.map((m: { tag: string }) => m.tag)).toEqual(['0006_report_tags']);
      // The index and foreign key are on a table the same run creates: nobody reads it yet.
      expect(doc.summary).toMatchObject({ destructive: 0, locking: 0, checks: 0, dryRun: 'ok' });
      // The dry run replayed the base's six migrations first: the foreign key to "reports" resolved.
      expect(doc.branch.dryRun).toMatchObject({ ok: true, migrations: 1, statements: 3 });
      expect(err).toContain('Reviewed the 1 migration this branch adds to main');
    }, 120_000);

    it('says so when the ref does not exist (a shallow CI checkout)', () => {
      const { code, err } = deploybot(repo, ['review', '--changed-since', 'origin/nope', '--no-dry-run']);
      expect(code).toBe(2);
      expect(err).toContain('git ref "origin/nope" not found');
      expect(err).toContain('fetch-depth: 0');
    });
  });

  describe('a branch with good and bad changes', () => {
    const repo = new MigrationRepository();
    let summaryFile: string;
    beforeAll(() => {
      repo.branch('feature');
      const oldest = repo.journal()[2]?.when ?? 0;
      repo.append('0001_anonymous_uploads.sql', '\n-- tidied up later\n');
      repo.addMigration('0006_report_tags', GOOD);
      repo.addMigration('0007_drop_votes', 'DROP TABLE "votes";');
      // Written on an old branch: its journal time predates the base's newest entry.
      repo.addMigration('0008_late_index', 'CREATE INDEX "users_email_idx" ON "users" ("email");', { when: oldest + 1 });
      repo.addMigration('0009_forgotten', '-- Custom SQL migration file, put your code below! --\n');
      repo.addMigration('0010_lost', '', { file: false });
      repo.commit('a mixed branch');
      summaryFile = join(repo.dir, 'step-summary.md');
    });
    afterAll(() => repo.remove());

    it('names each repository problem and exits 1 whatever --fail-on says', () => {
      const { code, out, err } = deploybot(repo, ['review', '--changed-since', 'main', '--json', '--no-dry-run']);
      expect(code).toBe(1);
      const doc = JSON.parse(out);
      const checks = doc.branch.checks.map((c: { kind: string; tag: string; file: string }) => `${c.kind} ${c.tag} ${c.file}`);
      expect(checks).toEqual([
        'edited-migration 0001_anonymous_uploads backend/drizzle/0001_anonymous_uploads.sql',
        'out-of-order 0008_late_index backend/drizzle/meta/_journal.json',
        'missing-file 0010_lost backend/drizzle/meta/_journal.json',
      ]);
      const outOfOrder = doc.branch.checks[1];
      expect(outOfOrder.message).toContain('skip this migration forever');
      // The journal line that holds the entry, so the annotation lands on it.
      const journalLines = readFileSync(repo.path('meta/_journal.json'), 'utf8').split('\n');
      expect(journalLines[outOfOrder.line - 1]).toContain('"0008_late_index"');
      expect(doc.branch.checks[0].line).toBe(5);
      expect(doc.branch.added).toEqual(['0006_report_tags', '0007_drop_votes', '0008_late_index', '0009_forgotten']);
      expect(doc.summary).toMatchObject({ destructive: 1, checks: 3, emptyMigrations: 1, dryRun: 'not run' });
      expect(doc.notices).toMatchObject([{ kind: 'comment-only-migration', tag: '0009_forgotten' }]);
      expect(err).toContain('Failing: found 3 repository checks');
    });

    it('writes GitHub annotations on the changed files and the job summary', () => {
      const { code, out } = deploybot(
        repo,
        ['review', '--changed-since', 'main', '--format', 'github', '--fail-on', 'destructive,unreviewable', '--no-dry-run'],
        {
          GITHUB_STEP_SUMMARY: summaryFile,
        },
      );
      expect(code).toBe(1);
      const commands = out.split('\n').filter((l) => /^::(error|warning|notice) /.test(l));
      expect(
        commands.some((l) =>
          l.startsWith('::error file=backend/drizzle/0007_drop_votes.sql,line=1,title=deploybot%3A destructive (drop-table)::'),
        ),
      ).toBe(true);
      expect(
        commands.some((l) =>
          l.startsWith('::error file=backend/drizzle/0001_anonymous_uploads.sql,line=5,title=deploybot%3A edited-migration::'),
        ),
      ).toBe(true);
      expect(commands.some((l) => l.startsWith('::error file=backend/drizzle/meta/_journal.json,') && l.includes('out-of-order'))).toBe(
        true,
      );
      expect(commands.some((l) => l.startsWith('::warning file=backend/drizzle/0009_forgotten.sql,line=1,'))).toBe(true);
      // The readable report is fenced off so a line of SQL can never act as a workflow command.
      expect(out).toMatch(/^::stop-commands::([0-9a-f]{32})\n[\s\S]*\n::\1::\n/);
      expect(existsSync(summaryFile)).toBe(true);
      const summary = readFileSync(summaryFile, 'utf8');
      expect(summary).toContain('## Migration review');
      expect(summary).toContain('**edited-migration**');
      expect(summary).toContain('DROP TABLE "votes"');
      // A branch has no target, so no plan: only the files' own sha256, under its own name.
      expect(summary).toMatch(/ · migration files sha256 `[0-9a-f]{64}`<\/sub>/);
      expect(summary).not.toMatch(/plan sha256|set sha256/);
    });

    it('writes SARIF 2.1.0 with a rule for every result', () => {
      const { code, out } = deploybot(repo, ['review', '--changed-since', 'main', '--format', 'sarif', '--no-dry-run']);
      expect(code).toBe(1);
      const sarif = JSON.parse(out);
      expect(sarif.version).toBe('2.1.0');
      const [run] = sarif.runs;
      const rules = run.tool.driver.rules.map((r: { id: string }) => r.id);
      for (const result of run.results) expect(rules[result.ruleIndex]).toBe(result.ruleId);
      const located = run.results.map(
        (r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          `${r.level} ${r.ruleId} ${r.locations[0]?.physicalLocation.artifactLocation.uri}`,
      );
      expect(located).toEqual(
        expect.arrayContaining([
          'error out-of-order backend/drizzle/meta/_journal.json',
          'error missing-file backend/drizzle/meta/_journal.json',
          'warning drop-table backend/drizzle/0007_drop_votes.sql',
          'warning comment-only-migration backend/drizzle/0009_forgotten.sql',
        ]),
      );
    });
  });

  describe('a branch whose new migration fails on top of the base', () => {
    const repo = new MigrationRepository();
    beforeAll(() => {
      repo.branch('feature');
      // 0004 renamed "biography" to "bio" on the base: this migration was written against the old name.
      repo.addMigration('0006_bio_default', `ALTER TABLE "individuals" ALTER COLUMN "biography" SET DEFAULT '';`);
    });
    afterAll(() => repo.remove());

    it('reports the failing statement from the dry run of base history plus the new migration', () => {
      const { code, out, err } = deploybot(repo, ['review', '--changed-since', 'main', '--fail-on', 'dry-run']);
      expect(code).toBe(1);
      expect(out).toContain('Reviewed the 1 migration this branch adds to main');
      expect(out).toMatch(
        /dry run: FAILED applying the pending set at backend\/drizzle\/0006_bio_default\.sql:1: column "biography" .*does not exist/,
      );
      expect(out).toMatch(/Summary: 1 migration, 1 statement: .*; repository checks ok; dry run FAILED/);
      expect(err).toContain('Failing: found a failed dry run');
    }, 120_000);
  });

  describe('a branch that indexes a large table, with the sizes kept in the repository', () => {
    const repo = new MigrationRepository();
    let stats: string;
    beforeAll(() => {
      repo.branch('feature');
      repo.addMigration('0006_users_email_idx', 'CREATE INDEX "users_email_idx" ON "users" ("email");');
      repo.commit('index users by email');
      stats = join(repo.dir, 'table-stats.json');
      writeFileSync(stats, JSON.stringify({ tables: [{ relation: 'public.users', rows: 2_500_000, bytes: 3 * 1024 ** 3 }] }));
    });
    afterAll(() => repo.remove());

    it('grades the lock with --stats-file, as the pull-request gate passes it', () => {
      const { code, out } = deploybot(repo, ['review', '--changed-since', 'main', '--stats-file', stats, '--no-dry-run']);
      expect(code).toBe(0);
      expect(out).toContain('lock: SHARE on "users" (blocks writes) · ~2.5M rows, 3.0 GB (large)');
    });
  });
});
