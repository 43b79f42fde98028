-- Objects planted in a schema ahead of pg_catalog on the search_path hijack
-- neither the install script nor the extension's functions, triggers and
-- policies at run time (the contrib/seg security.sql test, adapted).
-- It runs in a database of its own, so that the other tests keep theirs.
SET client_min_messages = warning;
SELECT current_database() AS home \gset
CREATE DATABASE regress_isms_hijack;
\c regress_isms_hijack
SET client_min_messages = warning;

-- The traps: operators and functions with the exact signatures the
-- extension's SQL would resolve to if it left names unqualified.  Each
-- records that it ran.
CREATE SCHEMA regress_hostile;
CREATE TABLE regress_hostile.ran (trap text);
GRANT USAGE ON SCHEMA regress_hostile TO PUBLIC;
GRANT INSERT, SELECT ON regress_hostile.ran TO PUBLIC;
CREATE FUNCTION regress_hostile.caught(trap text) RETURNS void
    LANGUAGE sql AS $$ INSERT INTO regress_hostile.ran VALUES (trap) $$;
CREATE FUNCTION regress_hostile.eq(bigint, bigint) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('= bigint'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE FUNCTION regress_hostile.eq(integer, integer) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('= integer'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE FUNCTION regress_hostile.eq(text, text) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('= text'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE FUNCTION regress_hostile.eq(name, name) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('= name'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE OPERATOR regress_hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_hostile.eq);
CREATE OPERATOR regress_hostile.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = regress_hostile.eq);
CREATE OPERATOR regress_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.eq);
CREATE OPERATOR regress_hostile.= (LEFTARG = name, RIGHTARG = name, FUNCTION = regress_hostile.eq);
CREATE FUNCTION regress_hostile.now() RETURNS timestamptz
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('now()'); SELECT pg_catalog.now() $$;
CREATE FUNCTION regress_hostile.btrim(text) RETURNS text
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('btrim()'); SELECT pg_catalog.btrim($1) $$;
CREATE FUNCTION regress_hostile.format(text) RETURNS text
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('format()'); SELECT pg_catalog.format($1) $$;
CREATE FUNCTION regress_hostile.pg_has_role(name, name, text) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('pg_has_role()'); SELECT true $$;
CREATE FUNCTION regress_hostile.jsonb_typeof(jsonb) RETURNS text
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('jsonb_typeof()'); SELECT pg_catalog.jsonb_typeof($1) $$;
CREATE FUNCTION regress_hostile.nextval(regclass) RETURNS bigint
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('nextval()'); SELECT pg_catalog.nextval($1) $$;

SET search_path = regress_hostile, pg_catalog, public;
-- the traps work: an unqualified = on bigint and now() are caught
SELECT 1::bigint = 1::bigint AS trapped, now() IS NOT NULL AS trapped;
SELECT trap FROM regress_hostile.ran ORDER BY trap;
TRUNCATE regress_hostile.ran;

-- Install with the traps first on the search_path: nothing is caught.
CREATE EXTENSION isms27022;
SELECT count(*) AS caught_while_installing FROM regress_hostile.ran;

-- Use it the same way, as tenant roles: the API, plain DML, the
-- row-level security policies, the triggers and the chain check.
CREATE ROLE regress_isms_h_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_isms_h_manager LOGIN IN ROLE isms_manager;
SET ROLE regress_isms_h_admin;
SET search_path = regress_hostile, pg_catalog, public;
SELECT isms.create_organization('hijack org') AS org \gset
SELECT isms.add_member(:org, 'regress_isms_h_manager', 'manager');
SELECT isms.exclude_process(:org, '8.5', 'outsourced');
SET ROLE regress_isms_h_manager;
SELECT isms.plan_run(:org, '6.2', 'governance 2026') AS run \gset
SELECT isms.new_external_record(:org, 'business_context', 'strategy') AS rec \gset
UPDATE isms.record SET content = '{"goal": "grow"}' WHERE org_id = :org AND record_id = :rec;
SELECT isms.submit_record(:rec);
SET ROLE regress_isms_h_admin;
SELECT isms.approve_record(:rec);
SET ROLE regress_isms_h_manager;
SELECT isms.add_input(:run, :rec);
SELECT isms.start_run(:run);
SELECT isms.start_step(:run, 1);
SELECT count(*) AS visible_runs FROM isms.run WHERE org_id = :org;
SELECT valid, events_checked > 0 AS has_events FROM isms.verify_events(:org);
RESET ROLE;
SELECT count(*) AS caught_at_run_time FROM regress_hostile.ran;

\c :home
DROP DATABASE regress_isms_hijack;
DROP ROLE regress_isms_h_admin, regress_isms_h_manager;
