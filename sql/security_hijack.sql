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

-- Finding 1 of issue 12: a contributor with a schema of its own plants ||
-- and drives a step through plain DML.  The step-order check runs as the
-- extension owner; it must not run the contributor's function, as anyone.
-- A trap now also says so in a warning, which survives the error that
-- rolls back its row.
ALTER TABLE regress_hostile.ran ADD COLUMN who name DEFAULT current_user;
CREATE OR REPLACE FUNCTION regress_hostile.caught(trap text) RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO regress_hostile.ran VALUES (trap); RAISE WARNING 'trap % ran as %', trap, current_user; END $$;
CREATE ROLE regress_isms_h_contributor LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_isms_h_auditor LOGIN IN ROLE isms_auditor;
CREATE ROLE regress_isms_h_reader LOGIN IN ROLE isms_reader;
CREATE SCHEMA regress_mine AUTHORIZATION regress_isms_h_contributor;
SET ROLE regress_isms_h_admin;
SELECT isms.add_member(:org, 'regress_isms_h_contributor', 'contributor');
SELECT isms.add_member(:org, 'regress_isms_h_auditor', 'auditor');
SELECT isms.add_member(:org, 'regress_isms_h_reader', 'reader');
SET ROLE regress_isms_h_contributor;
CREATE FUNCTION regress_mine.cat(text, text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN PERFORM regress_hostile.caught('mine.||'); RETURN pg_catalog.textcat($1, $2); END $$;
CREATE OPERATOR regress_mine.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_mine.cat);
SET search_path = regress_mine, pg_catalog;
UPDATE isms.step SET state = 'active' WHERE run_id = :run AND activity_no = 3;
SELECT trap, who FROM regress_hostile.ran;
-- the crash variant: the same operator with another result type
DROP OPERATOR regress_mine.|| (text, text);
CREATE FUNCTION regress_mine.cat_int(text, text) RETURNS integer LANGUAGE plpgsql
    AS $$ BEGIN PERFORM regress_hostile.caught('mine.|| integer'); RETURN 42; END $$;
CREATE OPERATOR regress_mine.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_mine.cat_int);
UPDATE isms.step SET state = 'active' WHERE run_id = :run AND activity_no = 3;
UPDATE isms.step SET state = 'skipped', skip_reason = 'n/a' WHERE run_id = :run AND activity_no = 3;
SELECT trap, who FROM regress_hostile.ran;
-- the search_path the caller set is back after the engine's statements
SHOW search_path;
RESET ROLE;

-- The matrix: a trap for every operator and function name the engine's
-- internal queries use (=, <>, <, >=, >, ||, = ANY, <> ALL, max, count,
-- unnest, now), for the argument types they use, planted ahead of
-- pg_catalog; then every tenant role drives the engine through the API,
-- plain DML and COPY.  No trap may fire and nothing may crash.
CREATE FUNCTION regress_hostile.cmp(tid, tid) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('tid comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cmp(text, text) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('text comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cmp(bigint, bigint) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('bigint comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cmp(integer, integer) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('integer comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cmp(date, date) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('date comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cmp_enum(anyenum, anyenum) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('enum comparison'); SELECT false $$;
CREATE FUNCTION regress_hostile.cat(text, text) RETURNS text
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('||'); SELECT pg_catalog.textcat($1, $2) $$;
CREATE OPERATOR regress_hostile.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.cat);
CREATE OPERATOR regress_hostile.= (LEFTARG = anyenum, RIGHTARG = anyenum, FUNCTION = regress_hostile.cmp_enum);
CREATE OPERATOR regress_hostile.<> (LEFTARG = anyenum, RIGHTARG = anyenum, FUNCTION = regress_hostile.cmp_enum);
CREATE OPERATOR regress_hostile.= (LEFTARG = tid, RIGHTARG = tid, FUNCTION = regress_hostile.cmp);
CREATE OPERATOR regress_hostile.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.cmp);
CREATE OPERATOR regress_hostile.<> (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_hostile.cmp);
CREATE OPERATOR regress_hostile.< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = regress_hostile.cmp);
CREATE OPERATOR regress_hostile.< (LEFTARG = date, RIGHTARG = date, FUNCTION = regress_hostile.cmp);
CREATE OPERATOR regress_hostile.>= (LEFTARG = date, RIGHTARG = date, FUNCTION = regress_hostile.cmp);
CREATE FUNCTION regress_hostile.gt(bigint, integer) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('> bigint'); SELECT false $$;
CREATE OPERATOR regress_hostile.> (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = regress_hostile.gt);
CREATE FUNCTION regress_hostile.max_step(integer, integer) RETURNS integer
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('max()'); SELECT pg_catalog.int4larger($1, $2) $$;
CREATE AGGREGATE regress_hostile.max(integer) (SFUNC = regress_hostile.max_step, STYPE = integer);
CREATE FUNCTION regress_hostile.count_step(bigint) RETURNS bigint
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('count()'); SELECT pg_catalog.int8inc($1) $$;
CREATE AGGREGATE regress_hostile.count(*) (SFUNC = regress_hostile.count_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION regress_hostile.unnest(anyarray) RETURNS SETOF anyelement
    LANGUAGE sql AS $$ SELECT regress_hostile.caught('unnest()'); SELECT pg_catalog.unnest($1) $$;
-- the traps work
SET search_path = regress_hostile, pg_catalog;
SELECT 'a'::text || 'b'::text AS trapped, count(*) AS trapped FROM unnest(ARRAY[1, 2]);
SELECT DISTINCT trap FROM regress_hostile.ran ORDER BY trap;
TRUNCATE regress_hostile.ran;

-- Each role runs the same statements (%1$s org, %2$s run, %3$s record).
CREATE TABLE regress_hostile.drive (n integer PRIMARY KEY, stmt text);
GRANT SELECT ON regress_hostile.drive TO PUBLIC;
INSERT INTO regress_hostile.drive VALUES
 (1, 'SELECT isms.plan_run(%1$s, ''6.2'', ''matrix'')'),
 (2, 'SELECT isms.start_step(%2$s, 3)'),
 (3, 'UPDATE isms.step SET state = ''active'' WHERE run_id = %2$s AND activity_no OPERATOR(pg_catalog.=) 3'),
 (4, 'SELECT isms.new_external_record(%1$s, ''business_context'', ''matrix'')'),
 (5, 'INSERT INTO isms.record (org_id, work_product_id, title) VALUES (%1$s, isms.work_product_id(%1$s, ''business_context''), ''dml'')'),
 (6, 'SELECT isms.new_version(%3$s)'),
 (7, 'UPDATE isms.record SET state = ''in_review'' WHERE record_id = %3$s'),
 (8, 'SELECT isms.approve_record(%3$s)'),
 (9, 'INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%1$s, %2$s, %3$s, ''input'')'),
 (10, 'SELECT isms.add_input(%2$s, %3$s)'),
 (11, 'SELECT isms.finish_step(%2$s, 1)'),
 (12, 'SELECT isms.confirm_record(%2$s, %3$s)'),
 (13, 'SELECT pg_catalog.count(*) FROM isms.run_blockers(%2$s)'),
 (14, 'SELECT pg_catalog.count(*) FROM isms_report.run_blockers_of(%2$s)'),
 (15, 'SELECT valid FROM isms.verify_events(%1$s)'),
 (16, 'SELECT isms.add_work_product(%1$s, ''matrix_wp'', ''Matrix'', ''document'', ''external'')'),
 (17, 'SELECT isms.include_process(%1$s, ''8.4'')'),
 (18, 'UPDATE isms.run SET state = ''suspended'', state_reason = ''matrix'' WHERE run_id = %2$s'),
 (19, 'UPDATE isms.run SET state = ''active'' WHERE run_id = %2$s'),
 (20, 'DELETE FROM isms.run_record WHERE run_id = %2$s');
-- Run one statement; its SQLSTATE, or ok.  No SET clause: the statement
-- sees the caller's hostile search_path.
CREATE FUNCTION regress_hostile.try(stmt text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE stmt; RETURN 'ok'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$;
CREATE TABLE regress_hostile.outcome (who name, n integer, outcome text);
GRANT INSERT, SELECT ON regress_hostile.outcome TO PUBLIC;
SET ROLE regress_isms_h_manager;
SELECT isms.new_external_record(:org, 'business_context', 'matrix input') AS mrec \gset
RESET ROLE;
\set drive 'INSERT INTO regress_hostile.outcome SELECT current_user, n, regress_hostile.try(pg_catalog.format(stmt, ' :org ', ' :run ', ' :mrec ')) FROM regress_hostile.drive ORDER BY n'
SET ROLE regress_isms_h_reader;
:drive;
COPY isms.record (org_id, work_product_id, title) FROM stdin;
1	1	copied by a reader
\.
SET ROLE regress_isms_h_auditor;
:drive;
COPY isms.record (org_id, work_product_id, title) FROM stdin;
1	1	copied by an auditor
\.
SET ROLE regress_isms_h_contributor;
:drive;
COPY isms.record (org_id, work_product_id, title) FROM stdin;
1	1	copied by a contributor
\.
COPY isms.run_record (org_id, run_id, record_id, role) FROM stdin;
1	1	1	input
\.
SET ROLE regress_isms_h_manager;
:drive;
COPY isms.run (org_id, process_id, title) FROM stdin;
1	1	copied by a manager
\.
SET ROLE regress_isms_h_admin;
:drive;
COPY isms.record (org_id, work_product_id, title) FROM stdin;
1	1	copied by an admin
\.
-- COPY FROM is refused to the tenant roles (row-level security); the
-- table owner's COPY fires the same triggers, with the same traps planted
RESET ROLE;
SELECT isms.work_product_id(:org, 'business_context') AS business_context;
COPY isms.record (org_id, work_product_id, title) FROM stdin;
1	1	copied by the owner
\.
SHOW search_path;
SELECT n, pg_catalog.string_agg(pg_catalog.format('%s %s', pg_catalog.substr(who, 15), outcome), ', ' ORDER BY who) AS outcomes
  FROM regress_hostile.outcome GROUP BY n ORDER BY n;
SELECT trap, who FROM regress_hostile.ran;
SELECT valid FROM isms.verify_events(:org);

\c :home
DROP DATABASE regress_isms_hijack;
DROP ROLE regress_isms_h_admin, regress_isms_h_manager, regress_isms_h_contributor,
    regress_isms_h_auditor, regress_isms_h_reader;
