-- scripts/scenario/00_cast.sql -- chapter 0 of the Northwind Cloud scenario:
-- the scenario's own helpers (schema demo), the people (login roles) and the
-- organisations with their members.
--
-- The chapters run in one psql session, in name order, as a superuser who
-- then acts as the people with SET ROLE.  psql variables set here (:nw,
-- :labs) and in later chapters carry over from chapter to chapter.  Query
-- output goes to /dev/null unless a chapter switches it on with \o to show
-- a table; \echo always prints.

\set ON_ERROR_STOP on
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset footer off
\pset null '-'
SET client_min_messages = warning;
\o /dev/null

\echo
\echo '== Chapter 0. The cast'

-- The scenario's helpers live in schema demo: they are not part of the
-- extension, only a convenience for telling the story.
DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
GRANT USAGE ON SCHEMA demo TO PUBLIC;

-- The calendar of the story: its year is the 365 days that end today, in
-- twelve "months" of 30 days (day 1 of month 1 is 365 days ago; day 30 of
-- month 12 is 6 days ago), so every date of the story is in the past and
-- its durations (cycle times, ages, days overdue) are the same on any day.
-- Month 0 is the month before the year.
CREATE FUNCTION demo.day(month integer, day integer) RETURNS date
    LANGUAGE sql STABLE
    AS $$ SELECT current_date - 365 + 30 * (month - 1) + (day - 1) $$;

-- The year is replayed as Northwind Cloud's audited history import
-- (docs/history-import.md): each of chapters 1-7 and 9 is one
-- transaction, and demo.at(month, day) sets the business time of the
-- changes that follow (isms.import_at), after opening the transaction's
-- import batch on its first call.  Amir, the member designated
-- history_importer, opens it; every change after it is still made by the
-- person who makes it, under every rule of the engine.
CREATE FUNCTION demo.at(month integer, day integer, hour integer DEFAULT 9) RETURNS timestamptz
    LANGUAGE plpgsql
    AS $$
DECLARE
    acting text := current_setting('role');
BEGIN
    IF current_setting('demo.importing', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('role', 'amir_ciso', false);
        PERFORM isms.begin_import((SELECT org_id FROM isms.organization WHERE name = 'Northwind Cloud'),
                                  'scripts/scenario: the year of Northwind Cloud');
        PERFORM set_config('role', acting, false);
        PERFORM set_config('demo.importing', 'on', true);   -- until the transaction ends
    END IF;
    RETURN isms.import_at(demo.day(month, day) + make_interval(hours => hour));
END
$$;

-- Every refusal the scenario provokes, and what the engine answered.
CREATE TABLE demo.refusal (
    attempt     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor       name NOT NULL DEFAULT current_user,
    statement   text NOT NULL,
    expected    text NOT NULL,
    sqlstate    text,
    message     text
);
GRANT SELECT, INSERT ON demo.refusal TO PUBLIC;

-- Try a statement that the engine should refuse; print it and the error a
-- user would see, and keep both in demo.refusal.  The failed statement
-- changes nothing: its subtransaction is rolled back.
CREATE FUNCTION demo.refused(expected text, statement text) RETURNS SETOF text
    LANGUAGE plpgsql
    AS $$
DECLARE
    state text;
    msg text;
    detail text;
    hint text;
BEGIN
    BEGIN
        EXECUTE statement;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    END;
    INSERT INTO demo.refusal (statement, expected, sqlstate, message) VALUES (statement, expected, state, msg);
    RETURN NEXT format('    %s=%s %s;', current_user,
                       CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN '#' ELSE '>' END,
                       statement);
    IF state IS NULL THEN
        RETURN NEXT format('    !! accepted, but %s was expected', expected);
        RETURN;
    END IF;
    RETURN NEXT format('    ERROR %s:  %s', state, msg);
    IF detail <> '' THEN RETURN NEXT '    DETAIL:  ' || detail; END IF;
    IF hint <> '' THEN RETURN NEXT '    HINT:  ' || hint; END IF;
END
$$;

-- Perform the steps of a run in order as the current role, naming the
-- performer: start and finish each one, or skip the optional activities
-- listed in skips ({"activity_no": "reason"}).
CREATE FUNCTION demo.work_steps(run bigint, performer text, skips jsonb DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    FOR n IN SELECT s.activity_no FROM isms.step s WHERE s.run_id = run ORDER BY s.activity_no
    LOOP
        IF skips ? n::text THEN
            PERFORM isms.skip_step(run, n, skips ->> n::text);
        ELSE
            PERFORM isms.start_step(run, n, performer);
            PERFORM isms.finish_step(run, n);
        END IF;
    END LOOP;
END
$$;

-- Submit every draft a run has produced so far.
CREATE FUNCTION demo.submit_outputs(run bigint) RETURNS integer
    LANGUAGE sql
    AS $$
    SELECT count(isms.submit_record(r.record_id))::integer
      FROM isms.record r
     WHERE r.produced_by_run = run AND r.state = 'draft'
$$;

-- Approve every record of a run that is in review (as the current role).
CREATE FUNCTION demo.approve_outputs(run bigint) RETURNS integer
    LANGUAGE sql
    AS $$
    SELECT count(isms.approve_record(r.record_id))::integer
      FROM isms.record r
     WHERE r.produced_by_run = run AND r.state = 'in_review'
$$;

-- The people of Northwind Cloud, a 200-person SaaS company, and of its
-- small R&D subsidiary.  Each is a login role with the extension's group
-- role that fits the job.
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM (VALUES
        ('grace_ceo',   'isms_admin'),        -- Grace Okafor, CEO: top management, approves governance outputs
        ('amir_ciso',   'isms_manager'),      -- Amir Haddad, CISO: runs the ISMS
        ('lena_cto',    'isms_manager'),      -- Lena Novak, CTO: risk owner for the platform, trained internal auditor
        ('tomas_eng',   'isms_contributor'),  -- Tomás Silva, platform engineer
        ('mei_people',  'isms_contributor'),  -- Mei Tanaka, head of people: awareness and training
        ('priya_audit', 'isms_contributor'),  -- Priya Raman, internal auditor: writes audit reports
        ('kofi_audit',  'isms_manager'),      -- Kofi Mensah, lead internal auditor (contracted): approves audit reports
        ('bi_dashboard','isms_reader'),       -- the BI tool's read-only login
        ('omar_labs',   'isms_admin')         -- Omar Diallo, head of Northwind Labs
    ) AS v (login, grp)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = p.login) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p.login);
        END IF;
        EXECUTE format('GRANT %I TO %I', p.grp, p.login);
    END LOOP;
END
$$;

-- Grace founds Northwind Cloud's ISMS (the founder becomes its admin and
-- its top management) and adds her colleagues, designating three internal
-- auditors; Omar does the same for Northwind Labs.
SET ROLE grace_ceo;
SELECT isms.create_organization('Northwind Cloud') AS nw \gset
SELECT isms.add_member(:nw, m, r)
  FROM (VALUES ('amir_ciso', 'manager'), ('lena_cto', 'manager'), ('tomas_eng', 'contributor'),
               ('mei_people', 'contributor'), ('priya_audit', 'contributor'), ('kofi_audit', 'manager'),
               ('bi_dashboard', 'reader')) AS v (m, r);
SELECT isms.designate(:nw, m, 'internal_auditor') FROM unnest('{priya_audit,kofi_audit,lena_cto}'::name[]) AS m;
SELECT isms.designate(:nw, 'amir_ciso', 'history_importer');
SET ROLE omar_labs;
SELECT isms.create_organization('Northwind Labs') AS labs \gset
SELECT isms.add_member(:labs, 'amir_ciso', 'manager');
RESET ROLE;

\o
SELECT o.name AS organisation, m.member AS login, m.org_role AS "role in it",
       (SELECT string_agg(d.designation, ', ' ORDER BY d.designation) FROM isms.designation d
         WHERE d.org_id = m.org_id AND d.member_oid = m.member_oid) AS designated
  FROM isms.membership m JOIN isms.organization o USING (org_id)
 ORDER BY o.org_id, m.org_role, m.member;
\o /dev/null
