-- Tailoring: an organisation adds activities, work products, input/output
-- rules and processes of its own, or declares a process not applicable;
-- the rules enforce its tailored model, the PRM stays read-only and no
-- other organisation's model changes.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_isms_admin LOGIN IN ROLE isms_admin, isms_manager;
CREATE ROLE regress_isms_worker LOGIN IN ROLE isms_admin;
SELECT pg_temp.name('organization', create_organization('Tailored Ltd'), 'tailored') AS org \gset
SELECT pg_temp.name('organization', create_organization('Plain Ltd'), 'plain') AS plain \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org, 'regress_isms_admin', 'admin'), (:org, 'regress_isms_worker', 'manager'),
    (:plain, 'regress_isms_admin', 'admin');

-- Only administrators of the organisation tailor it (42501): the worker holds
-- isms_admin, but is only a manager in this organisation.
SET ROLE regress_isms_worker;
SELECT pg_temp.try($$SELECT isms.add_activity($$ || :org || $$, '7.9', 'Notify the regulator')$$);
SET ROLE regress_isms_admin;

-- 1. An activity added to incident management: for this organisation only.
SELECT add_activity(:org, '7.9', 'Notify the regulator', optional => true) AS activity_no;
SELECT add_work_product(:org, 'regulator_notice', 'Notice sent to the supervisory authority', 'record', 'process') > 0 AS added;
SELECT add_process_output(:org, '7.9', 'regulator_notice', required => true, activity_no => 6);
SELECT count(*) FILTER (WHERE org_id IS NULL) AS prm_activities, count(*) FILTER (WHERE org_id = :org) AS own
  FROM activity WHERE process_id = process_id(:org, '7.9');

-- The PRM cannot be changed, nor shadowed (IS017).
SELECT pg_temp.try($$UPDATE isms.activity SET optional = true WHERE org_id IS NULL$$);
RESET ROLE;
SELECT pg_temp.try($$UPDATE isms.activity SET optional = true WHERE org_id IS NULL AND activity_no = 1$$);
SELECT pg_temp.try($$DELETE FROM isms.process WHERE code = '7.9'$$);
SELECT pg_temp.try($$INSERT INTO isms.activity (process_id, org_id, activity_no, name) VALUES (isms.process_id(1, '7.9'), $$ || :org || $$, 2, 'Squeezed in')$$);
SET ROLE regress_isms_admin;
SELECT pg_temp.try($$SELECT isms.add_work_product($$ || :org || $$, 'risk_register', 'My register', 'document', 'external')$$);
SELECT pg_temp.try($$SELECT isms.add_process($$ || :org || $$, '7.4', 'my_risk', 'Mine', 'core', 'Shadowing 7.4')$$);

-- 2. A run of 7.9 in the tailored organisation has six steps; in the other, five.
SET ROLE regress_isms_worker;
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Tailored incident'), 'tailored_run') AS run \gset
SELECT count(*) AS steps FROM step WHERE run_id = :run;
SET ROLE regress_isms_admin;
SELECT pg_temp.name('run', plan_run(:plain, '7.9', 'Plain incident'), 'plain_run') AS plainrun \gset
SELECT count(*) AS steps FROM step WHERE run_id = :plainrun;

-- The tailored output is required, unless its activity is skipped.
SET ROLE regress_isms_worker;
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Breach of personal data'), 'breach') AS ev \gset
SELECT submit_record(:ev);
SET ROLE regress_isms_admin;
SELECT approve_record(:ev);
SET ROLE regress_isms_worker;
SELECT add_input(:run, :ev);
SELECT start_run(:run);
SELECT * FROM run_blockers(:run) WHERE item = 'regulator_notice' OR blocker = 'step' AND item = '6';

-- Another organisation cannot produce it (IS015: not in its vocabulary).
SET ROLE regress_isms_admin;
SELECT pg_temp.try($$SELECT isms.new_external_record($$ || :plain || $$, 'regulator_notice', 'x')$$);

-- 3. An organisation's own process, run like any other.
SELECT add_process(:org, '11.1', 'privacy_management', 'Privacy management process', 'support',
                   'Keep the records of processing and the DPIAs current.') > 0 AS added;
SELECT add_activity(:org, '11.1', 'Review processing activities');
SELECT add_activity(:org, '11.1', 'Run the DPIAs');
SELECT add_work_product(:org, 'processing_register', 'Records of processing activities', 'document', 'process', 12) > 0 AS added;
SELECT add_process_input(:org, '11.1', 'legal_obligation');
SELECT add_process_output(:org, '11.1', 'processing_register', activity_no => 1);
SELECT pg_temp.try($$SELECT isms.plan_run($$ || :plain || $$, '11.1', 'Not theirs')$$);
SET ROLE regress_isms_worker;
SELECT pg_temp.name('run', plan_run(:org, '11.1', 'Privacy 2026'), 'privacy') AS prun \gset
SELECT * FROM run_blockers(:prun);

-- 4. Declaring a process not applicable, and revoking it.
RESET ROLE;
SELECT exclude_process(:org, '8.5', 'We sell to no external customers');
SELECT pg_temp.try('SELECT isms.plan_run(' || :org || ', ''8.5'', ''Customer care'')');
SELECT pg_temp.try('SELECT isms.plan_run(' || :plain || ', ''8.5'', ''Customer care'')');
SELECT include_process(:org, '8.5');
SELECT pg_temp.try('SELECT isms.plan_run(' || :org || ', ''8.5'', ''Customer care'')');

RESET ROLE;
DROP OWNED BY regress_isms_admin, regress_isms_worker;
DROP ROLE regress_isms_admin, regress_isms_worker;
