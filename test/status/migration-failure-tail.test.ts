import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness, blockText } from '../support/bot-harness.ts';
import { approvedBuild, buildEventHandler, stateChange } from '../support/codebuild-events.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { advanceBuild } from '../support/fake-aws.ts';
import { copyHistory, HISTORY } from '../support/migration-folders.ts';

// The whole way a failed migration's words travel: the real migrate entry fails on the real
// PostgreSQL against a users table holding e-mails and password hashes; what it printed is the
// build's CloudWatch log (with CodeBuild's lines and a crash dump around it); the status
// handler posts the thread's tail. The tail names the SQLSTATE and the constraint or column,
// and no value of the row Postgres put in its DETAIL.
const probe = await createTestDatabase();
const onServer = probe.kind === 'postgres';
await probe.drop();

const HASH_A = '$2b$12$Q9yZ3Wq1eXk4u7Lb0aPz8uJrT6yH5nV2cS1dF0gA9sD8fG7hJ6kL5';
const HASH_B = '$2b$12$Zx8Yw7Vu6Ts5Rq4Po3Nm2uLk1Ji0Hg9Fe8Dc7Ba6Zy5Xw4Vu3Ts2';
const ROW_VALUES = ['Leila.Ahmadi', 'leila.ahmadi', 'Example.org', 'example.org', 'reza.karimi', 'example.net', HASH_A, HASH_B, '$2b$12$'];

function withMigration(tag: string, text: string): string {
  const folder = copyHistory();
  writeFileSync(join(folder.dir, `${tag}.sql`), text);
  const when = (folder.journal.entries.at(-1)?.when ?? 0) + 1000;
  folder.journal.entries.push({ idx: folder.journal.entries.length, version: '7', when, tag, breakpoints: true });
  folder.writeJournal();
  return folder.dir;
}

/** The migrate entry as the build runs it (here with --local: no approved plan), its output as CloudWatch stores it. */
async function failingMigration(tag: string, sql: string): Promise<{ status: number | null; lines: string[] }> {
  const db: TestDatabase = await createTestDatabase();
  const client = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: HISTORY });
    await client`insert into users (email, username, password_hash, is_banned) values
      ('Leila.Ahmadi@Example.org', 'leila', ${HASH_A}, false),
      ('leila.ahmadi@example.org', 'leila2', ${HASH_B}, false),
      ('reza.karimi@example.net', 'reza', ${HASH_B}, true)`;
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const run = spawnSync(tsx, ['database/migrate.ts', '--local'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, MIGRATIONS_FOLDER: withMigration(tag, sql), MIGRATION_ATTEMPTS: '1' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    return { status: run.status, lines: `${run.stdout}${run.stderr}`.split('\n').filter(Boolean) };
  } finally {
    await client.end();
    await db.drop();
  }
}

describe.skipIf(!onServer)('a failed migration in the thread (real PostgreSQL, the migrate entry, the status handler)', () => {
  const bot = new BotHarness();
  let handle: (event: unknown) => Promise<unknown>;
  beforeAll(async () => {
    await bot.start();
    handle = buildEventHandler(bot);
  });
  afterAll(() => bot.stop());

  /** Posts `printed` as the failed build's log and returns the thread's tail. */
  async function tailOf(printed: string[]): Promise<string> {
    const { review, build } = await approvedBuild(bot);
    bot.aws.logStreams.set(`${build.logs.groupName}\t${build.logs.streamName}`, [
      '[Container] 2026/11/24 09:01:00.000001 Entering phase BUILD',
      '[Container] 2026/11/24 09:01:00.000002 Running command docker run --rm -e DATABASE_URL "$IMAGE_URI" bun database/migrate.ts',
      ...printed,
      // What a crash of another tool would dump: the thread must not show it.
      "  detail: 'Key (email)=(leila.ahmadi@example.org) already exists.',",
      '[Container] 2026/11/24 09:01:09.000001 Phase complete: BUILD State: FAILED',
    ]);
    advanceBuild(
      build,
      [
        ['SUBMITTED', 1],
        ['BUILD', 9, 'FAILED'],
      ],
      'FAILED',
    );
    expect(await handle(stateChange(build, 'FAILED'))).toMatchObject({ kind: 'reported', resultPosted: true });
    const tail = bot.threadReplies(review).filter((m) => m.text?.startsWith('Log tail of'));
    expect(tail).toHaveLength(1);
    return blockText(tail[0]);
  }

  it('a unique violation: SQLSTATE 23505 and the constraint, not the duplicated e-mail', async () => {
    const run = await failingMigration('0006_lowercase_emails', 'UPDATE "users" SET "email" = lower("email");\n');
    expect(run.status).toBe(1);
    const printed = run.lines.join('\n');
    expect(printed).toContain('"sqlstate":"23505"');
    expect(printed).toContain('"constraint":"users_email_unique"');
    for (const value of ROW_VALUES) expect(printed).not.toContain(value);

    const tail = await tailOf(run.lines);
    expect(tail).toContain('(SQLSTATE 23505, constraint users_email_unique, table users)');
    expect(tail).toContain('duplicate key value violates unique constraint');
    expect(tail).toContain('0006_lowercase_emails.sql:1');
    expect(tail).toContain('Phase complete: BUILD State: FAILED');
    expect(tail).toMatch(/\d+ other lines? of tool output not shown/);
    for (const value of ROW_VALUES) expect(tail).not.toContain(value);
  }, 180_000);

  it('a NOT NULL violation: SQLSTATE 23502 and the column, not the failing row', async () => {
    const run = await failingMigration('0006_unset_roles', 'UPDATE "users" SET "role" = NULL WHERE "is_banned";\n');
    expect(run.status).toBe(1);
    for (const value of ROW_VALUES) expect(run.lines.join('\n')).not.toContain(value);
    const tail = await tailOf(run.lines);
    expect(tail).toContain('(SQLSTATE 23502, table users, column role)');
    expect(tail).toContain('null value in column \\"role\\" of relation \\"users\\" violates not-null constraint');
    for (const value of ROW_VALUES) expect(tail).not.toContain(value);
  }, 180_000);

  it('a check violation: SQLSTATE 23514 and the constraint, not the failing row', async () => {
    const run = await failingMigration(
      '0006_lower_email_check',
      [
        'ALTER TABLE "users" ADD CONSTRAINT "users_email_lower" CHECK ("email" = lower("email")) NOT VALID;',
        '--> statement-breakpoint',
        `UPDATE "users" SET "display_name" = 'member';`,
        '',
      ].join('\n'),
    );
    expect(run.status).toBe(1);
    for (const value of ROW_VALUES) expect(run.lines.join('\n')).not.toContain(value);
    const tail = await tailOf(run.lines);
    expect(tail).toContain('(SQLSTATE 23514, constraint users_email_lower, table users)');
    expect(tail).toContain('0006_lower_email_check.sql:3');
    for (const value of ROW_VALUES) expect(tail).not.toContain(value);
  }, 180_000);
});
