-- The bot's login for one environment's database (databaseReadUrlSecretId in deploybot.config.json).
-- The review reads drizzle's history and resolves a table name in the system catalogs
-- (to_regclass): nothing of the application's data, and nothing it could write.
--
-- Run once per environment as the database's owner, connected to the application database,
-- after drizzle's first migration (it creates the `drizzle` schema). Then give the role a
-- password (\password deploybot_reader in psql, so none is written to a file or a log) and
-- store postgres://deploybot_reader:…@host:5432/<database> in the environment's read secret.
-- The role name is cluster-wide: on a server holding two environments' databases, name a
-- role per environment.

CREATE ROLE deploybot_reader LOGIN NOINHERIT;

-- The privileges below are the control; these make every session read-only and short by
-- default as well (a client can still SET them, which gains nothing without privileges).
ALTER ROLE deploybot_reader SET default_transaction_read_only = on;
ALTER ROLE deploybot_reader SET statement_timeout = '5s';

DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO deploybot_reader', current_database()); END $$;

-- drizzle's history table and its schema; pg_catalog is readable by every role already.
GRANT USAGE ON SCHEMA drizzle TO deploybot_reader;
GRANT SELECT ON drizzle.__drizzle_migrations TO deploybot_reader;
