-- Tenants see nothing of each other (trust.md, issue 12 findings 2, 5, 6, 7):
-- a role of no organisation and a manager of organisation A try to learn
-- something of organisation B through the reporting views, leaky
-- functions, error messages, ids and notifications.  Each error is shown
-- as its SQLSTATE and whether its text names B's secrets.
SET client_min_messages = warning;
SET search_path = pg_catalog;

CREATE ROLE regress_isms_t_nobody LOGIN IN ROLE isms_reader, isms_manager, isms_admin;
CREATE ROLE regress_isms_t_mgr_a LOGIN IN ROLE isms_manager;

-- Organisation B keeps a record in review titled 'Secret B 4242' and has a run.
SELECT isms.create_organization('tenancy org A') AS org_a \gset
SELECT isms.create_organization('tenancy org B') AS org_b \gset
SELECT isms.add_member(:org_a, 'regress_isms_t_mgr_a', 'manager');
SET isms.actor = 'carol';
SELECT isms.new_external_record(:org_b, 'legal_obligation', '4242') AS rec_b \gset
SELECT isms.submit_record(:rec_b);
SELECT isms.plan_run(:org_b, '8.3', 'Secret B run') AS run_b \gset
SELECT isms.process_id(:org_b, '8.3') AS p83 \gset
SELECT isms.exclude_process(:org_b, '7.7', 'Secret reason');
SELECT isms.process_id(:org_b, '7.7') AS p77 \gset
RESET isms.actor;

-- An error's SQLSTATE, and whether its message, detail or hint names B.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text; d text; h text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN pg_catalog.format('%s%s', SQLSTATE,
        CASE WHEN concat_ws(' ', m, d, h) ~ '4242|Secret|org B|7\.7|outsourced|legal_obligation' THEN ' LEAK: ' || m ELSE '' END);
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- A leaky function: says every row it is shown.
CREATE FUNCTION pg_temp.leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    RAISE NOTICE 'saw %', t;
    RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.leak(text) TO PUBLIC;

SET ROLE regress_isms_t_nobody;
-- Finding 2: the views filter before any caller predicate.
SELECT pg_temp.try(format('SELECT count(*) FROM isms_report.pending_approvals WHERE org_id = %s AND title::int = 0', :org_b));
SET client_min_messages = notice;
SELECT count(*) FROM isms_report.event_timeline WHERE pg_temp.leak(object_type || ' ' || action);
SELECT count(*) FROM isms_report.pending_approvals WHERE pg_temp.leak(title);
SELECT count(*) FROM isms_report.run_blockers WHERE pg_temp.leak(item);
SET client_min_messages = warning;
-- the plan still filters on org_id at the index
RESET ROLE;
SELECT count(*) > 0 AS barrier FROM pg_class
 WHERE relnamespace = 'isms_report'::regnamespace AND relkind = 'v'
   AND reloptions @> '{security_barrier=true}';
SELECT relname FROM pg_class
 WHERE relnamespace = 'isms_report'::regnamespace AND relkind = 'v'
   AND NOT coalesce(reloptions @> '{security_barrier=true}', false);

-- Finding 5: errors say only "does not exist".
SET ROLE regress_isms_t_nobody;
SELECT pg_temp.try(format('INSERT INTO isms.run (org_id, process_id, title) VALUES (%s, %s, ''x'')', :org_b, :p83));
-- (without the check: IS014 "process 7.7 ... is not applicable for organization B")
SELECT pg_temp.try(format('INSERT INTO isms.run (org_id, process_id, title) VALUES (%s, %s, ''x'')', :org_b, :p77));
SELECT pg_temp.try(format('SELECT isms.plan_run(%s, ''8.3'', ''x'')', :org_b));
SELECT pg_temp.try(format('SELECT isms.work_product_id(%s, ''legal_obligation'')', :org_b));
SELECT pg_temp.try(format('SELECT isms.process_id(%s, ''7.7'')', :org_b));
SELECT pg_temp.try(format('INSERT INTO isms.record (org_id, work_product_id, title, produced_by_run) '
                          'VALUES (%s, isms.work_product_id(NULL, ''risk_register''), ''x'', %s)', :org_b, :run_b));
SELECT pg_temp.try(format('UPDATE isms.run SET title = ''y'' WHERE run_id = %s', :run_b));
RESET ROLE;
-- the same errors for an organisation that does not exist
SET ROLE regress_isms_t_nobody;
SELECT pg_temp.try('SELECT isms.work_product_id(999999, ''legal_obligation'')');
RESET ROLE;

-- Finding 6: a run id names one run of one organisation.
SET ROLE regress_isms_t_mgr_a;
SELECT pg_temp.try(format('INSERT INTO isms.run (org_id, run_id, process_id, title) '
                          'VALUES (%s, %s, %s, ''dup'')', :org_a, :run_b, :p83));
SELECT count(*) AS other_blockers FROM isms_report.run_blockers_of(:run_b);
SELECT pg_temp.try(format('SELECT isms.event_channel(%s)', :org_b));
SELECT isms.event_channel(:org_a) = isms.event_channel(:org_a) AS stable,
       isms.event_channel(:org_a) LIKE 'isms_event_%' AS named;
RESET ROLE;
SET ROLE regress_isms_t_nobody;
-- Finding 7: no channel for a role of no organisation
SELECT pg_temp.try(format('SELECT isms.event_channel(%s)', :org_b));
SELECT pg_temp.try(format('SELECT isms.event_channel_name(%s)', :org_b));
-- a taken name is no secret: two organisations may share a name
SELECT pg_temp.try('SELECT isms.create_organization(''tenancy org B'')');
RESET ROLE;
SELECT isms.event_channel_name(:org_a) <> isms.event_channel_name(:org_b) AS distinct_channels;

DROP OWNED BY regress_isms_t_nobody, regress_isms_t_mgr_a;
DROP ROLE regress_isms_t_nobody, regress_isms_t_mgr_a;
