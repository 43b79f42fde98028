-- Capability assessment: ratings derived from a scripted history of the
-- governance process 6.2, an assessor's override (kept as an event) and the
-- capability profile with its level.  The rating scale and the level rule
-- themselves are tested in rating.sql.
SET client_min_messages = warning;
SET isms.actor = 'alice';

SELECT isms.create_organization('Capability Initech') AS org \gset
SELECT isms.create_organization('Capability Hooli') AS other \gset
-- The superuser approves for bob and carol (isms.actor); approvals of the
-- policy and the audit report need designations, held by members only.
SELECT count(*) AS designated FROM (SELECT isms.add_member(:org, current_user, 'manager')) AS m,
       LATERAL (SELECT isms.designate(:org, current_user, d) FROM unnest('{top_management,internal_auditor}'::text[]) AS d) AS x;

\i test/lib/governance.sql

-- A completed run of another process, planned from today: the latest
-- approved record of each work product it accepts linked, the activities in
-- skip skipped, the required outputs of the others published.
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, skip int[]) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    pid integer := isms.process_id(org, code);
    run bigint := isms.plan_run(org, code, 'Run of ' || code, 'alice', CURRENT_DATE, CURRENT_DATE + 30);
    act integer;
    input bigint;
    output text;
BEGIN
    -- inputs and outputs found first, then linked or published: on Citus a
    -- query on the extension's tables runs on a worker with the functions
    -- it calls
    FOR input IN SELECT max(r.record_id)
                   FROM isms.process_input i
                   JOIN isms.record r ON r.org_id = org AND r.work_product_id = i.work_product_id AND r.state = 'approved'
                  WHERE i.process_id = pid AND (i.org_id IS NULL OR i.org_id = org)
                  GROUP BY i.work_product_id LOOP
        PERFORM isms.add_input(run, input);
    END LOOP;
    PERFORM isms.start_run(run);
    FOR act IN SELECT activity_no FROM isms.activity
                WHERE process_id = pid AND (org_id IS NULL OR org_id = org) ORDER BY activity_no LOOP
        IF act = ANY (skip) THEN
            PERFORM isms.skip_step(run, act, 'not this time');
        ELSE
            PERFORM isms.start_step(run, act);
            FOR output IN SELECT w.key
                            FROM isms.process_output po JOIN isms.work_product w USING (work_product_id)
                           WHERE po.process_id = pid AND po.activity_no = act AND po.required
                             AND (po.org_id IS NULL OR po.org_id = org) LOOP
                PERFORM pg_temp.publish(isms.new_record(run, output, output));
            END LOOP;
            PERFORM isms.finish_step(run, act);
        END IF;
    END LOOP;
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;

-- The business context 6.2 needs (author alice, approver bob).
SELECT pg_temp.publish(isms.new_external_record(:org, 'business_context', 'Strategy')) AS context \gset

-- Three runs closed this period: planned and on time; without a due date;
-- planned but cancelled.
SELECT pg_temp.governance(:org, 'Governance Q1', CURRENT_DATE + 30, false) IS NOT NULL AS ok;
SELECT pg_temp.governance(:org, 'Governance Q2', NULL, true) IS NOT NULL AS ok;
SELECT isms.plan_run(:org, '6.2', 'Governance Q3', 'alice', CURRENT_DATE, CURRENT_DATE + 30) AS cancelled \gset
SELECT isms.cancel_run(:cancelled, 'merged into Q2');

-- Runs of four more processes: requirements (7.3); policies (7.2) without
-- topic-specific ones (an optional output); an internal audit (7.11) that
-- found no nonconformity to record (activity 5 skipped); records control
-- (8.2).  And an organisation's own process with one required output.
SELECT pg_temp.perform(:org, '7.3', '{}') IS NOT NULL AS ok;
SELECT pg_temp.perform(:org, '7.2', '{}') IS NOT NULL AS ok;
SELECT pg_temp.perform(:org, '7.11', '{5}') IS NOT NULL AS ok;
SELECT pg_temp.perform(:org, '8.2', '{}') IS NOT NULL AS ok;
SELECT isms.add_process(:org, '11.1', 'privacy_management', 'Privacy management process', 'support',
                        'Keep the records of processing current') > 0 AS added;
SELECT isms.add_activity(:org, '11.1', 'Review processing activities');
SELECT isms.add_work_product(:org, 'processing_register', 'Records of processing activities', 'document', 'process', 12) > 0 AS added;
SELECT isms.add_process_output(:org, '11.1', 'processing_register', true, 1);
SELECT pg_temp.perform(:org, '11.1', '{}') IS NOT NULL AS ok;

-- Evidence the engine cannot create here (a 7.6 run would need the whole
-- risk chain): an approved operating procedure of 6.2, inserted with the
-- triggers disabled (session_replication_role = replica, superuser only);
-- and one output whose review is overdue.
SET session_replication_role = replica;
INSERT INTO isms.record (org_id, work_product_id, document_id, version, title, state, author, approver,
                         approved_at, content, valid_until)
SELECT :org, isms.work_product_id(:org, 'operating_procedure'), NULL, 1, 'How we run governance', 'approved',
       'alice', 'bob', now(), '{"process": "6.2"}', CURRENT_DATE + 365;
UPDATE isms.record SET valid_until = CURRENT_DATE - 1
 WHERE record_id = (SELECT min(record_id) FROM isms.record
                     WHERE org_id = :org AND work_product_id = isms.work_product_id(:org, 'security_objectives'));
RESET session_replication_role;

-- An auditor of the organisation.
CREATE ROLE regress_cap_auditor LOGIN;
GRANT isms_auditor TO regress_cap_auditor;
GRANT USAGE ON SCHEMA isms TO regress_cap_auditor;
INSERT INTO isms.membership (org_id, member, org_role) VALUES (:org, 'regress_cap_auditor', 'auditor');
RESET isms.actor;
SET ROLE regress_cap_auditor;

-- Derived ratings of 6.2 over this year:
--   PA 1.1  6 of 7 outcomes (no management review: 7; > 85 % is F)  85.7 F
--   PA 2.1  1 of 3 closed runs planned and on time                   33.3 P+
--   PA 2.2  11 of 13 output records approved, versioned and current  84.6 L+
--           (one draft, one expired)
--   PA 3.1  procedure 50 + roles defined 12.5                        62.5 L-
--   PA 3.2  8 of 10 steps done, 4 of 5 activities used               80.0 L+
SELECT attribute, achievement, rating, figures
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE)
 WHERE process::text = '6.2';
-- PA 1.1 on outcomes: 7.2 misses outcome 2 (no topic-specific policy, an
-- optional output); 7.3 outcomes 2 and 3 share their evidence; the audit
-- achieved both of its outcomes although it recorded no nonconformity (a
-- required output of the skipped activity 5); 8.2 outcome 2 names no work
-- product, so the completed run achieves it; the organisation's own process
-- has no outcomes and is rated on its required outputs.
SELECT process, achievement, rating, figures
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE)
 WHERE attribute = 'PA 1.1' AND process::text IN ('7.2', '7.3', '7.11', '8.2', '11.1')
 ORDER BY process;
-- A process never run: nothing achieved but the organisation-wide roles.
SELECT attribute, achievement, rating
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE)
 WHERE process::text = '7.4';
-- A period before the history: no evidence, and no definition in force at
-- its end (the procedure and the roles were approved later): all N.
SELECT attribute, achievement, rating
  FROM isms.derived_ratings(:org, '2020-01-01', '2020-12-31')
 WHERE process::text = '6.2';
-- This year's runs judged at a later end of the period (in 400 days): by
-- then the outputs (none superseded), the procedure and the roles have
-- expired: PA 2.2 and PA 3.1 find nothing current.
SELECT attribute, achievement, rating
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE + 400)
 WHERE process::text = '6.2' AND attribute IN ('PA 2.2', 'PA 3.1');
-- Not a member: no rows.
SELECT count(*) FROM isms.derived_ratings(:other, '2020-01-01', CURRENT_DATE);

-- The profile before any assessor rating: level 1 (PA 1.1 fully achieved,
-- PA 2.1 only partially).
SELECT process_code, pa11, pa21, pa22, pa31, pa32, pa41, capability_level, assessor_rated
  FROM isms_report.capability_profile WHERE process_code::text IN ('6.2', '7.4') ORDER BY process_code;

-- The assessor overrides PA 1.1 (the review was held outside the system)
-- and PA 2.1; attribute names are normalised.
SELECT isms.rate_process(:org, '6.2', 'PA 1.1', 'F', 'Management review held in October; minutes on file') IS NOT NULL AS ok;
SELECT isms.rate_process(:org, '6.2', 'pa2.1', 'L', 'Q2 had an owner in the project plan; Q3 merged by decision') IS NOT NULL AS ok;
-- An old rating (period ended more than 12 months ago) does not count.
SELECT isms.rate_process(:org, '7.4', '1.1', 'F', 'Old assessment', '2020-01-01', '2020-12-31') IS NOT NULL AS ok;
-- Refused: unknown attribute, no justification, another organisation.
SELECT isms.rate_process(:org, '6.2', 'PA 1.2', 'F', 'no such attribute');
SELECT isms.rate_process(:org, '6.2', 'PA 3.1', 'F', ' ');
\set VERBOSITY sqlstate
SELECT isms.rate_process(:other, '6.2', 'PA 1.1', 'F', 'not my organisation');  -- IS015, the id depends on test order
\set VERBOSITY default

SELECT process_code, pa11, pa21, pa22, pa31, pa32, capability_level, assessor_rated
  FROM isms_report.capability_profile WHERE process_code::text IN ('6.2', '7.4') ORDER BY process_code;
SELECT attribute, period_end = CURRENT_DATE AS to_today, rating, assessor
  FROM isms.assessment_rating ORDER BY rating_id;
RESET ROLE;

-- Each rating is an event of the organisation's chain, with its justification.
SELECT e.actor, e.object_type, e.object_id = isms.process_id(:org, '6.2') AS of_62, e.action, e.new_state,
       e.detail->>'attribute' AS attribute, e.detail->>'justification' AS justification
  FROM isms.event e WHERE e.org_id = :org AND e.object_type = 'assessment' ORDER BY e.event_no;
SELECT valid FROM isms.verify_events(:org);

DELETE FROM isms.membership WHERE member = 'regress_cap_auditor';
-- The superuser leaves: its designations end with the membership.
SELECT isms.remove_member(:org, current_user);
SELECT count(*) AS designations FROM isms.designation WHERE org_id = :org;
REVOKE USAGE ON SCHEMA isms FROM regress_cap_auditor;
DROP ROLE regress_cap_auditor;
