-- 160_bi: reporting columns in plain SQL types, and a comment on every
-- view, column and function (issue 18).
--
-- Every client filters, sorts and groups the isms_report views with no setup:
-- no isms on search_path, JDBC setString on default settings (a varchar
-- parameter), psycopg, node-pg, ODBC.  So a view column is never of a type of
-- the extension:
--   - a clause or process code is text ('7.4'), and next to it a sort key
--     <name>_sort (process_sort, clause_sort): isms.clause_sort_key, every
--     number zero-padded to 4 digits ('0007.0004', 'A.0005.0023'), which
--     sorts as the clause type does (numerically, clauses before Annex A)
--     under any collation and in any client;
--   - a rating is text ('L+'), and next to it <name>_value: its position on
--     the scale, N = 0, P- = 1, P = 2, P+ = 3, L- = 4, L = 5, L+ = 6, F = 7
--     (isms.rating_value), which sorts and compares as the rating type does;
--   - an enum is text; an array is text[] (in the order of the elements'
--     type: processes by clause order).
-- The types isms.clause and isms.rating stay for the engine's tables and
-- functions; implicit casts from text and varchar let plain SQL and
-- drivers that bind strings as varchar compare them with text
-- ("code = $1" with a varchar $1) once isms is on search_path.
--
-- The views keep 090's shape (the caller's memberships, one LATERAL
-- subquery per organisation; docs/reporting.md); their column types change,
-- so they are dropped and created again, with their comments and grants.
-- work_product_currency reads the organisation's approved records in one
-- scan ordered by work product (record_work_product_idx, whose heap order
-- follows the index): 090 let the planner pick record_current_version_idx
-- in a large database, one heap page per record (46 buffers for a page of
-- 100 rows at 116 organisations, 508 at 10,000).

-- The sort key of a clause and the value of a rating (src/clause.c,
-- src/rating.c: a column of every row of a view, so C, not a regular
-- expression).
CREATE FUNCTION isms.clause_sort_key(code isms.clause) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'MODULE_PATHNAME', 'clause_sort_key';
COMMENT ON FUNCTION isms.clause_sort_key(isms.clause) IS
    'Text sort key of a clause: every number zero-padded to 4 digits (7.4 -> 0007.0004, A.5.23 -> A.0005.0023); sorts as isms.clause does, in any collation and client';
CREATE FUNCTION isms.rating_value(rating isms.rating) RETURNS integer
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'MODULE_PATHNAME', 'rating_value';
COMMENT ON FUNCTION isms.rating_value(isms.rating) IS
    'Position of a rating on the ISO/IEC 33020 scale: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (the order of isms.rating)';
GRANT EXECUTE ON FUNCTION isms.clause_sort_key(isms.clause), isms.rating_value(isms.rating) TO PUBLIC;

-- Text to the extension's types where plain SQL expects it: a column of the
-- engine compared with a text or varchar value ("code = $1" bound by JDBC's
-- setString, psycopg's str) converts the value; malformed text raises 22P02.
CREATE CAST (text AS isms.clause) WITH INOUT AS IMPLICIT;
CREATE CAST (character varying AS isms.clause) WITH INOUT AS IMPLICIT;
CREATE CAST (text AS isms.rating) WITH INOUT AS IMPLICIT;
CREATE CAST (character varying AS isms.rating) WITH INOUT AS IMPLICIT;

-- (pending_approvals is created again in 260_time, on business time)
DROP VIEW isms_report.process_status, isms_report.work_product_currency, isms_report.run_blockers,
    isms_report.pending_approvals, isms_report.iso27001_readiness, isms_report.management_review_inputs,
    isms_report.cycle_time, isms_report.event_timeline, isms_report.capability_profile;

CREATE VIEW isms_report.process_status WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               p.process_id,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               p.key AS process_key,
               p.name AS process_name,
               p.category::text AS category,
               x.justification IS NULL AS applicable,
               x.justification AS exclusion_justification,
               lc.run_id AS last_completed_run_id,
               lc.title AS last_completed_run_title,
               lc.ended_at AS last_completed_at,
               COALESCE(op.open_runs, 0) AS open_runs,
               COALESCE(op.overdue_runs, 0) AS overdue_runs,
               op.next_due
          FROM isms.organization og
          JOIN isms.process p
            ON p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) o.org_id
          LEFT JOIN isms.process_exclusion x
            ON x.org_id OPERATOR(pg_catalog.=) og.org_id AND x.process_id OPERATOR(pg_catalog.=) p.process_id
          LEFT JOIN LATERAL (
                SELECT r.run_id, r.title, r.ended_at
                  FROM isms.run r
                 WHERE r.org_id OPERATOR(pg_catalog.=) og.org_id
                   AND r.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
                 ORDER BY r.ended_at DESC
                 LIMIT 1) lc ON true
          LEFT JOIN LATERAL (
                SELECT pg_catalog.count(*) AS open_runs,
                       pg_catalog.count(*) FILTER (WHERE r.due OPERATOR(pg_catalog.<) CURRENT_DATE) AS overdue_runs,
                       pg_catalog.min(r.due) AS next_due
                  FROM isms.run r
                 WHERE r.org_id OPERATOR(pg_catalog.=) og.org_id
                   AND r.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])
                 GROUP BY r.org_id) op ON true
         WHERE og.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY p.code) v;

CREATE VIEW isms_report.work_product_currency WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT wp.work_product_id,
               wp.key AS work_product,
               wp.name AS work_product_name,
               wp.review_months,
               r.record_id,
               r.document_id,
               r.version,
               r.title,
               r.approver,
               r.approved_at,
               r.valid_until,
               r.valid_until OPERATOR(pg_catalog.-) CURRENT_DATE AS days_left,
               COALESCE(r.approved_documents, 0) AS approved_documents,
               CASE WHEN r.record_id IS NULL THEN 'missing'
                    WHEN r.valid_until OPERATOR(pg_catalog.<) CURRENT_DATE THEN 'expired'
                    WHEN r.valid_until OPERATOR(pg_catalog.<=) (CURRENT_DATE OPERATOR(pg_catalog.+) 30) THEN 'needs review'
                    ELSE 'current'
               END AS status
          FROM isms.work_product wp
          -- the approved (current) version of each document; at most one per
          -- document; the organisation's approved records read once, in
          -- work product order, through record_work_product_idx
          LEFT JOIN (
                SELECT r.work_product_id, r.record_id, r.document_id, r.version, r.title, r.approver,
                       r.approved_at, r.valid_until,
                       pg_catalog.count(*) OVER (PARTITION BY r.work_product_id) AS approved_documents
                  FROM isms.record r
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                 ORDER BY r.work_product_id
                OFFSET 0) r ON r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
         WHERE (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
           AND wp.kind OPERATOR(pg_catalog.=) 'document'::isms.work_product_kind
         ORDER BY wp.key, r.document_id) v;

CREATE VIEW isms_report.run_blockers WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.run_id,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               p.key AS process_key,
               r.title AS run_title,
               r.state::text AS run_state,
               r.owner,
               r.due,
               b.blocker,
               b.item,
               b.detail
          FROM isms.run r
          JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
         CROSS JOIN LATERAL isms_report.run_blockers_of(r.run_id) b
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])
         ORDER BY r.run_id) v;

CREATE VIEW isms_report.iso27001_readiness WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT c.clause::text AS clause,
               isms.clause_sort_key(c.clause) AS clause_sort,
               c.title,
               isms.clause_depth(c.clause) AS depth,
               sp.processes,
               di.documented_information,
               di.missing,
               CASE WHEN di.documented_information IS NULL THEN 'no documented information'
                    WHEN di.missing IS NULL THEN 'ready'
                    ELSE 'not ready'
               END AS status
          FROM isms.iso27001_clause c
         CROSS JOIN LATERAL (
                SELECT pg_catalog.array_agg(DISTINCT p.code ORDER BY p.code)::text[] AS processes
                  FROM isms.process_reference pr
                  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) pr.process_id
                 WHERE c.clause OPERATOR(isms.@>) pr.clause
                   AND (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) o.org_id)
                   AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                                    WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                                      AND x.process_id OPERATOR(pg_catalog.=) p.process_id)) sp
         CROSS JOIN LATERAL (
                SELECT pg_catalog.array_agg(w.key ORDER BY w.key) AS documented_information,
                       pg_catalog.array_agg(w.key ORDER BY w.key) FILTER (WHERE NOT w.current) AS missing
                  FROM (SELECT wp.key,
                               EXISTS (SELECT FROM isms.record r
                                        WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                                          AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                                          AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                                          AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)) AS current
                          FROM isms.work_product wp
                         WHERE (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
                           AND EXISTS (SELECT FROM isms.work_product_reference wr
                                        WHERE wr.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                                          AND c.clause OPERATOR(isms.@>) wr.clause)) w) di
         WHERE NOT isms.clause_is_annex(c.clause)
           AND isms.clause_depth(c.clause) OPERATOR(pg_catalog.>=) 2
         ORDER BY c.clause) v;

CREATE VIEW isms_report.management_review_inputs WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT i.item,
               i.input,
               wp.key AS work_product,
               l.record_id,
               l.title,
               l.version,
               l.approved_at,
               l.valid_until,
               l.produced_by_run,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               lr.last_review_at,
               n.new_since_last_review
          FROM (VALUES
                ('a', 'Status of actions from previous management reviews', 'management_review_results'),
                ('b', 'Changes in external and internal issues', 'context_analysis'),
                ('c', 'Changes in needs and expectations of interested parties', 'interested_parties_register'),
                ('d1', 'Nonconformities and corrective actions', 'nonconformity'),
                ('d1', 'Nonconformities and corrective actions', 'corrective_action_record'),
                ('d2', 'Monitoring and measurement results', 'performance_report'),
                ('d2', 'Monitoring and measurement results', 'measurement_results'),
                ('d3', 'Audit results', 'audit_report'),
                -- d 4 is the fulfilment of the objectives (0.1.0 said incidents)
                ('d4', 'Fulfilment of information security objectives', 'security_objectives'),
                ('d4', 'Fulfilment of information security objectives', 'performance_report'),
                ('e', 'Feedback from interested parties', 'customer_feedback'),
                ('f', 'Results of risk assessment and status of risk treatment', 'risk_assessment_report'),
                ('f', 'Results of risk assessment and status of risk treatment', 'risk_register'),
                ('f', 'Results of risk assessment and status of risk treatment', 'risk_treatment_plan'),
                ('g', 'Opportunities for continual improvement', 'improvement_proposal')
               ) i (item, input, work_product)
          JOIN isms.work_product wp
            ON wp.org_id IS NULL AND wp.key OPERATOR(pg_catalog.=) i.work_product
          LEFT JOIN LATERAL (
                SELECT r.record_id, r.title, r.version, r.approved_at, r.valid_until, r.produced_by_run
                  FROM isms.record r
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                   AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                 ORDER BY r.approved_at DESC
                 LIMIT 1) l ON true
          LEFT JOIN isms.run rn
            ON rn.org_id OPERATOR(pg_catalog.=) o.org_id AND rn.run_id OPERATOR(pg_catalog.=) l.produced_by_run
          LEFT JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) rn.process_id
         CROSS JOIN LATERAL (
                SELECT pg_catalog.max(r.approved_at) AS last_review_at
                  FROM isms.record r
                  JOIN isms.work_product mr
                    ON mr.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
                   AND mr.org_id IS NULL AND mr.key OPERATOR(pg_catalog.=) 'management_review_results'
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])) lr
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS new_since_last_review
                  FROM isms.record r
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                   AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                   AND (lr.last_review_at IS NULL OR r.approved_at OPERATOR(pg_catalog.>) lr.last_review_at)) n
         ORDER BY i.item, wp.key) v;

CREATE VIEW isms_report.cycle_time WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.process_id,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               g.period,
               (pg_catalog.date_trunc(g.period, r.ended_at))::date AS period_start,
               pg_catalog.count(*) AS runs_completed,
               pg_catalog.avg(r.ended_at OPERATOR(pg_catalog.-) r.started_at) AS avg_cycle_time,
               pg_catalog.round((pg_catalog.avg(EXTRACT(epoch FROM r.ended_at OPERATOR(pg_catalog.-) r.started_at))
                                 OPERATOR(pg_catalog./) 86400)::numeric, 2) AS avg_cycle_days,
               pg_catalog.count(r.due) AS runs_with_due,
               pg_catalog.count(*) FILTER (WHERE (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due) AS runs_on_time,
               pg_catalog.round((pg_catalog.count(*) FILTER (WHERE (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due))::numeric
                                OPERATOR(pg_catalog./) NULLIF(pg_catalog.count(r.due), 0), 3) AS on_time_rate
          FROM isms.run r
          JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
         CROSS JOIN (VALUES ('month'), ('quarter')) g (period)
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
         GROUP BY r.org_id, r.process_id, p.code, g.period, period_start
         ORDER BY p.code, g.period, period_start) v;

CREATE VIEW isms_report.event_timeline WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT e.event_no,
               e.occurred_at,
               e.actor,
               e.object_type,
               e.object_id,
               CASE e.object_type
                    WHEN 'organization' THEN pg_catalog.format('organization "%s"', og.name)
                    WHEN 'run' THEN pg_catalog.format('run %s "%s" of %s %s', e.object_id, rn.title, p.code, p.key)
                    WHEN 'step' THEN pg_catalog.format('step %s "%s" of run %s "%s" (%s %s)',
                                                       e.detail OPERATOR(pg_catalog.->>) 'activity_no', a.name,
                                                       e.object_id, rn.title, p.code, p.key)
                    WHEN 'record' THEN pg_catalog.format('record %s %s v%s "%s"', e.object_id,
                                                         COALESCE(wp.key, e.detail OPERATOR(pg_catalog.->>) 'work_product'),
                                                         rc.version, rc.title)
                    WHEN 'assessment' THEN pg_catalog.format('capability of %s %s', p.code, p.key)
                    ELSE pg_catalog.format('%s %s', e.object_type, e.object_id)
               END AS object,
               e.action,
               e.old_state,
               e.new_state,
               e.detail
          FROM isms.event e
          LEFT JOIN isms.organization og
            ON e.object_type OPERATOR(pg_catalog.=) 'organization' AND og.org_id OPERATOR(pg_catalog.=) e.org_id
          LEFT JOIN isms.run rn
            ON e.object_type OPERATOR(pg_catalog.=) ANY (ARRAY['run', 'step'])
           AND rn.org_id OPERATOR(pg_catalog.=) e.org_id AND rn.run_id OPERATOR(pg_catalog.=) e.object_id
          LEFT JOIN isms.record rc
            ON e.object_type OPERATOR(pg_catalog.=) 'record'
           AND rc.org_id OPERATOR(pg_catalog.=) e.org_id AND rc.record_id OPERATOR(pg_catalog.=) e.object_id
          LEFT JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) rc.work_product_id
          LEFT JOIN isms.process p
            ON p.process_id OPERATOR(pg_catalog.=)
               CASE WHEN e.object_type OPERATOR(pg_catalog.=) 'assessment' THEN (e.object_id)::integer ELSE rn.process_id END
          LEFT JOIN LATERAL (
                -- the organization's own activity of that number first, else the PRM's
                SELECT ac.name
                  FROM isms.activity ac
                 WHERE e.object_type OPERATOR(pg_catalog.=) 'step'
                   AND ac.process_id OPERATOR(pg_catalog.=) rn.process_id
                   AND ac.activity_no OPERATOR(pg_catalog.=) (e.detail OPERATOR(pg_catalog.->>) 'activity_no')::integer
                   AND (ac.org_id IS NULL OR ac.org_id OPERATOR(pg_catalog.=) e.org_id)
                 ORDER BY ac.org_id NULLS LAST
                 LIMIT 1) a ON true
         WHERE e.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY e.event_no) v;

CREATE VIEW isms_report.capability_profile WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT p.process_id,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               p.key AS process_key,
               p.name AS process_name,
               prof.pa11::text AS pa11, isms.rating_value(prof.pa11) AS pa11_value,
               prof.pa21::text AS pa21, isms.rating_value(prof.pa21) AS pa21_value,
               prof.pa22::text AS pa22, isms.rating_value(prof.pa22) AS pa22_value,
               prof.pa31::text AS pa31, isms.rating_value(prof.pa31) AS pa31_value,
               prof.pa32::text AS pa32, isms.rating_value(prof.pa32) AS pa32_value,
               prof.pa41::text AS pa41, isms.rating_value(prof.pa41) AS pa41_value,
               prof.pa42::text AS pa42, isms.rating_value(prof.pa42) AS pa42_value,
               prof.pa51::text AS pa51, isms.rating_value(prof.pa51) AS pa51_value,
               prof.pa52::text AS pa52, isms.rating_value(prof.pa52) AS pa52_value,
               isms.capability_level(prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
                                     prof.pa41, prof.pa42, prof.pa51, prof.pa52) AS capability_level,
               prof.assessor_rated
          FROM (SELECT r.process_id,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 1.1') AS pa11,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.1') AS pa21,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.2') AS pa22,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.1') AS pa31,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.2') AS pa32,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.1') AS pa41,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.2') AS pa42,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.1') AS pa51,
                       isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.2') AS pa52,
                       pg_catalog.array_agg(r.attribute ORDER BY r.attribute) FILTER (WHERE r.by_assessor) AS assessor_rated
                  FROM (SELECT COALESCE(ar.process_id, d.process_id) AS process_id,
                               COALESCE(ar.attribute, d.attribute) AS attribute,
                               COALESCE(ar.rating, d.rating) AS rating,
                               ar.rating IS NOT NULL AS by_assessor
                          FROM isms.derived_ratings(o.org_id, (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)::date,
                                                    CURRENT_DATE) d
                          FULL JOIN (SELECT DISTINCT ON (x.process_id, x.attribute) x.process_id, x.attribute, x.rating
                                       FROM isms.assessment_rating x
                                      WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                                        AND x.period_end OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)
                                      ORDER BY x.process_id, x.attribute, x.assessed_at DESC, x.rating_id DESC) ar
                            ON ar.process_id OPERATOR(pg_catalog.=) d.process_id
                           AND ar.attribute OPERATOR(pg_catalog.=) d.attribute) r
                 GROUP BY r.process_id) prof
          JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) prof.process_id
         WHERE NOT EXISTS (SELECT FROM isms.process_exclusion x
                            WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                              AND x.process_id OPERATOR(pg_catalog.=) p.process_id)
         ORDER BY p.code) v;

-- Comments: every view and every column (test: sql/bi_comments.sql).
COMMENT ON VIEW isms_report.capability_profile IS
    'Current capability profile of every applicable process: per attribute the latest assessor rating whose period ended in the last 12 months, else the rating derived from the last 12 months (isms.derived_ratings); and the capability level (isms.capability_level)';
COMMENT ON COLUMN isms_report.capability_profile.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.capability_profile.process_id IS 'The process (isms.process.process_id)';
COMMENT ON COLUMN isms_report.capability_profile.process_code IS 'Code of the process as text, e.g. 7.4 (sort by process_sort)';
COMMENT ON COLUMN isms_report.capability_profile.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.capability_profile.process_key IS 'Key of the process, e.g. risk_assessment';
COMMENT ON COLUMN isms_report.capability_profile.process_name IS 'Name of the process';
COMMENT ON COLUMN isms_report.capability_profile.pa11 IS 'PA 1.1 process performance: the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa11_value';
COMMENT ON COLUMN isms_report.capability_profile.pa11_value IS 'Scale position of pa11: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa21 IS 'PA 2.1 performance management: the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa21_value';
COMMENT ON COLUMN isms_report.capability_profile.pa21_value IS 'Scale position of pa21: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa22 IS 'PA 2.2 work product management: the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa22_value';
COMMENT ON COLUMN isms_report.capability_profile.pa22_value IS 'Scale position of pa22: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa31 IS 'PA 3.1 process definition: the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa31_value';
COMMENT ON COLUMN isms_report.capability_profile.pa31_value IS 'Scale position of pa31: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa32 IS 'PA 3.2 process deployment: the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa32_value';
COMMENT ON COLUMN isms_report.capability_profile.pa32_value IS 'Scale position of pa32: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa41 IS 'PA 4.1 quantitative analysis (assessor ratings only): the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa41_value';
COMMENT ON COLUMN isms_report.capability_profile.pa41_value IS 'Scale position of pa41: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa42 IS 'PA 4.2 quantitative control (assessor ratings only): the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa42_value';
COMMENT ON COLUMN isms_report.capability_profile.pa42_value IS 'Scale position of pa42: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa51 IS 'PA 5.1 process innovation (assessor ratings only): the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa51_value';
COMMENT ON COLUMN isms_report.capability_profile.pa51_value IS 'Scale position of pa51: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.pa52 IS 'PA 5.2 process innovation implementation (assessor ratings only): the rating as text, N, P-, P, P+, L-, L, L+ or F (NULL: not rated); sort by pa52_value';
COMMENT ON COLUMN isms_report.capability_profile.pa52_value IS 'Scale position of pa52: N 0, P- 1, P 2, P+ 3, L- 4, L 5, L+ 6, F 7 (isms.rating_value; NULL: not rated)';
COMMENT ON COLUMN isms_report.capability_profile.capability_level IS 'Capability level 0..5 (ISO/IEC 33020 rule; unrated attributes count as N)';
COMMENT ON COLUMN isms_report.capability_profile.assessor_rated IS 'Attributes whose rating is an assessor''s (the others are derived)';
COMMENT ON VIEW isms_report.cycle_time IS
    'Per organization, process and month or quarter (by end date): completed runs, average cycle time from start to completion and on-time rate';
COMMENT ON COLUMN isms_report.cycle_time.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.cycle_time.process_id IS 'The process (isms.process.process_id)';
COMMENT ON COLUMN isms_report.cycle_time.process_code IS 'Code of the process as text, e.g. 7.4 (sort by process_sort)';
COMMENT ON COLUMN isms_report.cycle_time.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.cycle_time.period IS 'month or quarter: every completed run is counted once in each';
COMMENT ON COLUMN isms_report.cycle_time.period_start IS 'First day of the month or quarter in which the runs were completed';
COMMENT ON COLUMN isms_report.cycle_time.runs_completed IS 'Runs of the process completed in the period';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_time IS 'Average of ended_at - started_at';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_days IS 'The same in days, rounded to 2 decimals';
COMMENT ON COLUMN isms_report.cycle_time.runs_with_due IS 'Completed runs that had a due date';
COMMENT ON COLUMN isms_report.cycle_time.runs_on_time IS 'Completed runs that ended on or before their due date';
COMMENT ON COLUMN isms_report.cycle_time.on_time_rate IS 'runs_on_time / runs_with_due (0..1; NULL when no run had a due date)';
COMMENT ON VIEW isms_report.event_timeline IS
    'The audit trail (isms.event) with a readable description of each event''s object';
COMMENT ON COLUMN isms_report.event_timeline.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.event_timeline.event_no IS 'Number of the event in the organization''s chain (1, 2, ...)';
COMMENT ON COLUMN isms_report.event_timeline.occurred_at IS 'When the event happened';
COMMENT ON COLUMN isms_report.event_timeline.actor IS 'Who caused the event (the application user named by isms.actor, else the role)';
COMMENT ON COLUMN isms_report.event_timeline.object_type IS 'Kind of object: organization, run, step, record, assessment, ...';
COMMENT ON COLUMN isms_report.event_timeline.object_id IS 'Run id for run and step events, record id for records, process id for assessments, org id for the organization';
COMMENT ON COLUMN isms_report.event_timeline.object IS 'Readable description: run title and process, step activity, record work product, version and title, ...';
COMMENT ON COLUMN isms_report.event_timeline.action IS 'What happened (a state change, a submission, an approval, ...)';
COMMENT ON COLUMN isms_report.event_timeline.old_state IS 'State before the event (NULL: none)';
COMMENT ON COLUMN isms_report.event_timeline.new_state IS 'State after the event (NULL: none)';
COMMENT ON COLUMN isms_report.event_timeline.detail IS 'Further details of the event, as JSON';
COMMENT ON VIEW isms_report.iso27001_readiness IS
    'One row per organization and ISO/IEC 27001:2022 clause 4.1-10.2 (with subclauses): the processes that serve it, its documented information and whether a current approved record of each exists';
COMMENT ON COLUMN isms_report.iso27001_readiness.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.iso27001_readiness.clause IS 'The ISO/IEC 27001:2022 clause as text, e.g. 6.1.2 (sort by clause_sort)';
COMMENT ON COLUMN isms_report.iso27001_readiness.clause_sort IS 'Sort key of clause: numbers zero-padded (0006.0001.0002), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.iso27001_readiness.title IS 'Title of the clause';
COMMENT ON COLUMN isms_report.iso27001_readiness.depth IS '2 for a clause such as 6.1, 3 for a subclause such as 6.1.2';
COMMENT ON COLUMN isms_report.iso27001_readiness.processes IS 'Codes of the applicable processes (not declared not applicable) that serve the clause or one of its subclauses, as text[] in clause order';
COMMENT ON COLUMN isms_report.iso27001_readiness.documented_information IS 'Work products that reference the clause or one of its subclauses (NULL: none)';
COMMENT ON COLUMN isms_report.iso27001_readiness.missing IS 'Those of them without an approved, unexpired record (NULL: none missing)';
COMMENT ON COLUMN isms_report.iso27001_readiness.status IS 'ready (every documented information current), not ready (some missing) or no documented information';
COMMENT ON VIEW isms_report.management_review_inputs IS
    'What the management review considers (ISO/IEC 27001:2022 9.3.2 a-g): per organization and input, the latest approved record of the work product that carries it';
COMMENT ON COLUMN isms_report.management_review_inputs.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.management_review_inputs.item IS 'The item of 9.3.2 (a..g; d split into d1 nonconformities and corrective actions, d2 monitoring and measurement, d3 audit, d4 fulfilment of objectives)';
COMMENT ON COLUMN isms_report.management_review_inputs.input IS 'The input the management review considers, in the words of 9.3.2';
COMMENT ON COLUMN isms_report.management_review_inputs.work_product IS 'Key of the work product that carries the input';
COMMENT ON COLUMN isms_report.management_review_inputs.record_id IS 'The latest approved record (NULL: none yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.title IS 'Title of the latest approved record';
COMMENT ON COLUMN isms_report.management_review_inputs.version IS 'Its version';
COMMENT ON COLUMN isms_report.management_review_inputs.approved_at IS 'When it was approved';
COMMENT ON COLUMN isms_report.management_review_inputs.valid_until IS 'Last day it is current (NULL: does not expire)';
COMMENT ON COLUMN isms_report.management_review_inputs.produced_by_run IS 'The run it is an output of (NULL for external records)';
COMMENT ON COLUMN isms_report.management_review_inputs.process_code IS 'Code of the process whose run produced the record, as text (NULL for external records)';
COMMENT ON COLUMN isms_report.management_review_inputs.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.management_review_inputs.last_review_at IS 'When the latest management review results were approved (NULL: no review yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.new_since_last_review IS 'Approved records of the work product approved after the latest management review (all of them if none)';
COMMENT ON VIEW isms_report.process_status IS
    'One row per organization and process (the PRM and the organization''s own): applicability, last completed run, open and overdue runs';
COMMENT ON COLUMN isms_report.process_status.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.process_status.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.process_status.process_id IS 'The process (isms.process.process_id)';
COMMENT ON COLUMN isms_report.process_status.process_code IS 'Code of the process as text, e.g. 7.4 (sort by process_sort)';
COMMENT ON COLUMN isms_report.process_status.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.process_status.process_key IS 'Key of the process, e.g. risk_assessment';
COMMENT ON COLUMN isms_report.process_status.process_name IS 'Name of the process';
COMMENT ON COLUMN isms_report.process_status.category IS 'management, core or support';
COMMENT ON COLUMN isms_report.process_status.applicable IS 'False when the organization declared the process not applicable (isms.process_exclusion)';
COMMENT ON COLUMN isms_report.process_status.exclusion_justification IS 'Why the organization declared the process not applicable (NULL: applicable)';
COMMENT ON COLUMN isms_report.process_status.last_completed_run_id IS 'The latest completed run of the process (NULL: none)';
COMMENT ON COLUMN isms_report.process_status.last_completed_run_title IS 'Title of that run';
COMMENT ON COLUMN isms_report.process_status.last_completed_at IS 'When the latest completed run of the process ended';
COMMENT ON COLUMN isms_report.process_status.open_runs IS 'Runs planned, active or suspended';
COMMENT ON COLUMN isms_report.process_status.overdue_runs IS 'Open runs whose due date has passed';
COMMENT ON COLUMN isms_report.process_status.next_due IS 'Earliest due date of the open runs (past if overdue)';
COMMENT ON VIEW isms_report.run_blockers IS
    'One row per open run and thing it still needs: to start (planned), to complete (active) or to resume (suspended); see isms.run_blockers';
COMMENT ON COLUMN isms_report.run_blockers.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.run_blockers.run_id IS 'The open run';
COMMENT ON COLUMN isms_report.run_blockers.process_code IS 'Code of the process as text, e.g. 7.4 (sort by process_sort)';
COMMENT ON COLUMN isms_report.run_blockers.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.run_blockers.process_key IS 'Key of the process, e.g. risk_assessment';
COMMENT ON COLUMN isms_report.run_blockers.run_title IS 'Title of the run';
COMMENT ON COLUMN isms_report.run_blockers.run_state IS 'planned, active or suspended';
COMMENT ON COLUMN isms_report.run_blockers.owner IS 'Owner of the run';
COMMENT ON COLUMN isms_report.run_blockers.due IS 'Due date of the run';
COMMENT ON COLUMN isms_report.run_blockers.blocker IS 'Kind of blocker: input, step, output, state or process';
COMMENT ON COLUMN isms_report.run_blockers.item IS 'The work product key(s), step number or state concerned';
COMMENT ON COLUMN isms_report.run_blockers.detail IS 'What exactly is missing, in words';
COMMENT ON VIEW isms_report.work_product_currency IS
    'One row per organization and approved document of a document-kind work product (its current version), and a missing row for each such work product with no approved document: current, needs review (expires within 30 days), expired or missing';
COMMENT ON COLUMN isms_report.work_product_currency.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.work_product_currency.work_product_id IS 'The work product (isms.work_product.work_product_id)';
COMMENT ON COLUMN isms_report.work_product_currency.work_product IS 'Key of the work product';
COMMENT ON COLUMN isms_report.work_product_currency.work_product_name IS 'Name of the work product';
COMMENT ON COLUMN isms_report.work_product_currency.review_months IS 'Months an approved version stays current before it needs review';
COMMENT ON COLUMN isms_report.work_product_currency.record_id IS 'The approved (current) version of the document (NULL when the work product is missing)';
COMMENT ON COLUMN isms_report.work_product_currency.document_id IS 'The document the record is a version of (its first version''s record_id)';
COMMENT ON COLUMN isms_report.work_product_currency.version IS 'Version of the document';
COMMENT ON COLUMN isms_report.work_product_currency.title IS 'Title of the record';
COMMENT ON COLUMN isms_report.work_product_currency.approver IS 'Who approved the record';
COMMENT ON COLUMN isms_report.work_product_currency.approved_at IS 'When the record was approved';
COMMENT ON COLUMN isms_report.work_product_currency.valid_until IS 'Last day the record is current (NULL: does not expire)';
COMMENT ON COLUMN isms_report.work_product_currency.days_left IS 'Days until valid_until (negative: expired; NULL: does not expire)';
COMMENT ON COLUMN isms_report.work_product_currency.approved_documents IS 'How many approved documents of this work product the organization has (e.g. several topic-specific policies)';
COMMENT ON COLUMN isms_report.work_product_currency.status IS 'current, needs review (valid_until within 30 days), expired (valid_until passed) or missing (no approved document)';

GRANT SELECT ON isms_report.process_status, isms_report.work_product_currency, isms_report.run_blockers,
    isms_report.iso27001_readiness, isms_report.management_review_inputs,
    isms_report.cycle_time, isms_report.event_timeline, isms_report.capability_profile
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;

-- Comments: every function of the extension (test: sql/bi_comments.sql).
COMMENT ON FUNCTION isms.clause_in(cstring) IS 'Input function of type isms.clause: text such as 7.4, 6.1.2 or A.5.23 (22P02 with a detail when malformed)';
COMMENT ON FUNCTION isms.clause_out(isms.clause) IS 'Output function of type isms.clause: its text form';
COMMENT ON FUNCTION isms.clause_recv(internal) IS 'Binary input function of type isms.clause (a version byte, then the numbers; 22P03 when malformed)';
COMMENT ON FUNCTION isms.clause_send(isms.clause) IS 'Binary output function of type isms.clause';
COMMENT ON FUNCTION isms.clause_cmp(isms.clause, isms.clause) IS 'Comparison of the isms.clause btree operator class: -1, 0 or 1 in numeric-aware order (6.1.2 < 6.1.10, clauses before Annex A)';
COMMENT ON FUNCTION isms.clause_lt(isms.clause, isms.clause) IS 'Operator < of isms.clause (numeric-aware order)';
COMMENT ON FUNCTION isms.clause_le(isms.clause, isms.clause) IS 'Operator <= of isms.clause (numeric-aware order)';
COMMENT ON FUNCTION isms.clause_eq(isms.clause, isms.clause) IS 'Operator = of isms.clause';
COMMENT ON FUNCTION isms.clause_ne(isms.clause, isms.clause) IS 'Operator <> of isms.clause';
COMMENT ON FUNCTION isms.clause_ge(isms.clause, isms.clause) IS 'Operator >= of isms.clause (numeric-aware order)';
COMMENT ON FUNCTION isms.clause_gt(isms.clause, isms.clause) IS 'Operator > of isms.clause (numeric-aware order)';
COMMENT ON FUNCTION isms.clause_hash(isms.clause) IS 'Hash of the isms.clause hash operator class';
COMMENT ON FUNCTION isms.clause_hash_extended(isms.clause, bigint) IS 'Seeded 64-bit hash of the isms.clause hash operator class';
COMMENT ON FUNCTION isms.clause_smaller(isms.clause, isms.clause) IS 'The smaller of two clauses (state function of isms.min)';
COMMENT ON FUNCTION isms.clause_larger(isms.clause, isms.clause) IS 'The larger of two clauses (state function of isms.max)';
COMMENT ON FUNCTION isms.min(isms.clause) IS 'Aggregate: the smallest clause (numeric-aware order)';
COMMENT ON FUNCTION isms.max(isms.clause) IS 'Aggregate: the largest clause (numeric-aware order)';
COMMENT ON FUNCTION isms.clause_contains_support(internal) IS 'Planner support of isms.clause_contains (@>): a constant on one side becomes a btree range condition';
COMMENT ON FUNCTION isms.clause_contained_support(internal) IS 'Planner support of isms.clause_contained (<@): a constant on one side becomes a btree range condition';
COMMENT ON FUNCTION isms.rating_in(cstring) IS 'Input function of type isms.rating: N, P-, P, P+, L-, L, L+ or F (the Unicode minus accepted; 22P02 when malformed)';
COMMENT ON FUNCTION isms.rating_out(isms.rating) IS 'Output function of type isms.rating: its text form';
COMMENT ON FUNCTION isms.rating_recv(internal) IS 'Binary input function of type isms.rating (a version byte, then the scale position; 22P03 when malformed)';
COMMENT ON FUNCTION isms.rating_send(isms.rating) IS 'Binary output function of type isms.rating';
COMMENT ON FUNCTION isms.rating_cmp(isms.rating, isms.rating) IS 'Comparison of the isms.rating btree operator class: -1, 0 or 1 in scale order (N < P- < P < P+ < L- < L < L+ < F)';
COMMENT ON FUNCTION isms.rating_lt(isms.rating, isms.rating) IS 'Operator < of isms.rating (scale order)';
COMMENT ON FUNCTION isms.rating_le(isms.rating, isms.rating) IS 'Operator <= of isms.rating (scale order)';
COMMENT ON FUNCTION isms.rating_eq(isms.rating, isms.rating) IS 'Operator = of isms.rating';
COMMENT ON FUNCTION isms.rating_ne(isms.rating, isms.rating) IS 'Operator <> of isms.rating';
COMMENT ON FUNCTION isms.rating_ge(isms.rating, isms.rating) IS 'Operator >= of isms.rating (scale order)';
COMMENT ON FUNCTION isms.rating_gt(isms.rating, isms.rating) IS 'Operator > of isms.rating (scale order)';
COMMENT ON FUNCTION isms.rating_sortsupport(internal) IS 'Sort support of the isms.rating btree operator class';
COMMENT ON FUNCTION isms.rating_hash(isms.rating) IS 'Hash of the isms.rating hash operator class';
COMMENT ON FUNCTION isms.rating_hash_extended(isms.rating, bigint) IS 'Seeded 64-bit hash of the isms.rating hash operator class';
COMMENT ON FUNCTION isms.rating_smaller(isms.rating, isms.rating) IS 'The lower of two ratings (state function of isms.min)';
COMMENT ON FUNCTION isms.rating_larger(isms.rating, isms.rating) IS 'The higher of two ratings (state function of isms.max)';
COMMENT ON FUNCTION isms.min(isms.rating) IS 'Aggregate: the lowest rating (scale order)';
COMMENT ON FUNCTION isms.max(isms.rating) IS 'Aggregate: the highest rating (scale order)';
COMMENT ON FUNCTION isms.rating_agg_accum(internal, isms.rating) IS 'Transition function of the rating aggregates (isms.rating_mean, rating_median, rating_refined_mean, rating_refined_median): counts per scale position';
COMMENT ON FUNCTION isms.rating_agg_combine(internal, internal) IS 'Combine function of the rating aggregates (parallel aggregation)';
COMMENT ON FUNCTION isms.rating_agg_serialize(internal) IS 'Serialize function of the rating aggregates (parallel aggregation)';
COMMENT ON FUNCTION isms.rating_agg_deserialize(bytea, internal) IS 'Deserialize function of the rating aggregates (parallel aggregation)';
COMMENT ON FUNCTION isms.rating_mean_final(internal) IS 'Final function of isms.rating_mean: N, P, L or F of the rounded mean ordinal';
COMMENT ON FUNCTION isms.rating_median_final(internal) IS 'Final function of isms.rating_median: N, P, L or F of the lower median ordinal';
COMMENT ON FUNCTION isms.rating_refined_mean_final(internal) IS 'Final function of isms.rating_refined_mean: the refined rating of the rounded mean refined ordinal';
COMMENT ON FUNCTION isms.rating_refined_median_final(internal) IS 'Final function of isms.rating_refined_median: the refined rating of the lower median refined ordinal';
COMMENT ON FUNCTION isms.rating_pct_accum(internal, numeric) IS 'Transition function of isms.rating_of_mean and rating_refined_of_mean over numeric percentages';
COMMENT ON FUNCTION isms.rating_pct_accum(double precision[], double precision) IS 'Transition function of isms.rating_of_mean and rating_refined_of_mean over double precision percentages';
COMMENT ON FUNCTION isms.rating_of_mean_final(internal) IS 'Final function of isms.rating_of_mean(numeric): N, P, L or F of the mean percentage';
COMMENT ON FUNCTION isms.rating_refined_of_mean_final(internal) IS 'Final function of isms.rating_refined_of_mean(numeric): the refined rating of the mean percentage';
COMMENT ON FUNCTION isms.rating_of_mean_final(double precision[]) IS 'Final function of isms.rating_of_mean(double precision): N, P, L or F of the mean percentage';
COMMENT ON FUNCTION isms.rating_refined_of_mean_final(double precision[]) IS 'Final function of isms.rating_refined_of_mean(double precision): the refined rating of the mean percentage';
COMMENT ON FUNCTION isms.capability_level_accum(bigint, text, isms.rating) IS 'Transition function of isms.capability_level_agg: keeps the highest rating of each process attribute';
COMMENT ON FUNCTION isms.capability_level_combine(bigint, bigint) IS 'Combine function of isms.capability_level_agg (parallel aggregation)';
COMMENT ON FUNCTION isms.capability_level_final(bigint) IS 'Final function of isms.capability_level_agg: the ISO/IEC 33020 capability level of the ratings seen';
COMMENT ON FUNCTION isms.run_trigger() IS 'Trigger run_rules on isms.run: the run lifecycle (transitions, inputs to start, steps and outputs to complete), immutability, retention; appends the events';
COMMENT ON FUNCTION isms.run_steps_trigger() IS 'Trigger run_creates_steps on isms.run: creates a planned run''s steps from its process''s activities';
COMMENT ON FUNCTION isms.step_trigger() IS 'Trigger step_rules on isms.step: the step lifecycle (order, mandatory activities, activity inputs), immutability; appends the events';
COMMENT ON FUNCTION isms.record_trigger() IS 'Trigger record_rules on isms.record: the record lifecycle (submission, approval by another than the author, versions), frozen content, engine-managed columns, retention; appends the events';
COMMENT ON FUNCTION isms.record_output_trigger() IS 'Trigger record_links_output on isms.record: links a new output record to the run that produced it';
COMMENT ON FUNCTION isms.run_record_trigger() IS 'Trigger run_record_rules on isms.run_record: inputs must be approved, unexpired inputs of the process; output links and confirmations are the engine''s';
COMMENT ON FUNCTION isms.event_guard_trigger() IS 'Triggers on isms.event and isms.event_chain: append-only (no UPDATE, DELETE or TRUNCATE; IS012), chain heads written by the engine only';
COMMENT ON FUNCTION isms.organization_trigger() IS 'Trigger organization_opens_chain on isms.organization: opens the new organization''s event chain with its first event';
COMMENT ON FUNCTION isms.model_changed_trigger() IS 'Trigger model_changed on the model tables (processes, activities, work products, inputs, outputs, exclusions, memberships): drops the backends'' cached models';
COMMENT ON FUNCTION isms.run_org(bigint) IS 'The organization of a run the caller can see, or IS015';
COMMENT ON FUNCTION isms.record_org(bigint) IS 'The organization of a record the caller can see, or IS015';
COMMENT ON FUNCTION isms.step_org(bigint, integer) IS 'The organization of a step (run, activity number) the caller can see, or IS015';
COMMENT ON FUNCTION isms.tailoring_trigger() IS 'Trigger tailoring_rules on the model tables: the PRM is read-only, an organization tailors only its own rows (IS017)';
COMMENT ON FUNCTION isms.membership_keeps_admin_trigger() IS 'Trigger membership_keeps_admin on isms.membership: an organization keeps at least one admin';
COMMENT ON FUNCTION isms.assessment_trigger() IS 'Trigger assessment_evented on isms.assessment_rating: appends the event of an assessor''s rating';
COMMENT ON FUNCTION isms.membership_identity_trigger() IS 'Trigger membership_identity on isms.membership: keeps a member by role OID (member_oid); a role that cannot log in is refused (IS022)';
COMMENT ON FUNCTION isms.run_planned_trigger() IS 'Trigger run_planned on isms.run (after insert): appends the plan event of a new run';
COMMENT ON FUNCTION isms.record_created_trigger() IS 'Trigger record_created on isms.record (after insert): appends the create event of a new record';
COMMENT ON FUNCTION isms.run_record_added_trigger() IS 'Trigger run_record_added on isms.run_record: appends the event of a new input link';
COMMENT ON FUNCTION isms.assessment_rules_trigger() IS 'Trigger assessment_rules on isms.assessment_rating (before insert): the assessor is the actor (IS019) and assessed_at is set by the engine (IS020)';
COMMENT ON FUNCTION isms.truncate_guard_trigger() IS 'TRUNCATE trigger on every engine table: TRUNCATE would bypass the row triggers that enforce retention and append-only events, so it is refused for everybody';
COMMENT ON FUNCTION isms.organization_guard_trigger() IS 'Trigger organization_retained on isms.organization (before delete): an organization''s events are kept for good, and with them the organization';
COMMENT ON FUNCTION isms.lifecycle_transition_trigger() IS 'Trigger lifecycle_transition_guards on isms.lifecycle_transition: every guard a transition names exists';
COMMENT ON FUNCTION isms.lifecycle_changed_trigger() IS 'Trigger lifecycle_changed on the lifecycle tables: drops the backends'' cached lifecycles';

COMMENT ON FUNCTION isms.designation_trigger() IS 'Triggers designation_rules and designation_events on isms.designation: the engine records who designates and when, a designation is never changed (IS009), every grant and revocation appends an event';
