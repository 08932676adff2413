import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reducePostgresError } from '../../database/postgres-error.ts';
import { describeRunnerReport, formatRunnerLine, parseRunnerLine } from '../../src/runner-report.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// Errors as PostgreSQL raises them, reduced to what the build may print: the names, never a value.
describe('a Postgres error, reduced', () => {
  let db: TestDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  async function failure(statement: string) {
    const error = await sql.unsafe(statement).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    return { error, report: reducePostgresError(error, statement) };
  }

  it('replaces a quoted value in the message, keeps the type it was cast to', async () => {
    const { report } = await failure(`select 'leila@example.org'::int`);
    expect(report).toMatchObject({ sqlstate: '22P02', message: 'invalid input syntax for type integer: "[value]"' });
  });

  it('keeps names the statement holds', async () => {
    const { report } = await failure('select "biography" from pg_class');
    expect(report?.message).toBe('column "biography" does not exist');
  });

  it('withholds a RAISE message built from values, keeps one the migration wrote', async () => {
    const built = await failure(`do $$ begin raise exception 'user % is a duplicate', 'leila@example.org'; end $$`);
    expect(built.report).toMatchObject({ sqlstate: 'P0001' });
    expect(JSON.stringify(built.report)).not.toContain('leila');
    const written = await failure(`do $$ begin raise exception 'Duplicate e-mails: clean them up first'; end $$`);
    expect(written.report?.message).toBe('Duplicate e-mails: clean them up first');
  });

  it('is nothing for an error that did not come from Postgres', () => {
    expect(reducePostgresError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBeUndefined();
  });
});

describe('runner report lines', () => {
  const line = formatRunnerLine({
    source: 'migrate',
    level: 'error',
    text: 'Migration failed at 0006_users.sql:4',
    postgres: {
      sqlstate: '23505',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      constraint: 'users_email_key',
    },
  });

  it('read back exactly as written', () => {
    expect(parseRunnerLine(line)).toEqual({
      source: 'migrate',
      level: 'error',
      text: 'Migration failed at 0006_users.sql:4',
      postgres: {
        sqlstate: '23505',
        message: 'duplicate key value violates unique constraint "users_email_key"',
        constraint: 'users_email_key',
      },
    });
    expect(describeRunnerReport(parseRunnerLine(line) as never)).toBe(
      '✗ migrate: Migration failed at 0006_users.sql:4\n  SQLSTATE 23505 (constraint users_email_key): duplicate key value violates unique constraint "users_email_key"',
    );
  });

  it('refuses lines that are not exactly ours', () => {
    for (const forged of [
      `  ${line}`,
      line.replace('"v":1', '"v":2'),
      line.replace('"migrate"', '"psql"'),
      line.replace('"23505"', '"leila"'),
      line.replace('}}', '},"detail":"Key (email)=(a@b)"}'),
      line
        .replace('"users_email_key"}', '"users_email_key","detail":"x"}')
        .replace('"constraint":"users_email_key"', '"constraint":"a\\"b"'),
      '{"deploybot":{"v":1,"source":"migrate","level":"info","text":42}}',
      '{"deploybot":{"v":1,"source":"migrate","level":"info","text":"x"},"other":1}',
      '{"deploybot":',
    ]) {
      expect(parseRunnerLine(forged), forged).toBeUndefined();
    }
  });
});
