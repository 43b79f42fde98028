-- Capability assessment: ratings derived from a scripted history of the
-- governance process 6.2, an assessor's override (kept as an event) and the
-- capability profile with its level.  The rating scale and the level rule
-- themselves are tested in rating.sql.
SET client_min_messages = warning;
SET isms.actor = 'alice';

SELECT isms.create_organization('Capability Initech') AS org \gset
SELECT isms.create_organization('Capability Hooli') AS other \gset

\i test/lib/governance.sql

-- The business context 6.2 needs (author alice, approver bob).
SELECT pg_temp.publish(isms.new_external_record(:org, 'business_context', 'Strategy')) AS context \gset

-- Three runs closed this period: planned and on time; without a due date;
-- planned but cancelled.
SELECT pg_temp.governance(:org, 'Governance Q1', CURRENT_DATE + 30, false) IS NOT NULL AS ok;
SELECT pg_temp.governance(:org, 'Governance Q2', NULL, true) IS NOT NULL AS ok;
SELECT isms.plan_run(:org, '6.2', 'Governance Q3', 'alice', CURRENT_DATE, CURRENT_DATE + 30) AS cancelled \gset
SELECT isms.cancel_run(:cancelled, 'merged into Q2');

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
--   PA 1.1  5 of 6 required outputs (no management review results)  83.3 L+
--   PA 2.1  1 of 3 closed runs planned and on time                   33.3 P+
--   PA 2.2  9 of 11 output records approved, versioned and current   81.8 L+
--           (one draft, one expired)
--   PA 3.1  procedure 50 + roles defined 12.5                        62.5 L-
--   PA 3.2  8 of 10 steps done, 4 of 5 activities used               80.0 L+
SELECT attribute, achievement, rating, figures
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE)
 WHERE process::text = '6.2';
-- A process never run: nothing achieved but the organisation-wide roles.
SELECT attribute, achievement, rating
  FROM isms.derived_ratings(:org, date_trunc('year', now())::date, CURRENT_DATE)
 WHERE process::text = '7.3';
-- A period before the history: no evidence, all N but PA 3.1 (current definitions).
SELECT attribute, achievement, rating
  FROM isms.derived_ratings(:org, '2020-01-01', '2020-12-31')
 WHERE process::text = '6.2';
-- Not a member: no rows.
SELECT count(*) FROM isms.derived_ratings(:other, '2020-01-01', CURRENT_DATE);

-- The profile before any assessor rating: level 1 (PA 1.1 largely achieved).
SELECT process_code, pa11, pa21, pa22, pa31, pa32, pa41, capability_level, assessor_rated
  FROM isms_report.capability_profile WHERE process_code::text IN ('6.2', '7.3') ORDER BY process_code;

-- The assessor overrides PA 1.1 (the review was held outside the system)
-- and PA 2.1; attribute names are normalised.
SELECT isms.rate_process(:org, '6.2', 'PA 1.1', 'F', 'Management review held in October; minutes on file') IS NOT NULL AS ok;
SELECT isms.rate_process(:org, '6.2', 'pa2.1', 'L', 'Q2 had an owner in the project plan; Q3 merged by decision') IS NOT NULL AS ok;
-- An old rating (period ended more than 12 months ago) does not count.
SELECT isms.rate_process(:org, '7.3', '1.1', 'F', 'Old assessment', '2020-01-01', '2020-12-31') IS NOT NULL AS ok;
-- Refused: unknown attribute, no justification, another organisation.
SELECT isms.rate_process(:org, '6.2', 'PA 1.2', 'F', 'no such attribute');
SELECT isms.rate_process(:org, '6.2', 'PA 3.1', 'F', ' ');
\set VERBOSITY sqlstate
SELECT isms.rate_process(:other, '6.2', 'PA 1.1', 'F', 'not my organisation');  -- IS015, the id depends on test order
\set VERBOSITY default

SELECT process_code, pa11, pa21, pa22, pa31, pa32, capability_level, assessor_rated
  FROM isms_report.capability_profile WHERE process_code::text IN ('6.2', '7.3') ORDER BY process_code;
SELECT attribute, period_end = CURRENT_DATE AS to_today, rating, assessor
  FROM isms.assessment_rating ORDER BY rating_id;
RESET ROLE;

-- Each rating is an event of the organisation's chain, with its justification.
SELECT e.actor, e.object_type, e.object_id = isms.process_id(:org, '6.2') AS of_62, e.action, e.new_state,
       e.detail->>'attribute' AS attribute, e.detail->>'justification' AS justification
  FROM isms.event e WHERE e.org_id = :org AND e.object_type = 'assessment' ORDER BY e.event_no;
SELECT valid FROM isms.verify_events(:org);

DELETE FROM isms.membership WHERE member = 'regress_cap_auditor';
REVOKE USAGE ON SCHEMA isms FROM regress_cap_auditor;
DROP ROLE regress_cap_auditor;
