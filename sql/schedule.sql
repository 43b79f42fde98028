-- Time as an organisation tailors it (issue 17, items 3 and 4): its own
-- review cycles and retention per work product, applied by the engine when
-- it sets valid_until and retain_until (the model cache invalidated for
-- that organisation only); schedules of recurring runs, planned by
-- isms.plan_due_runs (idempotent); what is due (isms_report.due,
-- due_within).  Every date the planner sees is passed as as_of: nothing
-- printed depends on today.
\i test/lib/try.sql
SET search_path = isms, public;
SET datestyle = ISO;

CREATE ROLE regress_sched_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_sched_manager LOGIN IN ROLE isms_manager;
CREATE ROLE regress_sched_contributor LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_sched_outsider LOGIN IN ROLE isms_admin;
CREATE ROLE regress_sched_cron LOGIN IN ROLE isms_scheduler;
SELECT pg_temp.name('organization', create_organization('Two Year Ltd'), 'two_year') AS org2 \gset
SELECT pg_temp.name('organization', create_organization('One Year Ltd'), 'one_year') AS org1 \gset
SELECT pg_temp.name('organization', create_organization('Elsewhere Ltd'), 'elsewhere') AS other \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org2, 'regress_sched_admin', 'admin'), (:org1, 'regress_sched_admin', 'admin'),
    (:org2, 'regress_sched_manager', 'manager'), (:org1, 'regress_sched_manager', 'manager'),
    (:org2, 'regress_sched_contributor', 'contributor'),
    (:other, 'regress_sched_outsider', 'admin');

-- An approved document of 6.2 (activity 1's first document output), written
-- by alice and approved by bob (isms.actor): the engine sets valid_until.
CREATE FUNCTION pg_temp.approved_document(org bigint, title text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    bc bigint;
    run bigint;
    rec bigint;
BEGIN
    PERFORM set_config('isms.actor', 'alice', false);
    bc := isms.new_external_record(org, 'business_context', title || ': context');
    PERFORM isms.submit_record(bc);
    PERFORM set_config('isms.actor', 'bob', false);
    PERFORM isms.approve_record(bc);
    PERFORM set_config('isms.actor', 'alice', false);
    run := isms.plan_run(org, '6.2', title);
    PERFORM isms.add_input(run, bc);
    PERFORM isms.start_run(run);
    PERFORM isms.start_step(run, 1);
    rec := isms.new_record(run, (SELECT w.key FROM isms.process_output po JOIN isms.work_product w USING (work_product_id)
                                  WHERE po.process_id = isms.process_id(org, '6.2') AND po.activity_no = 1
                                    AND w.kind = 'document' ORDER BY w.key LIMIT 1), title);
    PERFORM isms.submit_record(rec);
    PERFORM set_config('isms.actor', 'bob', false);
    PERFORM isms.approve_record(rec);
    RESET isms.actor;
    RETURN rec;
END $$;
SELECT w.key AS policy_document FROM isms.process_output po JOIN isms.work_product w USING (work_product_id)
 WHERE po.process_id = isms.process_id(:org2, '6.2') AND po.activity_no = 1 AND w.kind = 'document' ORDER BY w.key LIMIT 1 \gset
SELECT :'policy_document' AS policy_document, review_months AS prm_review_months
  FROM work_product WHERE key = :'policy_document' AND org_id IS NULL;

-- 1. Review cycles.  Two Year Ltd reviews that document every 24 months and
-- keeps incident evidence 7 years; One Year Ltd keeps the PRM's 12 months.
SET ROLE regress_sched_admin;
SELECT set_review_cycle(:org2, :'policy_document', 24, justification => 'The board approves policies every two years');
SELECT set_review_cycle(:org2, 'security_event', retention_months => 84);
SELECT w.key, c.review_months, c.retention_months, c.justification
  FROM work_product_cycle c JOIN work_product w USING (work_product_id)
 WHERE c.org_id = :org2 ORDER BY w.key;

-- Refused: a review cycle for a record (IS034); another organisation's own
-- work product (IS034); moving a cycle to another work product (IS034);
-- values out of the catalog's bounds, or none (23514).
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'security_event', 24)$$);
RESET ROLE;
SELECT pg_temp.name('work_product', add_work_product(:other, 'elsewhere_charter', 'Charter', 'document', 'either', 12), 'elsewhere_charter') AS other_wp \gset
SET ROLE regress_sched_admin;
SELECT pg_temp.try($$INSERT INTO isms.work_product_cycle (org_id, work_product_id, review_months) VALUES ($$ || :org2 || ', ' || :other_wp || $$, 24)$$);
RESET ROLE;
SELECT pg_temp.try($$UPDATE isms.work_product_cycle SET work_product_id = isms.work_product_id(org_id, 'isms_scope')
                      WHERE org_id = $$ || :org2 || $$ AND review_months = 24$$);
SET ROLE regress_sched_admin;
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope', 0)$$);
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope', 121)$$);
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope', retention_months => 1201)$$);
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope')$$);
-- Only the organisation's admins set them, and nobody outside it (IS015:
-- it does not exist for them).
SET ROLE regress_sched_manager;
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope', 24)$$);
SET ROLE regress_sched_outsider;
SELECT pg_temp.try($$SELECT isms.set_review_cycle($$ || :org2 || $$, 'isms_scope', 24)$$);
SELECT count(*) AS cycles_seen_outside FROM isms.work_product_cycle;
RESET ROLE;

-- The engine applies them: valid_until 24 months after approval in Two Year
-- Ltd, 12 in One Year Ltd; retain_until 84 months for Two Year Ltd's
-- incident evidence, the PRM's 36 for One Year Ltd's.
SELECT pg_temp.name('record', pg_temp.approved_document(:org2, 'Policy of Two Year Ltd'), 'policy2') AS doc2 \gset
SELECT pg_temp.name('record', pg_temp.approved_document(:org1, 'Policy of One Year Ltd'), 'policy1') AS doc1 \gset
SELECT og.name, r.valid_until = (current_date + interval '24 months')::date AS valid_24_months,
       r.valid_until = (current_date + interval '12 months')::date AS valid_12_months
  FROM record r JOIN organization og USING (org_id) WHERE r.record_id IN (:doc2, :doc1) ORDER BY og.name DESC;
SET isms.actor = 'alice';
SELECT new_external_record(:org2, 'security_event', 'Phishing wave') AS ev2, new_external_record(:org1, 'security_event', 'Phishing wave') AS ev1 \gset
SELECT submit_record(:ev2), submit_record(:ev1);
SET isms.actor = 'bob';
SELECT approve_record(:ev2), approve_record(:ev1);
RESET isms.actor;
SELECT og.name, r.valid_until IS NULL AS never_expires,
       r.retain_until = (current_date + interval '84 months')::date AS retained_84_months,
       r.retain_until = (current_date + interval '36 months')::date AS retained_36_months
  FROM record r JOIN organization og USING (org_id) WHERE r.record_id IN (:ev2, :ev1) ORDER BY og.name DESC;

-- The currency report shows it.
SET ROLE regress_sched_admin;
SELECT organization, status, valid_until = (current_date + interval '24 months')::date AS valid_24_months
  FROM isms_report.work_product_currency c JOIN organization og USING (org_id)
 CROSS JOIN LATERAL (SELECT og.name AS organization) n
 WHERE c.record_id IN (:doc2, :doc1) ORDER BY organization DESC;
RESET ROLE;

-- A change of Two Year Ltd's cycle invalidates its cache entry only: the
-- next approval in One Year Ltd reads no review cycle again, the one in Two
-- Year Ltd does, and gets 36 months.
SET isms.actor = 'alice';
SELECT pg_temp.name('record', new_version(:doc2, (SELECT produced_by_run FROM record WHERE record_id = :doc2)), 'policy2_v2') AS doc2b \gset
SELECT pg_temp.name('record', new_version(:doc1, (SELECT produced_by_run FROM record WHERE record_id = :doc1)), 'policy1_v2') AS doc1b \gset
SELECT submit_record(:doc2b), submit_record(:doc1b);
SET isms.actor = 'bob';
CREATE FUNCTION pg_temp.cycle_reads() RETURNS bigint
    LANGUAGE sql AS $$ SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
                       WHERE schemaname = 'isms' AND relname = 'work_product_cycle' $$;
BEGIN;
SELECT work_product_id(:org1, 'isms_scope') > 0 AS warm, work_product_id(:org2, 'isms_scope') > 0 AS warm;
SELECT set_review_cycle(:org2, :'policy_document', 36, justification => 'Every three years');
SELECT pg_temp.cycle_reads() AS reads \gset
SELECT approve_record(:doc1b);
SELECT pg_temp.cycle_reads() - :reads AS one_year_reads \gset
SELECT approve_record(:doc2b);
SELECT :one_year_reads AS one_year_reads, pg_temp.cycle_reads() - :reads - :one_year_reads AS two_year_reads;
COMMIT;
RESET isms.actor;
SELECT og.name, r.valid_until = (current_date + interval '36 months')::date AS valid_36_months,
       r.valid_until = (current_date + interval '12 months')::date AS valid_12_months
  FROM record r JOIN organization og USING (org_id) WHERE r.record_id IN (:doc2b, :doc1b) ORDER BY og.name DESC;

-- A confirmation extends validity by the organisation's cycle too.
SELECT set_review_cycle(:org2, :'policy_document', 48, justification => 'Every four years');
SELECT confirm_record(produced_by_run, :doc2b) FROM record WHERE record_id = :doc2b;
SELECT version, valid_until = (current_date + interval '48 months')::date AS valid_48_months FROM record WHERE record_id = :doc2b;

-- Every change is an event of the organisation.
SELECT actor, object_type, action, detail->>'work_product' = :'policy_document' AS policy,
       detail->>'review_months' AS review_months, detail->>'retention_months' AS retention_months
  FROM event WHERE org_id = :org2 AND object_type = 'work_product_cycle' ORDER BY event_no;

-- 2. Schedules.  Managers and admins keep them; a contributor may not.
SET ROLE regress_sched_manager;
SELECT pg_temp.name('schedule', add_schedule(:org2, '8.3', 'Access review', '2027-01-15', 3, 10), 'access_review') AS s_access \gset
SELECT pg_temp.name('schedule', add_schedule(:org2, '7.11', 'Internal audit', '2027-03-31', 12, 30, owner => 'carol'), 'audit') AS s_audit \gset
SELECT pg_temp.name('schedule', add_schedule(:org2, '7.13', 'Monthly improvement', '2027-01-31', 1, 0), 'monthly') AS s_month \gset
SELECT pg_temp.name('schedule', add_schedule(:org1, '6.2', 'Management review', '2027-02-01', NULL, 14), 'review_once') AS s_once \gset
SET ROLE regress_sched_contributor;
SELECT pg_temp.try($$SELECT isms.add_schedule($$ || :org2 || $$, '8.3', 'Mine', '2027-01-01')$$);
SELECT count(*) AS schedules_seen FROM isms.schedule;
SET ROLE regress_sched_outsider;
SELECT pg_temp.try($$SELECT isms.add_schedule($$ || :org2 || $$, '8.3', 'Theirs', '2027-01-01')$$);
SELECT count(*) AS schedules_seen_outside FROM isms.schedule;

-- Refused: a process another organisation added (IS035); a process declared
-- not applicable (IS035); changing a schedule's process (IS035); bounds
-- (23514).
RESET ROLE;
SELECT pg_temp.name('process', add_process(:other, '99.1', 'elsewhere_rites', 'Rites', 'support', 'Their own'), 'elsewhere_rites') AS other_proc \gset
SELECT exclude_process(:org1, '8.5', 'We sell to no external customers');
SET ROLE regress_sched_manager;
SELECT pg_temp.try($$INSERT INTO isms.schedule (org_id, process_id, title, first_due) VALUES ($$ || :org2 || ', ' || :other_proc || $$, 'Theirs', '2027-01-01')$$);
SELECT pg_temp.try($$SELECT isms.add_schedule($$ || :org1 || $$, '8.5', 'Customer care', '2027-01-01')$$);
RESET ROLE;
SELECT pg_temp.try($$UPDATE isms.schedule SET process_id = isms.process_id(org_id, '7.12') WHERE schedule_id = $$ || :s_audit);
SET ROLE regress_sched_manager;
SELECT pg_temp.try($$SELECT isms.add_schedule($$ || :org2 || $$, '8.3', 'Never', '2027-01-01', 0)$$);
SELECT pg_temp.try($$SELECT isms.add_schedule($$ || :org2 || $$, '8.3', 'Too early', '2027-01-01', 3, 367)$$);
SELECT og.name, s.title, p.code::text, s.first_due, s.every_months, s.lead_days, s.owner
  FROM schedule s JOIN organization og USING (org_id) JOIN process p USING (process_id)
 WHERE s.org_id IN (:org1, :org2) ORDER BY s.schedule_id;

-- Due dates: first_due plus k times every_months months, the day clamped to
-- the month's end without drifting.
SELECT k, schedule_due('2027-01-31', 1, k) AS due, schedule_last('2027-01-31', 1, schedule_due('2027-01-31', 1, k)) AS last
  FROM generate_series(0, 3) k;
SELECT schedule_last('2027-01-31', 1, '2027-01-30') AS before_first, schedule_last('2027-02-01', NULL, '2030-01-01') AS once,
       schedule_due('2027-02-01', NULL, 1) AS once_again;

-- 3. The planner, as pg_cron's role (a member of isms_scheduler).  Only the
-- due dates whose lead time has begun by as_of are planned, each once.
CREATE TEMP TABLE planned (org_id bigint, schedule_id bigint, run_id bigint, process_code text, due date);
GRANT ALL ON planned TO PUBLIC;
CREATE FUNCTION pg_temp.show_planned(org1 bigint, org2 bigint) RETURNS TABLE (organization text, schedule text, process text,
                                                                              due date, planned_start date, run_title text, owner text)
    LANGUAGE sql AS $$
    SELECT og.name, s.title, p.process_code, p.due, r.planned_start, r.title, r.owner
      FROM planned p JOIN isms.organization og USING (org_id) JOIN isms.schedule s USING (org_id, schedule_id)
      JOIN isms.run r ON r.org_id = p.org_id AND r.run_id = p.run_id
     WHERE p.org_id IN (org1, org2) ORDER BY 1, 2, 4 $$;
SET ROLE regress_sched_cron;
INSERT INTO planned SELECT * FROM isms.plan_due_runs('2027-01-04');
RESET ROLE;
SELECT * FROM pg_temp.show_planned(:org1, :org2);
SET ROLE regress_sched_cron;
INSERT INTO planned SELECT * FROM isms.plan_due_runs('2027-01-05');
RESET ROLE;
SELECT * FROM pg_temp.show_planned(:org1, :org2);
-- again: nothing twice; an earlier as_of plans nothing either
SET ROLE regress_sched_cron;
SELECT count(*) AS planned_again FROM isms.plan_due_runs('2027-01-05') WHERE org_id IN (:org1, :org2);
SELECT count(*) AS planned_earlier FROM isms.plan_due_runs('2026-12-01') WHERE org_id IN (:org1, :org2);
-- April: the next access review, the audit, the one-off review, and only
-- the latest monthly date (missed ones are not planned after the fact)
TRUNCATE planned;
INSERT INTO planned SELECT * FROM isms.plan_due_runs('2027-04-20');
RESET ROLE;
SELECT * FROM pg_temp.show_planned(:org1, :org2);
-- the runs are the engine's: planned, with steps, and an event each
SELECT r.state, count(DISTINCT r.run_id) AS runs, count(st.*) > 0 AS with_steps
  FROM schedule_run sr JOIN run r USING (org_id, run_id) LEFT JOIN step st USING (org_id, run_id)
 WHERE sr.org_id IN (:org1, :org2) GROUP BY r.state;
SELECT e.actor, e.object_type, e.action, count(*) FROM event e
 WHERE e.org_id = :org2 AND (e.object_type = 'schedule' OR e.object_type = 'run' AND e.action = 'plan'
                             AND e.object_id IN (SELECT run_id FROM schedule_run WHERE org_id = :org2))
 GROUP BY 1, 2, 3 ORDER BY 2, 3;

-- Who may plan: isms_scheduler for everyone; an organisation's admins and
-- managers for it; nobody else.
SET ROLE regress_sched_manager;
SELECT pg_temp.try($$SELECT * FROM isms.plan_due_runs('2027-08-01')$$);
SELECT process_code, due FROM isms.plan_org_due_runs(:org2, '2027-07-10') ORDER BY 1, 2;
SET ROLE regress_sched_contributor;
SELECT pg_temp.try($$SELECT * FROM isms.plan_org_due_runs($$ || :org2 || $$, '2027-08-01')$$);
SET ROLE regress_sched_outsider;
SELECT pg_temp.try($$SELECT * FROM isms.plan_org_due_runs($$ || :org2 || $$, '2027-08-01')$$);
SET ROLE regress_sched_cron;
SELECT pg_temp.try($$SELECT * FROM isms.plan_due_runs_of(NULL, '2027-08-01')$$);

-- A schedule whose process is declared not applicable later is skipped; it
-- cannot be reactivated while the declaration stands (IS035).
RESET ROLE;
SELECT exclude_process(:org2, '7.13', 'Improvement is part of governance here');
SET ROLE regress_sched_cron;
SELECT process_code, due FROM isms.plan_due_runs('2027-08-01') WHERE org_id = :org2 ORDER BY 1;
SET ROLE regress_sched_manager;
UPDATE schedule SET active = false WHERE schedule_id = :s_month;
SELECT pg_temp.try($$UPDATE isms.schedule SET active = true WHERE schedule_id = $$ || :s_month);
-- A schedule that planned runs is not deleted (IS035), it is deactivated.
SELECT pg_temp.try($$DELETE FROM isms.schedule WHERE schedule_id = $$ || :s_access);
SELECT pg_temp.name('schedule', add_schedule(:org2, '8.3', 'Mistake', '2030-01-01'), 'mistake') AS s_mistake \gset
SELECT pg_temp.try($$DELETE FROM isms.schedule WHERE schedule_id = $$ || :s_mistake);
RESET ROLE;
SELECT action, count(*) FROM event WHERE org_id = :org2 AND object_type = 'schedule' GROUP BY 1 ORDER BY 1;

-- 4. What is due.  A risk to review (written around the risk register's
-- rules: this file tests the report, not them).
SELECT plan_run(:org2, '7.4', 'Risk assessment') AS risk_run \gset
SET session_replication_role = replica;
INSERT INTO isms.risk (org_id, run_id, title, owner, review_date)
VALUES (:org2, :risk_run, 'Ransomware', 'regress_sched_manager', '2027-09-15');
SET session_replication_role = origin;
SET ROLE regress_sched_manager;
SELECT og.name, d.item_type, d.process_code, d.subject, d.title, d.due, d.planned_from, d.state, d.owner, d.days_left
  FROM isms_report.due_within(90, '2027-08-01') d JOIN organization og USING (org_id)
 WHERE d.org_id IN (:org1, :org2) ORDER BY og.name DESC, d.due, d.item_type, d.title;
-- document reviews are there too, at valid_until
SELECT og.name, d.title, d.due = (current_date + interval '48 months')::date AS in_48_months,
       d.due = (current_date + interval '12 months')::date AS in_12_months
  FROM isms_report.due d JOIN organization og USING (org_id)
 WHERE d.org_id IN (:org1, :org2) AND d.item_type = 'document_review' ORDER BY og.name DESC, d.title;
-- only one's own organisations
SET ROLE regress_sched_outsider;
SELECT count(*) AS due_seen_outside FROM isms_report.due WHERE org_id IN (:org1, :org2);
RESET ROLE;
-- plain types, a comment on the view and on every column
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
  FROM pg_attribute a WHERE a.attrelid = 'isms_report.due'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT obj_description('isms_report.due'::regclass, 'pg_class') IS NOT NULL AS view_commented,
       (SELECT reloptions FROM pg_class WHERE oid = 'isms_report.due'::regclass) AS options;

-- The chains still verify.
SELECT og.name, v.valid FROM organization og CROSS JOIN LATERAL verify_events(og.org_id) v
 WHERE og.org_id IN (:org1, :org2) ORDER BY og.name DESC;

DROP TABLE planned;
DROP OWNED BY regress_sched_admin, regress_sched_manager, regress_sched_contributor, regress_sched_outsider, regress_sched_cron;
DROP ROLE regress_sched_admin, regress_sched_manager, regress_sched_contributor, regress_sched_outsider, regress_sched_cron;
