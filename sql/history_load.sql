-- The history import format and its loader (issue 17, item 2;
-- docs/history-import.md "The import format"): a year of a small ISMS,
-- test/lib/history_2025.json, imported with isms.import_history in one
-- batch, gives the same runs, steps, records and reports (cycle times,
-- on-time rates, derived capability) as the same year performed through
-- the API month by month with business times; a history that breaks a rule
-- or comes again imports nothing.  Business times are 2025 dates, in the
-- past on any day the suite runs; times are shown in UTC.
\i test/lib/try.sql
SET client_min_messages = warning;
SET datestyle = ISO;
SET timezone = 'UTC';
SET isms.actor = 'alice';
SELECT pg_temp.name('organization', isms.create_organization('Imported Co'), 'imported') AS imported \gset
SELECT pg_temp.name('organization', isms.create_organization('Replayed Co'), 'replayed') AS replayed \gset
SELECT pg_temp.name('organization', isms.create_organization('Broken Co'), 'broken') AS broken \gset
SELECT count(*) AS designated FROM unnest(ARRAY[:imported, :replayed, :broken]::bigint[]) AS o,
       LATERAL (SELECT isms.add_member(o, current_user, 'manager')) AS m,
       LATERAL (SELECT isms.designate(o, current_user, d)
                  FROM unnest('{top_management,internal_auditor,history_importer}'::text[]) AS d) AS x;
\set history `cat test/lib/history_2025.json`

-- 1. The document, imported in one batch.
SELECT jsonb_array_length(:'history'::jsonb -> 'records') AS records, jsonb_array_length(:'history'::jsonb -> 'runs') AS runs;
SELECT isms.import_history(:imported, :'history') > 0 AS imported;
SELECT source, first_at, last_at FROM isms.import_batch WHERE org_id = :imported;

-- 2. The same year performed through the API, one transaction a month (or
-- two), each an import batch with business times.
CREATE FUNCTION pg_temp.at(day text) RETURNS void LANGUAGE sql AS $$ SELECT isms.import_at((day || ' 08:00+00')::timestamptz) IS NULL $$;
CREATE FUNCTION pg_temp.draft(org bigint, run bigint, wp text, title text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    rec bigint := CASE WHEN run IS NULL THEN isms.new_external_record(org, wp, title) ELSE isms.new_record(run, wp, title) END;
BEGIN
    PERFORM isms.submit_record(rec);
    RETURN rec;
END $$;
CREATE FUNCTION pg_temp.approve(rec bigint, approver text DEFAULT 'bob') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('isms.actor', approver, true);
    PERFORM isms.approve_record(rec);
    PERFORM set_config('isms.actor', 'alice', true);
END $$;
CREATE FUNCTION pg_temp.next(run bigint, done int, start int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF done IS NOT NULL THEN PERFORM isms.finish_step(run, done); END IF;
    IF start IS NOT NULL THEN PERFORM isms.start_step(run, start, 'alice'); END IF;
END $$;
CREATE FUNCTION pg_temp.plan(org bigint, code text, title text, start date, due date, inputs bigint[]) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, code::isms.clause, title, 'alice', start, due);
BEGIN
    IF inputs IS NOT NULL THEN
        PERFORM isms.add_input(run, i) FROM unnest(inputs) AS i;
        PERFORM isms.start_run(run);
        PERFORM isms.start_step(run, 1, 'alice');
    END IF;
    RETURN run;
END $$;
\set org :replayed
BEGIN;
SELECT isms.begin_import(:org, 'January') > 0 AS open;
SELECT pg_temp.at('2025-01-06'), pg_temp.draft(:org, NULL, 'business_context', 'Strategy 2025') AS strategy \gset
SELECT pg_temp.at('2025-01-08'), pg_temp.approve(:strategy);
SELECT pg_temp.at('2025-01-10'), pg_temp.plan(:org, '6.2', 'Governance 2025', '2025-01-13', '2025-02-28', NULL) AS gov \gset
SELECT pg_temp.at('2025-01-13'), isms.add_input(:gov, :strategy), isms.start_run(:gov), pg_temp.next(:gov, NULL, 1);
SELECT pg_temp.at('2025-01-15'), pg_temp.draft(:org, :gov, 'context_analysis', 'Context analysis') AS context \gset
SELECT pg_temp.at('2025-01-20'), pg_temp.approve(:context), pg_temp.next(:gov, 1, 2);
SELECT pg_temp.at('2025-01-22'), pg_temp.draft(:org, :gov, 'isms_scope', 'ISMS scope') AS scope \gset
SELECT pg_temp.at('2025-01-27'), pg_temp.approve(:scope), pg_temp.next(:gov, 2, 3);
SELECT pg_temp.at('2025-01-29'), pg_temp.draft(:org, :gov, 'roles_and_responsibilities', 'Roles') AS roles \gset
COMMIT;
BEGIN;
SELECT isms.begin_import(:org, 'February') > 0 AS open;
SELECT pg_temp.at('2025-02-03'), pg_temp.approve(:roles), pg_temp.next(:gov, 3, 4);
SELECT pg_temp.at('2025-02-05'), pg_temp.draft(:org, :gov, 'risk_criteria', 'Risk criteria') AS criteria \gset
SELECT pg_temp.at('2025-02-07'), pg_temp.draft(:org, :gov, 'security_objectives', 'Objectives 2025') AS objectives \gset
SELECT pg_temp.at('2025-02-12'), pg_temp.approve(:criteria);
SELECT pg_temp.at('2025-02-14'), pg_temp.approve(:objectives), pg_temp.next(:gov, 4, NULL),
       isms.skip_step(:gov, 5, 'management review in December'), isms.complete_run(:gov);
COMMIT;
BEGIN;
SELECT isms.begin_import(:org, 'March to May') > 0 AS open;
SELECT pg_temp.at('2025-03-03'), pg_temp.plan(:org, '7.3', 'Requirements 2025', '2025-03-03', '2025-04-30', ARRAY[:context]) AS req \gset
SELECT pg_temp.at('2025-03-10'), pg_temp.draft(:org, :req, 'interested_parties_register', 'Interested parties') AS parties \gset
SELECT pg_temp.at('2025-03-20'), pg_temp.approve(:parties), pg_temp.next(:req, 1, 2);
SELECT pg_temp.at('2025-04-14'), pg_temp.draft(:org, :req, 'requirements_register', 'Requirements register') AS register \gset
SELECT pg_temp.at('2025-05-05'), pg_temp.approve(:register), pg_temp.next(:req, 2, 3);
SELECT pg_temp.at('2025-05-12'), pg_temp.next(:req, 3, 4);
SELECT pg_temp.at('2025-05-19'), pg_temp.next(:req, 4, NULL), isms.complete_run(:req);
COMMIT;
BEGIN;
SELECT isms.begin_import(:org, 'June and July') > 0 AS open;
SELECT pg_temp.at('2025-06-02'), pg_temp.plan(:org, '7.2', 'Policy 2025', '2025-06-02', '2025-07-31', ARRAY[:register, :objectives]) AS pol \gset
SELECT pg_temp.at('2025-06-16'), pg_temp.draft(:org, :pol, 'security_policy', 'Information security policy') AS policy \gset
SELECT pg_temp.at('2025-06-30'), pg_temp.approve(:policy), pg_temp.next(:pol, 1, NULL);
SELECT pg_temp.at('2025-07-01'), pg_temp.next(:pol, NULL, 2);
SELECT pg_temp.at('2025-07-04'), pg_temp.next(:pol, 2, 3);
SELECT pg_temp.at('2025-07-10'), pg_temp.next(:pol, 3, 4);
SELECT pg_temp.at('2025-07-15'), pg_temp.next(:pol, 4, NULL), isms.complete_run(:pol);
COMMIT;
BEGIN;
SELECT isms.begin_import(:org, 'September and October') > 0 AS open;
SELECT pg_temp.at('2025-09-01'), pg_temp.plan(:org, '7.11', 'Internal audit 2025', '2025-09-01', '2025-10-31', ARRAY[:scope, :register]) AS aud \gset
SELECT pg_temp.at('2025-09-02'), pg_temp.draft(:org, :aud, 'audit_programme', 'Audit programme 2025') AS programme \gset
SELECT pg_temp.at('2025-09-08'), pg_temp.approve(:programme), pg_temp.next(:aud, 1, 2);
SELECT pg_temp.at('2025-09-15'), pg_temp.next(:aud, 2, 3);
SELECT pg_temp.at('2025-09-29'), pg_temp.next(:aud, 3, 4);
SELECT pg_temp.at('2025-10-01'), pg_temp.draft(:org, :aud, 'audit_report', 'Internal audit report 2025') AS report \gset
SELECT pg_temp.at('2025-10-06'), pg_temp.approve(:report, 'carol'), pg_temp.next(:aud, 4, NULL),
       isms.skip_step(:aud, 5, 'no nonconformity found'), isms.complete_run(:aud);
COMMIT;
BEGIN;
SELECT isms.begin_import(:org, 'November and December') > 0 AS open;
SELECT pg_temp.at('2025-11-03'), pg_temp.plan(:org, '7.3', 'Supplier requirements', '2025-11-03', '2025-11-28', NULL) AS sup \gset
SELECT pg_temp.at('2025-11-10'), isms.cancel_run(:sup, 'merged into the 2026 requirements review');
SELECT pg_temp.at('2025-12-01'), pg_temp.plan(:org, '6.2', 'Management review 2025', '2025-12-01', '2025-12-19', ARRAY[:strategy]) AS rev \gset
SELECT pg_temp.at('2025-12-02'), pg_temp.draft(:org, :rev, 'context_analysis', 'Context analysis, December') AS context2 \gset
SELECT pg_temp.at('2025-12-03'), pg_temp.approve(:context2), pg_temp.next(:rev, 1, 2);
SELECT pg_temp.at('2025-12-04'), pg_temp.draft(:org, :rev, 'isms_scope', 'ISMS scope, December') AS scope2 \gset
SELECT pg_temp.at('2025-12-05'), pg_temp.approve(:scope2), pg_temp.next(:rev, 2, 3),
       pg_temp.draft(:org, :rev, 'roles_and_responsibilities', 'Roles, December') AS roles2 \gset
SELECT pg_temp.at('2025-12-08'), pg_temp.approve(:roles2), pg_temp.next(:rev, 3, 4);
SELECT pg_temp.at('2025-12-09'), pg_temp.draft(:org, :rev, 'risk_criteria', 'Risk criteria, December') AS criteria2 \gset
SELECT pg_temp.at('2025-12-10'), pg_temp.draft(:org, :rev, 'security_objectives', 'Objectives 2026') AS objectives2 \gset
SELECT pg_temp.at('2025-12-11'), pg_temp.approve(:criteria2);
SELECT pg_temp.at('2025-12-12'), pg_temp.approve(:objectives2), pg_temp.next(:rev, 4, NULL);
SELECT pg_temp.at('2025-12-22'), isms.skip_step(:rev, 5, 'the board reviews the ISMS in January'), isms.complete_run(:rev);
COMMIT;

-- 3. The same history, the same reports.  Runs, steps and records with
-- their business times, per organisation; what differs between the two
-- (none); then the reports of the imported one.
CREATE FUNCTION pg_temp.history(org bigint) RETURNS TABLE (what text, item text) LANGUAGE sql AS $$
    SELECT 'run', concat_ws(' ', p.code, r.title, r.state, r.planned_start, r.due, r.created_at, r.started_at, r.ended_at)
      FROM isms.run r JOIN isms.process p USING (process_id) WHERE r.org_id = org
    UNION ALL
    SELECT 'step', concat_ws(' ', r.title, s.activity_no, s.state, s.performer, s.started_at, s.finished_at)
      FROM isms.step s JOIN isms.run r USING (org_id, run_id) WHERE s.org_id = org
    UNION ALL
    SELECT 'record', concat_ws(' ', w.key, c.title, c.version, c.state, c.author, c.approver, c.created_at, c.submitted_at,
                               c.approved_at, c.valid_until, c.retain_until, r.title)
      FROM isms.record c JOIN isms.work_product w USING (work_product_id)
      LEFT JOIN isms.run r ON r.org_id = c.org_id AND r.run_id = c.produced_by_run WHERE c.org_id = org
    UNION ALL
    SELECT 'cycle_time', concat_ws(' ', process_code, period, period_start, runs_completed, avg_cycle_days, runs_with_due,
                                   runs_on_time, on_time_rate)
      FROM isms_report.cycle_time WHERE org_id = org
    UNION ALL
    SELECT 'derived', concat_ws(' ', process, attribute, achievement, rating)
      FROM isms.derived_ratings(org, '2025-01-01', '2025-12-31')
$$;
SELECT what, count(*) AS items FROM pg_temp.history(:imported) GROUP BY what ORDER BY what;
SELECT (SELECT count(*) FROM pg_temp.history(:imported)) = (SELECT count(*) FROM pg_temp.history(:replayed)) AS as_many;
SELECT 'only imported' AS side, * FROM (SELECT * FROM pg_temp.history(:imported) EXCEPT SELECT * FROM pg_temp.history(:replayed)) d
UNION ALL
SELECT 'only replayed', * FROM (SELECT * FROM pg_temp.history(:replayed) EXCEPT SELECT * FROM pg_temp.history(:imported)) d;
SELECT process_code, period_start, runs_completed, avg_cycle_days, runs_with_due, runs_on_time, on_time_rate
  FROM isms_report.cycle_time WHERE org_id = :imported AND period = 'quarter' ORDER BY process_sort, period_start;
-- The capability a year of evidence shows differs between the processes:
-- 7.11 done on time with its outputs, 7.3 late, 6.2 once on time, once late.
-- (PA 1.1 and 2.1 only: the other attributes count documents current
-- today, which depends on the day the suite runs.)
SELECT process, string_agg(attribute || ' ' || rating, ', ' ORDER BY attribute) AS ratings
  FROM isms.derived_ratings(:imported, '2025-01-01', '2025-12-31')
 WHERE process::text IN ('6.2', '7.2', '7.3', '7.11') AND attribute IN ('PA 1.1', 'PA 2.1')
 GROUP BY process ORDER BY isms.clause_sort_key(process);
SELECT count(*) FILTER (WHERE import_batch IS NOT NULL) AS imported_events, count(DISTINCT import_batch) AS batches
  FROM isms.event WHERE org_id = :replayed;
SELECT valid FROM isms.verify_events(:imported);
SELECT valid FROM isms.verify_events(:replayed);

-- 4. All or nothing.  The same history again: before the last imported
-- time (IS044).  A history whose audit report is approved by its author
-- (IS010), or that names a record it does not describe (22023): refused,
-- naming the action, with nothing of it left.
SELECT pg_temp.try(format('SELECT isms.import_history(%s, %L)', :imported, :'history'));
SELECT count(*) AS batches FROM isms.import_batch WHERE org_id = :imported;
SELECT regexp_replace(pg_temp.try(format('SELECT isms.import_history(%s, %L)', :broken,
       jsonb_set(:'history'::jsonb, '{runs,3,steps,3,outputs,0,approver}', '"alice"'))), 'record \d+', 'record N') AS try;
SELECT pg_temp.try(format('SELECT isms.import_history(%s, %L)', :broken,
       jsonb_set(:'history'::jsonb, '{runs,1,inputs}', '["nowhere"]')));
SELECT pg_temp.try(format('SELECT isms.import_history(%s, %L)', :broken, '[]'));
SELECT (SELECT count(*) FROM isms.run WHERE org_id = :broken) AS runs,
       (SELECT count(*) FROM isms.record WHERE org_id = :broken) AS records,
       (SELECT count(*) FROM isms.import_batch WHERE org_id = :broken) AS batches,
       (SELECT count(*) FROM isms.event WHERE org_id = :broken AND import_batch IS NOT NULL) AS imported_events;

-- The superuser leaves the organisations (their reports are members' only).
SELECT count(isms.remove_member(o, current_user)) AS left FROM unnest(ARRAY[:imported, :replayed, :broken]::bigint[]) AS o;
