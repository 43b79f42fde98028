-- Engine time and business time, and the audited history import (issue 17,
-- items 1 and 2; docs/history-import.md).  Every event keeps the time the
-- engine recorded it and carries the business time of its change; a member
-- designated history_importer imports past work in one transaction
-- (isms.begin_import, isms.import_at), in order, never in the future, every
-- rule enforced; imported events name their batch and the chain covers it.
-- Business times are 2025 dates, in the past on any day the suite runs;
-- times are shown in UTC.
\i test/lib/try.sql
SET client_min_messages = warning;
SET datestyle = ISO;
SET timezone = 'UTC';
SET isms.actor = 'alice';

CREATE ROLE regress_imp_clerk LOGIN IN ROLE isms_manager;
SELECT pg_temp.name('organization', isms.create_organization('Imported Ltd'), 'imported') AS org \gset
SELECT pg_temp.name('organization', isms.create_organization('Live Ltd'), 'live') AS live \gset
SELECT count(*) AS designated FROM (SELECT isms.add_member(:org, current_user, 'manager')) AS m,
       LATERAL (SELECT isms.designate(:org, current_user, d)
                  FROM unnest('{top_management,history_importer}'::text[]) AS d) AS x;
SELECT isms.add_member(:org, 'regress_imp_clerk', 'manager');
\i test/lib/governance.sql

-- Activities first..last of a 6.2 run: started, outputs published, finished.
CREATE FUNCTION pg_temp.steps(run bigint, first int, last int) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    published bigint := 0;
    act int;
    wp text;
BEGIN
    FOR act IN first..last LOOP
        PERFORM isms.start_step(run, act);
        FOR wp IN SELECT w.key FROM isms.process_output po JOIN isms.work_product w USING (work_product_id)
                   WHERE po.process_id = isms.process_id(isms.run_org(run), '6.2') AND po.activity_no = act
                     AND po.org_id IS NULL LOOP
            PERFORM pg_temp.publish(isms.new_record(run, wp, wp));
            published := published + 1;
        END LOOP;
        PERFORM isms.finish_step(run, act);
    END LOOP;
    RETURN published;
END $$;

-- 1. Live work: business time is the recorded time, and the event hashes
-- keep their first encoding.
SELECT pg_temp.publish(isms.new_external_record(:live, 'business_context', 'Live strategy')) IS NOT NULL AS ok;
SELECT count(*) > 0 AS live_events, bool_and(business_at = occurred_at) AS business_is_recorded,
       bool_and(import_batch IS NULL) AS none_imported
  FROM isms.event WHERE org_id = :live;

-- 2. Refused: isms.import_at outside import mode (IS045); an import by a
-- member not designated history_importer (IS046); a second batch in one
-- transaction (IS045); a change before the first isms.import_at (IS045); a
-- time in the future (IS044); the entry point a distributed database runs
-- on the organisation's node names the batch's organisation (IS045).
SELECT pg_temp.try($$SELECT isms.import_at('2025-01-06 08:00+00')$$);
SET ROLE regress_imp_clerk;
SELECT pg_temp.try($$SELECT isms.begin_import($$ || :org || $$, 'spreadsheet')$$);
RESET ROLE;
BEGIN;
SELECT isms.begin_import(:org, 'refusals') > 0 AS open;
SELECT regexp_replace(pg_temp.try($$SELECT isms.begin_import($$ || :org || $$, 'again')$$), 'batch \d+', 'batch N') AS try;
SELECT pg_temp.try($$SELECT isms.import_at_on_node($$ || :live || $$, '2025-01-06 08:00+00')$$);
SELECT regexp_replace(pg_temp.try($$SELECT isms.new_external_record($$ || :org || $$, 'business_context', 'Undated')$$), 'batch \d+', 'batch N') AS try;
SELECT regexp_replace(pg_temp.try($$SELECT isms.import_at(now() + interval '1 day')$$),
                      '\d\d:\d\d:\d\d(\.\d+)?', 'HH:MM:SS') AS try;
ROLLBACK;

-- 3. An imported quarter: the business context approved in January, a
-- governance run planned for February, performed from 3 February to
-- 10 March, due 31 March: on time, 35 days.  One transaction.
BEGIN;
SELECT pg_temp.name('import_batch', isms.begin_import(:org, 'governance.xlsx'), 'q1') AS batch \gset
SELECT isms.import_at('2025-01-06 08:00+00') IS NOT NULL AS at;
SELECT isms.new_external_record(:org, 'business_context', 'Strategy 2025') AS context \gset
SELECT isms.submit_record(:context);
SELECT isms.import_at('2025-01-08 08:00+00') IS NOT NULL AS at;
SET LOCAL isms.actor = 'bob';
SELECT isms.approve_record(:context);
SET LOCAL isms.actor = 'alice';
SELECT isms.import_at('2025-02-03 08:00+00') IS NOT NULL AS at;
SELECT isms.plan_run(:org, '6.2', 'Governance 2025', 'alice', '2025-02-01', '2025-03-31') AS run \gset
SELECT isms.add_input(:run, :context);
SELECT isms.start_run(:run);
SELECT pg_temp.steps(:run, 1, 2) AS published;
SELECT isms.import_at('2025-02-20 08:00+00') IS NOT NULL AS at;
-- a register entry (the risk criteria, 6.1.2 a) takes the business time too
SELECT isms.set_risk_criteria(:run, '{low,medium,high}', '{minor,major,severe}', 4);
SELECT pg_temp.steps(:run, 3, 4) AS published;
-- out of order within the batch (IS044)
SELECT pg_temp.try($$SELECT isms.import_at('2025-02-19 08:00+00')$$);
SELECT isms.import_at('2025-03-10 08:00+00') IS NOT NULL AS at;
SELECT isms.skip_step(:run, 5, 'no review this quarter');
SELECT isms.complete_run(:run);
-- a record submitted on 10 March and still waiting for its approver
SELECT isms.new_external_record(:org, 'business_context', 'Strategy 2025, revised') AS waiting \gset
SELECT isms.submit_record(:waiting);
COMMIT;

-- The run's, steps' and records' times are the business times.
SELECT created_at, started_at, ended_at, ended_at::date <= due AS on_time FROM isms.run WHERE run_id = :run;
SELECT activity_no, state, started_at, finished_at FROM isms.step WHERE run_id = :run ORDER BY activity_no;
SELECT created_at, submitted_at, approved_at, valid_until, retain_until FROM isms.record WHERE record_id = :context;
SELECT count(*) AS outputs, min(approved_at) = max(approved_at) AS same_day, min(valid_until) AS valid_until
  FROM isms.record WHERE produced_by_run = :run;
-- The events: recorded now, dated in the business year, naming the batch.
SELECT min(business_at) AS first_business, max(business_at) AS last_business,
       bool_and(recorded_at > business_at) AS recorded_later, bool_and(imported) AS all_imported,
       count(DISTINCT import_source) AS sources
  FROM isms_report.event_time t JOIN isms_report.event_timeline l USING (org_id, event_no)
 WHERE t.org_id = :org AND l.object_type IN ('run', 'step', 'record');
SELECT l.action, l.new_state, t.imported, t.import_source
  FROM isms_report.event_time t JOIN isms_report.event_timeline l USING (org_id, event_no)
 WHERE t.org_id = :org AND l.object_type = 'import_batch';
SELECT updated_at FROM isms.risk_criteria WHERE org_id = :org;
SELECT l.object_type, l.action, t.business_at, t.imported
  FROM isms_report.event_time t JOIN isms_report.event_timeline l USING (org_id, event_no)
 WHERE t.org_id = :org AND l.object_type LIKE 'risk%';
SELECT source, imported_by, first_at, last_at FROM isms.import_batch WHERE org_id = :org;
-- Reports use business time: 35 days, on time.
SELECT process_code, period, period_start, runs_completed, avg_cycle_days, runs_on_time, on_time_rate
  FROM isms_report.cycle_time WHERE org_id = :org ORDER BY period;
-- It has waited since its business time, not since the import.
SELECT record_id = :waiting AS waiting, submitted_at, age_days > 365 AS over_a_year
  FROM isms_report.pending_approvals WHERE org_id = :org;
SELECT valid, problem FROM isms.verify_events(:org);

-- 4. A later batch cannot go back before the last imported time (IS044),
-- and imported history is not a way to write the future either.
BEGIN;
SELECT isms.begin_import(:org, 'late.csv') > 0 AS open;
SELECT pg_temp.try($$SELECT isms.import_at('2025-03-09 08:00+00')$$);
SELECT isms.import_at('2025-03-10 08:00+00') IS NOT NULL AS same_time_allowed;
ROLLBACK;
-- a rolled-back batch leaves nothing
SELECT count(*) AS batches FROM isms.import_batch WHERE org_id = :org;

-- 5. The chain covers business time and batch: rewriting either is found.
SET session_replication_role = replica;
UPDATE isms.event SET business_at = business_at - interval '1 day'
 WHERE org_id = :org AND event_no = (SELECT min(event_no) FROM isms.event WHERE org_id = :org AND import_batch IS NOT NULL);
RESET session_replication_role;
SELECT valid, regexp_replace(problem, '\d+', 'N', 'g') AS problem FROM isms.verify_events(:org);
SET session_replication_role = replica;
UPDATE isms.event SET business_at = business_at + interval '1 day'
 WHERE org_id = :org AND event_no = (SELECT min(event_no) FROM isms.event WHERE org_id = :org AND import_batch IS NOT NULL);
UPDATE isms.event SET import_batch = NULL, business_at = occurred_at
 WHERE org_id = :org AND event_no = (SELECT max(event_no) FROM isms.event WHERE org_id = :org);
RESET session_replication_role;
SELECT valid, regexp_replace(problem, '\d+', 'N', 'g') AS problem FROM isms.verify_events(:org);
-- a live event dated otherwise is found too
SET session_replication_role = replica;
UPDATE isms.event SET business_at = occurred_at - interval '1 year'
 WHERE org_id = :live AND event_no = 1;
RESET session_replication_role;
SELECT valid, regexp_replace(problem, '\d+', 'N', 'g') AS problem FROM isms.verify_events(:live);

-- The superuser leaves the organisation (its reports are members' only).
SELECT isms.remove_member(:org, current_user);

DROP OWNED BY regress_imp_clerk;
DROP ROLE regress_imp_clerk;
