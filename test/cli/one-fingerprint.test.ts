import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/review.ts';
import { readAppliedMigrations } from '../../src/db/applied-migrations.ts';
import { loadJournalFolder } from '../../src/history/load.ts';
import { migrationSetHash } from '../../src/history/migration-set.ts';
import { pinTimeouts } from '../../src/history/pinned-timeouts.ts';
import { buildMigratePlan, planSha256 } from '../../src/history/plan.ts';
import { capture } from '../support/capture.ts';
import { createMigratedDatabase, type TestDatabase } from '../support/database.ts';
import { approvalClaims, labelledHashes } from '../support/fingerprints.ts';
import { historyPrefix } from '../support/migration-folders.ts';

// `deploybot review --database-url … --image-digest …` prints the plan sha256 the bot would
// pin, under one label in every format; the migration files' sha256 only under its own name.
const DIGEST = `sha256:${'d1'.repeat(32)}`;

describe('the CLI names its two sha256 values apart', () => {
  let db: TestDatabase;
  let plan = '';
  let files = '';
  const summaryFile = join(mkdtempSync(join(tmpdir(), 'fingerprint-')), 'summary.md');

  async function review(format: string): Promise<string> {
    const out = capture();
    const err = capture();
    const args = ['--format', format, '--no-dry-run', '--database-url', db.url, '--image-digest', DIGEST, 'backend/drizzle'];
    const code = await main(args, out as unknown as typeof process.stdout, err as unknown as typeof process.stderr, {
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    expect(code, err.text).toBe(0);
    return out.text;
  }

  beforeAll(async () => {
    db = await createMigratedDatabase(historyPrefix(3));
    const applied = await readAppliedMigrations(db.url);
    const shipped = await loadJournalFolder('backend/drizzle');
    if (!applied.ok || !shipped.ok) throw new Error('fixture unreadable');
    const pending = shipped.migrations.slice(3);
    // The timeouts the plan pins come from the review the CLI shows: its statements' locks and sizes.
    const doc = JSON.parse(await review('json'));
    const timeouts = pinTimeouts({ statements: doc.statements, tables: doc.tables }, pending);
    expect(doc.plan.timeouts).toEqual(timeouts);
    expect(timeouts.statements.length).toBeGreaterThan(0);
    plan = planSha256(buildMigratePlan({ appliedRows: applied.rows, pending, image: DIGEST, timeouts }));
    files = migrationSetHash(pending);
  }, 60_000);
  afterAll(() => db?.drop());

  it('text: one plan sha256 line, nothing else presented as approved', async () => {
    const text = await review('text');
    expect(text).toContain(`plan sha256 ${plan} · image ${DIGEST}`);
    expect(approvalClaims(text).map((c) => c.hash)).toEqual([plan]);
    expect(text).not.toMatch(/set sha256|setHash|migration set/i);
  }, 60_000);

  it('JSON: plan.sha256 is the plan, migrationSetSha256 the files, and no setHash', async () => {
    const doc = JSON.parse(await review('json'));
    expect(doc.plan).toMatchObject({ sha256: plan, image: DIGEST });
    expect(doc.migrationSetSha256).toBe(files);
    expect(doc).not.toHaveProperty('setHash');
    // Every key path holding a 64-hex value: only `plan.sha256` holds the plan.
    const paths = hexPaths(doc);
    expect(paths.filter(([, v]) => v === plan).map(([p]) => p)).toEqual(['plan.sha256']);
    expect(paths.filter(([, v]) => v === files).map(([p]) => p)).toEqual(['migrationSetSha256']);
    for (const [path] of paths) if (/review|approv|pinn/i.test(path)) throw new Error(`${path} presents a sha256 as approved`);
  }, 60_000);

  it('GitHub job summary: "plan sha256" and "migration files sha256", each once', async () => {
    await review('github');
    const summary = readFileSync(summaryFile, 'utf8');
    const labelled = labelledHashes(summary).filter((h) => h.hash === plan || h.hash === files);
    expect(labelled).toEqual([
      { hash: plan, label: 'plan sha256' },
      { hash: files, label: 'migration files sha256' },
    ]);
    expect(approvalClaims(summary).map((c) => c.hash)).toEqual([plan]);
    expect(summary).not.toMatch(/set sha256|setHash|migration set/i);
  }, 60_000);

  it('SARIF: the run carries plan.sha256 and migrationSetSha256, no setHash', async () => {
    const sarif = JSON.parse(await review('sarif'));
    const [run] = sarif.runs;
    expect(run.properties).toMatchObject({ plan: { sha256: plan, image: DIGEST }, migrationSetSha256: files });
    expect(run.properties).not.toHaveProperty('setHash');
    const paths = hexPaths(sarif);
    expect(paths.filter(([, v]) => v === plan).map(([p]) => p)).toEqual(['runs.0.properties.plan.sha256']);
  }, 60_000);
});

/** [dotted key path, value] for every 64-hex string in a JSON document. */
function hexPaths(value: unknown, path: string[] = []): [string, string][] {
  if (typeof value === 'string') return /^[0-9a-f]{64}$/.test(value) ? [[path.join('.'), value]] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => hexPaths(v, [...path, k]));
}
