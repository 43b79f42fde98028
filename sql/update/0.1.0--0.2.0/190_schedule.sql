-- 190_schedule: review cycles per organisation, recurring work planned by
-- pg_cron, and what is due (issue 17, items 3 and 4; docs/schedules.md).
--
-- isms.work_product_cycle is tailoring: an organisation's own review
-- interval and retention for a work product (the PRM's or its own).  The
-- engine reads it through the per-organisation model cache (src/model.c):
-- approval and confirmation set valid_until and retain_until from the
-- organisation's values.  A change invalidates that organisation's cache
-- entry only (model_changed, as for exclusions) and appends an event.
--
-- isms.schedule plans runs of a process every N months from a first due
-- date, or once on a day, each with a lead time.  isms.plan_due_runs (for
-- pg_cron, as a member of isms_scheduler) and isms.plan_org_due_runs (an
-- organisation's admins and managers) plan the runs whose lead time has
-- begun; isms.schedule_run records which run was planned for which due date
-- of a schedule, so that planning twice, or in two sessions at once, plans
-- each due date once.
--
-- isms_report.due, what is due, and isms_report.due_within(days, as_of), the
-- part of it due within N days, follow the registers: 240_due.

-- The planner's group role (NOLOGIN): grant it to the login role that
-- schedules the pg_cron job.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'isms_scheduler') THEN
        CREATE ROLE isms_scheduler NOLOGIN;
    END IF;
END
$$;

-- Review cycles and retention per organisation.
CREATE TABLE isms.work_product_cycle (
    org_id           bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    work_product_id  integer NOT NULL REFERENCES isms.work_product,
    review_months    integer CHECK (review_months BETWEEN 1 AND 120),
    retention_months integer CHECK (retention_months BETWEEN 0 AND 1200),
    justification    text CHECK (justification ~ '[^[:space:]]'),
    PRIMARY KEY (org_id, work_product_id),
    CHECK (review_months IS NOT NULL OR retention_months IS NOT NULL)
);
COMMENT ON TABLE isms.work_product_cycle IS
    'Tailoring: an organisation''s own review interval and retention for a work product, used by the engine when it sets valid_until and retain_until';
COMMENT ON COLUMN isms.work_product_cycle.review_months IS
    'Months an approved document of the work product stays valid (NULL: the work product''s own review_months); documents only';
COMMENT ON COLUMN isms.work_product_cycle.retention_months IS
    'Months a record of the work product is retained after approval (NULL: the work product''s own retention_months)';
COMMENT ON COLUMN isms.work_product_cycle.justification IS 'Why the organisation departs from the default, for the auditor';
SELECT pg_catalog.pg_extension_config_dump('isms.work_product_cycle', '');

-- Schedules of recurring runs.
CREATE SEQUENCE isms.schedule_id_seq;
CREATE TABLE isms.schedule (
    org_id        bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    schedule_id   bigint NOT NULL DEFAULT pg_catalog.nextval('isms.schedule_id_seq'),
    process_id    integer NOT NULL REFERENCES isms.process,
    title         text NOT NULL CHECK (title ~ '[^[:space:]]'),
    owner         text,
    first_due     date NOT NULL,
    every_months  integer CHECK (every_months BETWEEN 1 AND 120),
    lead_days     integer NOT NULL DEFAULT 30 CHECK (lead_days BETWEEN 0 AND 366),
    active        boolean NOT NULL DEFAULT true,
    PRIMARY KEY (org_id, schedule_id)
);
ALTER SEQUENCE isms.schedule_id_seq OWNED BY isms.schedule.schedule_id;
CREATE UNIQUE INDEX schedule_schedule_id_idx ON isms.schedule (schedule_id);
COMMENT ON TABLE isms.schedule IS
    'Recurring work: runs of a process an organisation plans every N months, or once, each planned lead_days before it is due';
COMMENT ON COLUMN isms.schedule.title IS 'Title of the planned runs (followed by the due date)';
COMMENT ON COLUMN isms.schedule.owner IS 'Owner of the planned runs (NULL: whoever plans them)';
COMMENT ON COLUMN isms.schedule.first_due IS 'The first due date; the later ones are every_months after it (the same day of the month, or the month''s last)';
COMMENT ON COLUMN isms.schedule.every_months IS 'Interval in months (12: yearly on the day of first_due); NULL: once, on first_due';
COMMENT ON COLUMN isms.schedule.lead_days IS 'Days before a due date on which its run is planned (its planned_start)';
COMMENT ON COLUMN isms.schedule.active IS 'False: the planner plans no more runs of the schedule';
SELECT pg_catalog.pg_extension_config_dump('isms.schedule', '');
SELECT pg_catalog.pg_extension_config_dump('isms.schedule_id_seq', '');

CREATE TABLE isms.schedule_run (
    org_id       bigint NOT NULL,
    schedule_id  bigint NOT NULL,
    due          date NOT NULL,
    run_id       bigint NOT NULL,
    PRIMARY KEY (org_id, schedule_id, due),
    UNIQUE (org_id, run_id),
    FOREIGN KEY (org_id, schedule_id) REFERENCES isms.schedule,
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run
);
COMMENT ON TABLE isms.schedule_run IS
    'The run planned for each due date of a schedule (written by the planner only; one run per due date)';
SELECT pg_catalog.pg_extension_config_dump('isms.schedule_run', '');

-- The rules (src/schedule.c): IS034 for review cycles, IS035 for schedules;
-- an event for every change; the model cache invalidated per organisation.
CREATE FUNCTION isms.cycle_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'cycle_trigger';
CREATE FUNCTION isms.schedule_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'schedule_trigger';
CREATE FUNCTION isms.schedule_event_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'schedule_event_trigger';
CREATE TRIGGER cycle_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.work_product_cycle
    FOR EACH ROW EXECUTE FUNCTION isms.cycle_trigger();
CREATE TRIGGER cycle_events AFTER INSERT OR UPDATE OR DELETE ON isms.work_product_cycle
    FOR EACH ROW EXECUTE FUNCTION isms.schedule_event_trigger();
CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE ON isms.work_product_cycle
    FOR EACH ROW EXECUTE FUNCTION isms.model_changed_trigger();
CREATE TRIGGER model_truncated AFTER TRUNCATE ON isms.work_product_cycle
    FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger();
CREATE TRIGGER schedule_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.schedule
    FOR EACH ROW EXECUTE FUNCTION isms.schedule_trigger();
CREATE TRIGGER schedule_events AFTER INSERT OR UPDATE OR DELETE ON isms.schedule
    FOR EACH ROW EXECUTE FUNCTION isms.schedule_event_trigger();
CREATE TRIGGER schedule_run_events AFTER INSERT ON isms.schedule_run
    FOR EACH ROW EXECUTE FUNCTION isms.schedule_event_trigger();
-- TRUNCATE skips the row triggers and their events (050_tamper.sql): refused (IS026)
CREATE TRIGGER work_product_cycle_no_truncate BEFORE TRUNCATE ON isms.work_product_cycle
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();
CREATE TRIGGER schedule_no_truncate BEFORE TRUNCATE ON isms.schedule
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();
CREATE TRIGGER schedule_run_no_truncate BEFORE TRUNCATE ON isms.schedule_run
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();

-- Tenancy: members read; admins set review cycles; admins and managers keep
-- schedules; nobody but the planner writes schedule_run.
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM (VALUES
        ('work_product_cycle', 'SELECT', '{admin,manager,contributor,auditor}'),
        ('work_product_cycle', 'INSERT', '{admin}'),
        ('work_product_cycle', 'UPDATE', '{admin}'),
        ('work_product_cycle', 'DELETE', '{admin}'),
        ('schedule',           'SELECT', '{admin,manager,contributor,auditor}'),
        ('schedule',           'INSERT', '{admin,manager}'),
        ('schedule',           'UPDATE', '{admin,manager}'),
        ('schedule',           'DELETE', '{admin,manager}'),
        ('schedule_run',       'SELECT', '{admin,manager,contributor,auditor}')
      ) AS v (tab, cmd, org_roles)
    LOOP
        EXECUTE pg_catalog.format('CREATE POLICY %I ON isms.%I FOR %s %s (%s)%s',
            pg_catalog.lower(p.cmd) || '_' || pg_catalog.array_to_string(p.org_roles::text[], '_'),
            p.tab, p.cmd, CASE p.cmd WHEN 'INSERT' THEN 'WITH CHECK' ELSE 'USING' END,
            pg_catalog.format('isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY (%L::text[])', p.org_roles),
            CASE p.cmd WHEN 'UPDATE' THEN pg_catalog.format(' WITH CHECK (isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY (%L::text[]))', p.org_roles) ELSE '' END);
    END LOOP;
END
$$;
ALTER TABLE isms.work_product_cycle ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE isms.schedule ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE isms.schedule_run ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
GRANT SELECT ON isms.work_product_cycle, isms.schedule, isms.schedule_run TO isms_contributor, isms_auditor;
GRANT INSERT, DELETE, UPDATE (review_months, retention_months, justification) ON isms.work_product_cycle TO isms_admin;
GRANT INSERT, DELETE, UPDATE (title, owner, first_due, every_months, lead_days, active) ON isms.schedule TO isms_manager;
GRANT USAGE ON SEQUENCE isms.schedule_id_seq TO isms_manager;

-- The API of review cycles (admins; row-level security decides).
CREATE FUNCTION isms.set_review_cycle(org bigint, work_product text, review_months integer DEFAULT NULL,
                                      retention_months integer DEFAULT NULL, justification text DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.work_product_cycle AS c (org_id, work_product_id, review_months, retention_months, justification)
    VALUES ($1, isms.work_product_id($1, $2), $3, $4, $5)
    ON CONFLICT (org_id, work_product_id) DO UPDATE
       SET review_months = excluded.review_months, retention_months = excluded.retention_months,
           justification = excluded.justification
$$;
CREATE FUNCTION isms.reset_review_cycle(org bigint, work_product text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    DELETE FROM isms.work_product_cycle
     WHERE org_id OPERATOR(pg_catalog.=) $1 AND work_product_id OPERATOR(pg_catalog.=) isms.work_product_id($1, $2)
$$;
COMMENT ON FUNCTION isms.set_review_cycle(bigint, text, integer, integer, text) IS
    'Set the organization''s review interval and/or retention of a work product (administrators); NULL keeps the work product''s own';
COMMENT ON FUNCTION isms.reset_review_cycle(bigint, text) IS
    'Return to the work product''s own review interval and retention (administrators)';

-- The due dates of a schedule: the k-th (from 0) is first_due plus k times
-- every_months months (the day clamped to the month's end, never drifting).
CREATE FUNCTION isms.schedule_due(first_due date, every_months integer, k integer) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN $3 OPERATOR(pg_catalog.<) 0 THEN NULL
                WHEN $2 IS NULL THEN CASE WHEN $3 OPERATOR(pg_catalog.=) 0 THEN $1 END
                ELSE ($1 OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => $2 OPERATOR(pg_catalog.*) $3))::date END
$$;
-- The number of the last due date on or before day (NULL if none).
CREATE FUNCTION isms.schedule_last(first_due date, every_months integer, day date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN k IS NULL OR k OPERATOR(pg_catalog.<) 0 THEN NULL
                WHEN isms.schedule_due($1, $2, k) OPERATOR(pg_catalog.>) $3 THEN
                     nullif(k OPERATOR(pg_catalog.-) 1, -1)
                ELSE k END
      FROM (SELECT CASE WHEN $3 OPERATOR(pg_catalog.<) $1 THEN NULL
                        WHEN $2 IS NULL THEN 0
                        ELSE ((pg_catalog.date_part('year', $3)::integer OPERATOR(pg_catalog.-) pg_catalog.date_part('year', $1)::integer)
                               OPERATOR(pg_catalog.*) 12
                               OPERATOR(pg_catalog.+) pg_catalog.date_part('month', $3)::integer
                               OPERATOR(pg_catalog.-) pg_catalog.date_part('month', $1)::integer)
                             OPERATOR(pg_catalog./) $2 END AS k) e
$$;
COMMENT ON FUNCTION isms.schedule_due(date, integer, integer) IS
    'The k-th due date (from 0) of a schedule: first_due plus k times every_months months; every_months NULL: first_due only';
COMMENT ON FUNCTION isms.schedule_last(date, integer, date) IS
    'The number of a schedule''s last due date on or before a day, or NULL';

-- The planner.  For each active schedule (of one organisation, or of all),
-- of a process the organisation has not declared not applicable: the last
-- due date whose lead time has begun by as_of, unless a run is planned for
-- it or a later one.  Missed earlier dates are not planned after the fact
-- (docs/schedules.md).  Schedules are locked in one order (org_id,
-- schedule_id), so planners running at once wait for each other instead of
-- deadlocking, and the second finds the run of the first; the primary key
-- of schedule_run is the last word.  A schedule that cannot be planned
-- (a rule refuses the run) is reported as a warning and skipped.
CREATE FUNCTION isms.plan_due_runs_of(org bigint, as_of date)
    RETURNS TABLE (org_id bigint, schedule_id bigint, run_id bigint, process_code text, due date)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s record;
    k integer;
    d date;
    r bigint;
    o bigint;
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null' USING ERRCODE = '22004';
    END IF;
    -- every organisation's, one at a time in order: each statement names one
    -- organisation (on Citus, routed to its shard; a multi-shard FOR UPDATE is refused)
    IF plan_due_runs_of.org IS NULL THEN
        FOR o IN SELECT DISTINCT sc.org_id FROM isms.schedule sc WHERE sc.active ORDER BY sc.org_id LOOP
            RETURN QUERY SELECT * FROM isms.plan_due_runs_of(o, as_of);
        END LOOP;
        RETURN;
    END IF;
    FOR s IN SELECT sc.org_id, sc.schedule_id, sc.process_id, sc.title, sc.owner, sc.first_due, sc.every_months,
                    sc.lead_days, p.code::text AS code
               FROM isms.schedule sc
               JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) sc.process_id
              WHERE sc.active
                AND sc.org_id OPERATOR(pg_catalog.=) plan_due_runs_of.org
                AND sc.first_due OPERATOR(pg_catalog.<=) (as_of OPERATOR(pg_catalog.+) sc.lead_days)
                AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                                 WHERE x.org_id OPERATOR(pg_catalog.=) sc.org_id
                                   AND x.process_id OPERATOR(pg_catalog.=) sc.process_id)
              ORDER BY sc.schedule_id
                FOR NO KEY UPDATE OF sc
    LOOP
        k := isms.schedule_last(s.first_due, s.every_months, (as_of OPERATOR(pg_catalog.+) s.lead_days));
        CONTINUE WHEN k IS NULL;
        d := isms.schedule_due(s.first_due, s.every_months, k);
        -- a new statement: it sees what a planner that held the lock committed
        CONTINUE WHEN EXISTS (SELECT FROM isms.schedule_run sr
                               WHERE sr.org_id OPERATOR(pg_catalog.=) s.org_id
                                 AND sr.schedule_id OPERATOR(pg_catalog.=) s.schedule_id
                                 AND sr.due OPERATOR(pg_catalog.>=) d);
        BEGIN
            INSERT INTO isms.run AS nr (org_id, process_id, title, owner, planned_start, due)
            VALUES (s.org_id, s.process_id, pg_catalog.format('%s (due %s)', s.title, pg_catalog.to_char(d, 'YYYY-MM-DD')),
                    s.owner, d OPERATOR(pg_catalog.-) s.lead_days, d)
            RETURNING nr.run_id INTO r;
            INSERT INTO isms.schedule_run (org_id, schedule_id, due, run_id) VALUES (s.org_id, s.schedule_id, d, r);
        EXCEPTION WHEN unique_violation THEN
            CONTINUE;
        WHEN OTHERS THEN
            RAISE WARNING 'schedule % of organization % was not planned: %', s.schedule_id, s.org_id, SQLERRM
                USING ERRCODE = SQLSTATE;
            CONTINUE;
        END;
        org_id := s.org_id;
        schedule_id := s.schedule_id;
        run_id := r;
        process_code := s.code;
        due := d;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION isms.plan_due_runs_of(bigint, date) IS
    'The planner''s body (not granted): plans the due runs of one organisation, or of all (NULL)';
REVOKE ALL ON FUNCTION isms.plan_due_runs_of(bigint, date) FROM PUBLIC;

CREATE FUNCTION isms.plan_due_runs(as_of date DEFAULT CURRENT_DATE)
    RETURNS TABLE (org_id bigint, schedule_id bigint, run_id bigint, process_code text, due date)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT * FROM isms.plan_due_runs_of(NULL, $1) $$;
COMMENT ON FUNCTION isms.plan_due_runs(date) IS
    'Plan the runs due by every organisation''s schedules (members of isms_scheduler: the pg_cron job); running it again plans nothing twice';
REVOKE ALL ON FUNCTION isms.plan_due_runs(date) FROM PUBLIC;
GRANT USAGE ON SCHEMA isms TO isms_scheduler;
GRANT EXECUTE ON FUNCTION isms.plan_due_runs(date) TO isms_scheduler;

CREATE FUNCTION isms.plan_org_due_runs(org bigint, as_of date DEFAULT CURRENT_DATE)
    RETURNS TABLE (org_id bigint, schedule_id bigint, run_id bigint, process_code text, due date)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin,manager}');
    SELECT * FROM isms.plan_due_runs_of($1, $2)
$$;
COMMENT ON FUNCTION isms.plan_org_due_runs(bigint, date) IS
    'Plan the runs due by one organisation''s schedules now (its admins and managers)';
REVOKE ALL ON FUNCTION isms.plan_org_due_runs(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.plan_org_due_runs(bigint, date) TO isms_manager;

CREATE FUNCTION isms.add_schedule(org bigint, process isms.clause, title text, first_due date,
                                  every_months integer DEFAULT 12, lead_days integer DEFAULT 30,
                                  owner text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.schedule (org_id, process_id, title, first_due, every_months, lead_days, owner)
    VALUES ($1, isms.process_id($1, $2), $3, $4, $5, $6, $7)
    RETURNING schedule_id
$$;
COMMENT ON FUNCTION isms.add_schedule(bigint, isms.clause, text, date, integer, integer, text) IS
    'Schedule runs of a process every N months from first_due (NULL: once), planned lead_days before each due date (admins and managers)';
REVOKE ALL ON FUNCTION isms.set_review_cycle(bigint, text, integer, integer, text),
    isms.reset_review_cycle(bigint, text), isms.add_schedule(bigint, isms.clause, text, date, integer, integer, text),
    isms.schedule_due(date, integer, integer), isms.schedule_last(date, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.set_review_cycle(bigint, text, integer, integer, text),
    isms.reset_review_cycle(bigint, text) TO isms_admin;
GRANT EXECUTE ON FUNCTION isms.add_schedule(bigint, isms.clause, text, date, integer, integer, text) TO isms_manager;
GRANT EXECUTE ON FUNCTION isms.schedule_due(date, integer, integer), isms.schedule_last(date, integer, date)
    TO isms_reader;

COMMENT ON FUNCTION isms.cycle_trigger() IS
    'Engine trigger on isms.work_product_cycle: the organisation''s own work products or the PRM''s, fixed identity, an event per change (IS034)';
COMMENT ON FUNCTION isms.schedule_trigger() IS
    'Engine trigger on isms.schedule: the organisation''s applicable processes, fixed identity, no deletion after planning (IS035)';
COMMENT ON FUNCTION isms.schedule_event_trigger() IS
    'Engine trigger on isms.schedule: an event per change';
