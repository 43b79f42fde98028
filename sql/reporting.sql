-- Reporting views (schema isms_report) on a small scripted history with
-- known answers, and their tenancy: a reader sees its organisations' rows
-- only and nothing of the operational tables.
--
-- The history is written as the superuser acting for application users
-- alice (author) and bob (approver) through isms.actor; timestamps are
-- "now", so the output shows only dates relative to today.
SET client_min_messages = warning;
SET isms.actor = 'alice';

-- One run of a process: plan, link the inputs, start, perform every
-- activity (producing its required outputs, approved by bob) except those
-- in skip, complete.
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, title text, inputs bigint[] DEFAULT '{}',
                                skip integer[] DEFAULT '{}', planned_start date DEFAULT CURRENT_DATE,
                                due date DEFAULT CURRENT_DATE + 30)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, code, title, 'alice', planned_start, due);
    input bigint;
    act record;
    wp text;
    rec bigint;
BEGIN
    FOREACH input IN ARRAY inputs LOOP
        PERFORM isms.add_input(run, input);
    END LOOP;
    PERFORM isms.start_run(run);
    FOR act IN SELECT a.activity_no FROM isms.activity a
                WHERE a.process_id = isms.process_id(org, code) AND (a.org_id IS NULL OR a.org_id = org)
                ORDER BY a.activity_no LOOP
        IF act.activity_no = ANY (skip) THEN
            PERFORM isms.skip_step(run, act.activity_no, 'not needed this time');
            CONTINUE;
        END IF;
        PERFORM isms.start_step(run, act.activity_no);
        FOR wp IN SELECT w.key FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
                   WHERE o.process_id = isms.process_id(org, code) AND o.activity_no = act.activity_no AND o.required
                     AND (o.org_id IS NULL OR o.org_id = org)
                   ORDER BY w.key LOOP
            rec := isms.new_record(run, wp, initcap(replace(wp, '_', ' ')));
            PERFORM isms.submit_record(rec);
            PERFORM set_config('isms.actor', 'bob', false);
            PERFORM isms.approve_record(rec);
            PERFORM set_config('isms.actor', 'alice', false);
        END LOOP;
        PERFORM isms.finish_step(run, act.activity_no);
    END LOOP;
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;

-- An approved external record (author alice, approver bob).
CREATE FUNCTION pg_temp.external(org bigint, wp text, title text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    rec bigint := isms.new_external_record(org, wp, title);
BEGIN
    PERFORM isms.submit_record(rec);
    PERFORM set_config('isms.actor', 'bob', false);
    PERFORM isms.approve_record(rec);
    PERFORM set_config('isms.actor', 'alice', false);
    RETURN rec;
END $$;

-- The latest approved record of a work product.
CREATE FUNCTION pg_temp.latest(org bigint, wp text) RETURNS bigint LANGUAGE sql AS $$
    SELECT max(record_id) FROM isms.record
     WHERE org_id = org AND work_product_id = isms.work_product_id(org, wp) AND state = 'approved'
$$;

SELECT isms.create_organization('Reporting Acme') AS acme \gset
SELECT isms.create_organization('Reporting Globex') AS globex \gset
-- The superuser approves Acme's policy for bob: as a member designated top
-- management (approvals of the policy need the designation).
SELECT isms.add_member(:acme, current_user, 'manager');
SELECT isms.designate(:acme, current_user, 'top_management');

-- Acme: governance (management review skipped), requirements, a policy
-- completed a day late; a risk assessment planned without its risk
-- criteria and already overdue; an external obligation waiting for review.
SELECT pg_temp.external(:acme, 'business_context', 'Strategy 2026') IS NOT NULL AS ok;
SELECT pg_temp.perform(:acme, '6.2', 'Governance 2026', ARRAY[pg_temp.latest(:acme, 'business_context')],
                       skip => '{5}') AS governance \gset
SELECT pg_temp.perform(:acme, '7.3', 'Requirements 2026', ARRAY[pg_temp.latest(:acme, 'context_analysis')]) AS requirements \gset
SELECT pg_temp.perform(:acme, '7.2', 'Policy 2026',
                       ARRAY[pg_temp.latest(:acme, 'security_objectives'), pg_temp.latest(:acme, 'requirements_register')],
                       planned_start => CURRENT_DATE - 30, due => CURRENT_DATE - 1) AS policy \gset
SELECT isms.plan_run(:acme, '7.4', 'Risk assessment 2026', 'alice', CURRENT_DATE - 10, CURRENT_DATE - 3) AS risk \gset
SELECT isms.add_input(:risk, pg_temp.latest(:acme, 'isms_scope'));
SELECT isms.new_external_record(:acme, 'legal_obligation', 'Data protection act') AS obligation \gset
SELECT isms.submit_record(:obligation);
-- Globex: only its business context, and a planned governance run.
SELECT pg_temp.external(:globex, 'business_context', 'Globex strategy') IS NOT NULL AS ok;
SELECT isms.plan_run(:globex, '6.2', 'Globex governance', 'gina') AS globex_run \gset

-- Age the documents: the policy expired yesterday, the scope must be
-- reviewed within 10 days.  valid_until is engine-managed, so the test sets
-- it with the triggers disabled (session_replication_role = replica, a
-- superuser-only setting); no rule is involved in what the views read.
SET session_replication_role = replica;
UPDATE isms.record SET valid_until = CURRENT_DATE - 1 WHERE record_id = pg_temp.latest(:acme, 'security_policy');
UPDATE isms.record SET valid_until = CURRENT_DATE + 10 WHERE record_id = pg_temp.latest(:acme, 'isms_scope');
RESET session_replication_role;
-- The superuser's part is done: it leaves Acme, and its designation with it.
SELECT isms.remove_member(:acme, current_user);

-- A reader of Acme only.
CREATE ROLE regress_report_reader LOGIN;
GRANT isms_reader TO regress_report_reader;
INSERT INTO isms.membership (org_id, member, org_role) VALUES (:acme, 'regress_report_reader', 'reader');
SET ROLE regress_report_reader;

-- process_status: 6.2, 7.2, 7.3 completed; 7.4 open and overdue.
SELECT process_code, applicable, last_completed_run_title, open_runs, overdue_runs, next_due - CURRENT_DATE AS next_due_in
  FROM isms_report.process_status
 WHERE last_completed_run_id IS NOT NULL OR open_runs > 0
 ORDER BY process_sort;

-- work_product_currency: the expired policy, the scope needing review, the
-- current documents and (some of) the missing ones.  days_left of a document
-- approved today is the length of the 12-month period, 365 or 366 days.
SELECT work_product, version, approver,
       CASE days_left WHEN (current_date + interval '12 months')::date - current_date
            THEN '12 months' ELSE days_left::text END AS days_left,
       status, approved_documents
  FROM isms_report.work_product_currency
 WHERE status <> 'missing' OR work_product IN ('risk_register', 'statement_of_applicability')
 ORDER BY work_product;
SELECT status, count(*) FROM isms_report.work_product_currency GROUP BY status ORDER BY status;

-- run_blockers: the risk assessment lacks its risk criteria and the
-- requirements register.
SELECT process_code, run_title, run_state, blocker, item, detail
  FROM isms_report.run_blockers ORDER BY run_id, item;

-- pending_approvals: the obligation, submitted today.
SELECT work_product, title, author, process_code, age_days, age < interval '1 hour' AS recent
  FROM isms_report.pending_approvals;

-- iso27001_readiness: 4.3 ready (scope still valid), 5.2 not ready (policy
-- expired), 6.1.2 not ready (no risk register nor report), 6.1 includes its
-- subclauses, 4.4 has no documented information of its own.
SELECT clause, depth, processes, documented_information, missing, status
  FROM isms_report.iso27001_readiness
 WHERE clause::text IN ('4.1', '4.3', '4.4', '5.2', '5.3', '6.1', '6.1.2', '9.3.2')
 ORDER BY clause;
SELECT status, count(*) FROM isms_report.iso27001_readiness GROUP BY status ORDER BY status;

-- management_review_inputs: what exists so far; no review held yet, so
-- every approved record counts as new.
SELECT item, work_product, title, process_code, last_review_at, new_since_last_review
  FROM isms_report.management_review_inputs
 ORDER BY item, work_product;
-- 9.3.2 d 4 is the fulfilment of the information security objectives.
SELECT DISTINCT item, input, work_product
  FROM isms_report.management_review_inputs WHERE item = 'd4' ORDER BY work_product;
SELECT string_agg(DISTINCT work_product, ',') AS review_inputs FROM isms_report.management_review_inputs \gset

-- cycle_time: one completed run each of 6.2, 7.2, 7.3 this month and
-- quarter; the policy was late.
SELECT process_code, period, period_start = date_trunc(period, now())::date AS this_period,
       runs_completed, avg_cycle_days < 1 AS same_day, runs_with_due, runs_on_time, on_time_rate
  FROM isms_report.cycle_time ORDER BY process_sort, period;

-- event_timeline: readable objects (the policy run's events).
SELECT actor, object_type, regexp_replace(object, 'run \d+', 'run N', 'g') AS object, action, old_state, new_state
  FROM isms_report.event_timeline
 WHERE object_type IN ('run', 'step') AND object_id = :policy
    OR object_type = 'organization'
 ORDER BY event_no;
SELECT count(*) > 0 AS has_records,
       bool_and(object LIKE 'record % v% "%"') AS described
  FROM isms_report.event_timeline WHERE object_type = 'record';

-- Tenancy: the reader sees Acme's rows only, in every view.
SELECT 'process_status' AS view, array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.process_status
UNION ALL SELECT 'work_product_currency', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.work_product_currency
UNION ALL SELECT 'run_blockers', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.run_blockers
UNION ALL SELECT 'pending_approvals', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.pending_approvals
UNION ALL SELECT 'iso27001_readiness', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.iso27001_readiness
UNION ALL SELECT 'management_review_inputs', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.management_review_inputs
UNION ALL SELECT 'cycle_time', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.cycle_time
UNION ALL SELECT 'event_timeline', array_agg(DISTINCT org_id) = ARRAY[:acme]::bigint[] AS only_acme FROM isms_report.event_timeline;
SELECT count(*) FROM isms_report.process_status WHERE org_id = :globex;
SELECT count(*) FROM isms_report.run_blockers_of(:globex_run);
SELECT count(*) > 0 AS own_run FROM isms_report.run_blockers_of(:risk);
-- ... may only read the views, and cannot read the operational tables.
SELECT c.relname, has_table_privilege(c.oid, 'SELECT') AS can_read,
       has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') AS can_write
  FROM pg_class c WHERE c.relnamespace = 'isms_report'::regnamespace ORDER BY c.relname;
RESET ROLE;
-- Problem: a work product the management review considers that the
-- governance interface (6.2), which holds the review, neither takes nor
-- produces.
SELECT k AS work_product
  FROM unnest(string_to_array(:'review_inputs', ',')) AS k
 WHERE NOT EXISTS (SELECT FROM isms.process_input i JOIN isms.work_product w USING (work_product_id)
                    WHERE i.process_id = isms.process_id(:acme, '6.2') AND w.key = k)
   AND NOT EXISTS (SELECT FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
                    WHERE o.process_id = isms.process_id(:acme, '6.2') AND w.key = k)
 ORDER BY k;
SELECT c.relname, has_table_privilege('regress_report_reader', c.oid, 'SELECT') AS can_read
  FROM pg_class c
 WHERE c.relnamespace = 'isms'::regnamespace AND c.relkind = 'r'
   AND c.relname IN ('run', 'step', 'record', 'run_record', 'event', 'organization')
 ORDER BY c.relname;

-- Globex's planned run is invisible to the Acme reader but exists.
SELECT count(*) FROM isms_report.run_blockers;  -- the superuser is a member of neither

-- Every view is index-driven for one organisation: with sequential scans
-- disabled, every scan of run, record, event, step and run_record in the
-- plan of "WHERE org_id = n" is an index scan on org_id or on a unique id.
CREATE FUNCTION pg_temp.unindexed_scans(view text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT * FROM isms_report.%I WHERE org_id = 1', view) INTO plan;
    RETURN (SELECT string_agg(DISTINCT (n->>'Node Type') || ' on ' || (n->>'Relation Name'), ', ')
              FROM jsonb_path_query(plan, 'lax $.**') n
             WHERE jsonb_typeof(n) = 'object'
               AND n->>'Relation Name' IN ('run', 'record', 'event', 'step', 'run_record')
               AND coalesce(n->>'Index Cond', n->>'Recheck Cond', '') !~ '(org_id|run_id|record_id) = ');
END $$;
SET enable_seqscan = off;
SELECT c.relname, pg_temp.unindexed_scans(c.relname) AS unindexed_scans
  FROM pg_class c
 WHERE c.relnamespace = 'isms_report'::regnamespace AND c.relname <> 'capability_profile'
 ORDER BY c.relname;
RESET enable_seqscan;

DELETE FROM isms.membership WHERE member = 'regress_report_reader';
DROP ROLE regress_report_reader;
