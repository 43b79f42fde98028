-- 090_views: reporting views driven by the caller's memberships (issue 14).
--
-- A view that filtered isms.organization on isms.is_member(org_id) read
-- every organisation of the database, and the planner, which cannot know
-- what the filter keeps, assumed a third of them: a reader of 100
-- organisations among 10,000 got a plan for 3,333 and a walk through every
-- organisation's events.  Every view now starts from isms.my_organizations(),
-- the caller's memberships read through membership_member_idx, whose
-- planner support function counts them (src/membership.c), and reads each
-- of those organisations in a LATERAL subquery: the organisation's rows,
-- reached through the org_id indexes (org_id is a parameter there, so every
-- table joined on org_id is restricted to it).  The subquery's ORDER BY
-- keeps the planner from flattening it into a join over every
-- organisation's rows, while filters on the view's columns are still
-- pushed into it.  So a view's cost is the sum of its cost for each
-- organisation the caller can see, whatever the size of the database, and
-- "WHERE org_id = n" runs one of those subqueries (docs/reporting.md).
--
-- my_organizations returns exactly the organisations for which is_member is
-- true (the caller is the engine's identity: the login role, or the role a
-- superuser session set; a superuser sees what it is a member of).  The
-- views keep their names, columns, comments, grants and security_barrier;
-- the alias o is one of the caller's organisations, as it was a row of
-- isms.organization before (og is that row where a view shows its name).
--
-- So that Citus can run them on a distributed database, the views defined
-- after this piece join the subquery's tables to one another on org_id (to
-- one table of the organisation, not each to o.org_id) and group an
-- aggregate subquery by org_id (LEFT JOIN ... ON true, counts COALESCEd to
-- 0): the same rows, and joins of co-located tables on their distribution
-- column, which Citus pushes down to the organisation's shards
-- (test/scripts/citus.sh checks which views run; docs/guide.md, Scaling out).

CREATE FUNCTION isms.membership_support(internal) RETURNS internal
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'membership_support';
COMMENT ON FUNCTION isms.membership_support(internal) IS
    'Planner support of isms.my_organizations: the caller''s number of memberships as its row estimate';
CREATE FUNCTION isms.my_organizations(OUT org_id bigint, OUT org_role text) RETURNS SETOF record
    LANGUAGE c STABLE PARALLEL RESTRICTED SUPPORT isms.membership_support
    AS 'MODULE_PATHNAME', 'membership_organizations';
COMMENT ON FUNCTION isms.my_organizations() IS
    'The organizations the caller is a member of (those for which isms.is_member is true), with the caller''s org role in each, by org_id';
REVOKE ALL ON FUNCTION isms.membership_support(internal), isms.my_organizations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.my_organizations()
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;

CREATE OR REPLACE VIEW isms_report.process_status WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               p.process_id,
               p.code AS process_code,
               p.key AS process_key,
               p.name AS process_name,
               p.category,
               x.justification IS NULL AS applicable,
               x.justification AS exclusion_justification,
               lc.run_id AS last_completed_run_id,
               lc.title AS last_completed_run_title,
               lc.ended_at AS last_completed_at,
               op.open_runs,
               op.overdue_runs,
               op.next_due
          FROM isms.organization og
          JOIN isms.process p
            ON p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) o.org_id
          LEFT JOIN isms.process_exclusion x
            ON x.org_id OPERATOR(pg_catalog.=) o.org_id AND x.process_id OPERATOR(pg_catalog.=) p.process_id
          LEFT JOIN LATERAL (
                SELECT r.run_id, r.title, r.ended_at
                  FROM isms.run r
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
                 ORDER BY r.ended_at DESC
                 LIMIT 1) lc ON true
         CROSS JOIN LATERAL (
                SELECT pg_catalog.count(*) AS open_runs,
                       pg_catalog.count(*) FILTER (WHERE r.due OPERATOR(pg_catalog.<) CURRENT_DATE) AS overdue_runs,
                       pg_catalog.min(r.due) AS next_due
                  FROM isms.run r
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])) op
         WHERE og.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY p.code) v;

CREATE OR REPLACE VIEW isms_report.work_product_currency WITH (security_barrier = true) AS
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
               pg_catalog.count(r.record_id) OVER (PARTITION BY wp.work_product_id) AS approved_documents,
               CASE WHEN r.record_id IS NULL THEN 'missing'
                    WHEN r.valid_until OPERATOR(pg_catalog.<) CURRENT_DATE THEN 'expired'
                    WHEN r.valid_until OPERATOR(pg_catalog.<=) (CURRENT_DATE OPERATOR(pg_catalog.+) 30) THEN 'needs review'
                    ELSE 'current'
               END AS status
          FROM isms.work_product wp
          -- the approved (current) version of each document; at most one per document
          LEFT JOIN isms.record r
            ON r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
           AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
         WHERE (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
           AND wp.kind OPERATOR(pg_catalog.=) 'document'::isms.work_product_kind
         ORDER BY wp.key, r.document_id) v;

CREATE OR REPLACE VIEW isms_report.run_blockers WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.run_id,
               p.code AS process_code,
               p.key AS process_key,
               r.title AS run_title,
               r.state AS run_state,
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

CREATE OR REPLACE VIEW isms_report.pending_approvals WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.record_id,
               r.document_id,
               r.version,
               wp.key AS work_product,
               r.title,
               r.author,
               r.produced_by_run,
               p.code AS process_code,
               s.submitted_at,
               CURRENT_TIMESTAMP OPERATOR(pg_catalog.-) s.submitted_at AS age,
               CURRENT_DATE OPERATOR(pg_catalog.-) (s.submitted_at)::date AS age_days
          FROM isms.record r
          JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
          LEFT JOIN isms.run rn
            ON rn.org_id OPERATOR(pg_catalog.=) r.org_id AND rn.run_id OPERATOR(pg_catalog.=) r.produced_by_run
          LEFT JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) rn.process_id
         CROSS JOIN LATERAL (
                SELECT pg_catalog.max(e.occurred_at) AS submitted_at
                  FROM isms.event e
                 WHERE e.org_id OPERATOR(pg_catalog.=) r.org_id
                   AND e.object_type OPERATOR(pg_catalog.=) 'record'
                   AND e.object_id OPERATOR(pg_catalog.=) r.record_id
                   AND e.action OPERATOR(pg_catalog.=) 'submit') s
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state
         ORDER BY r.record_id) v;

CREATE OR REPLACE VIEW isms_report.iso27001_readiness WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT c.clause,
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
                SELECT pg_catalog.array_agg(DISTINCT p.code ORDER BY p.code) AS processes
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

CREATE OR REPLACE VIEW isms_report.management_review_inputs WITH (security_barrier = true) AS
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
               p.code AS process_code,
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
COMMENT ON COLUMN isms_report.management_review_inputs.item IS
    'The item of 9.3.2 (a..g; d split into d1 nonconformities and corrective actions, d2 monitoring and measurement, d3 audit, d4 fulfilment of objectives)';

CREATE OR REPLACE VIEW isms_report.cycle_time WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.process_id,
               p.code AS process_code,
               g.period,
               g.period_start,
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
         CROSS JOIN LATERAL (VALUES
                ('month', (pg_catalog.date_trunc('month', r.ended_at))::date),
                ('quarter', (pg_catalog.date_trunc('quarter', r.ended_at))::date)) g (period, period_start)
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
         GROUP BY r.process_id, p.code, g.period, g.period_start
         ORDER BY p.code, g.period, g.period_start) v;

CREATE OR REPLACE VIEW isms_report.event_timeline WITH (security_barrier = true) AS
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

CREATE OR REPLACE VIEW isms_report.capability_profile WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT p.process_id,
               p.code AS process_code,
               p.key AS process_key,
               p.name AS process_name,
               prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
               prof.pa41, prof.pa42, prof.pa51, prof.pa52,
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
