-- Reporting views for BI dashboards: schema isms_report.
--
-- Read-only views with stable names and columns.  A view runs with the rights
-- of its owner (the extension owner, who is not subject to row-level
-- security), so every view filters tenants itself: it drives from
-- isms.organization restricted to isms.is_member(org_id), and joins the
-- operational tables on org_id.  security_invoker is not used on purpose: the
-- report roles have no rights on the base tables.  Every view leads with
-- org_id, so "WHERE org_id = n" is pushed down to the org-leading indexes of
-- run, record and event (and is_member is evaluated once per organisation,
-- not once per row).

CREATE SCHEMA isms_report;
COMMENT ON SCHEMA isms_report IS
    'Read-only reporting views of the ISMS for dashboards and BI tools (rows of the caller''s organisations only)';

-- Indexes for the views (small: they cover only open or completed runs and
-- records in review).
CREATE INDEX run_open_idx ON isms.run (org_id, process_id, due)
    WHERE state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[]);
CREATE INDEX run_completed_idx ON isms.run (org_id, process_id, ended_at)
    WHERE state OPERATOR(pg_catalog.=) 'completed'::isms.run_state;
CREATE INDEX record_in_review_idx ON isms.record (org_id, record_id)
    WHERE state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state;

-- What a run still needs, for members of its organisation.  isms.run_blockers
-- reads the run as the caller, and report roles cannot read isms.run; this
-- definer's-rights wrapper answers only for runs of the caller's
-- organisations.
CREATE FUNCTION isms_report.run_blockers_of(run bigint)
    RETURNS TABLE (blocker text, item text, detail text)
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.blocker, b.item, b.detail
      FROM isms.run r
     CROSS JOIN LATERAL isms.run_blockers(r.run_id) b
     WHERE r.run_id OPERATOR(pg_catalog.=) $1
       AND isms.is_member(r.org_id)
$$;
COMMENT ON FUNCTION isms_report.run_blockers_of(bigint) IS
    'isms.run_blockers for a run of one of the caller''s organizations (no rows for any other run)';

-- Per organisation and process: applicable or not, last completed run, open
-- and overdue runs.
CREATE VIEW isms_report.process_status AS
SELECT o.org_id,
       o.name AS organization,
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
  FROM isms.organization o
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
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.process_status IS
    'One row per organization and process (the PRM and the organization''s own): applicability, last completed run, open and overdue runs';
COMMENT ON COLUMN isms_report.process_status.applicable IS
    'False when the organization declared the process not applicable (isms.process_exclusion)';
COMMENT ON COLUMN isms_report.process_status.last_completed_at IS 'When the latest completed run of the process ended';
COMMENT ON COLUMN isms_report.process_status.open_runs IS 'Runs planned, active or suspended';
COMMENT ON COLUMN isms_report.process_status.overdue_runs IS 'Open runs whose due date has passed';
COMMENT ON COLUMN isms_report.process_status.next_due IS 'Earliest due date of the open runs (past if overdue)';

-- Per organisation and document-kind work product: is there a current
-- approved version?
CREATE VIEW isms_report.work_product_currency AS
SELECT o.org_id,
       wp.work_product_id,
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
       pg_catalog.count(r.record_id) OVER (PARTITION BY o.org_id, wp.work_product_id) AS approved_documents,
       CASE WHEN r.record_id IS NULL THEN 'missing'
            WHEN r.valid_until OPERATOR(pg_catalog.<) CURRENT_DATE THEN 'expired'
            WHEN r.valid_until OPERATOR(pg_catalog.<=) (CURRENT_DATE OPERATOR(pg_catalog.+) 30) THEN 'needs review'
            ELSE 'current'
       END AS status
  FROM isms.organization o
  JOIN isms.work_product wp
    ON (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
   AND wp.kind OPERATOR(pg_catalog.=) 'document'::isms.work_product_kind
  -- the approved (current) version of each document; at most one per document
  LEFT JOIN isms.record r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
   AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.work_product_currency IS
    'One row per organization and approved document of a document-kind work product (its current version), and a missing row for each such work product with no approved document: current, needs review (expires within 30 days), expired or missing';
COMMENT ON COLUMN isms_report.work_product_currency.record_id IS
    'The approved (current) version of the document (NULL when the work product is missing)';
COMMENT ON COLUMN isms_report.work_product_currency.days_left IS 'Days until valid_until (negative: expired; NULL: does not expire)';
COMMENT ON COLUMN isms_report.work_product_currency.approved_documents IS
    'How many approved documents of this work product the organization has (e.g. several topic-specific policies)';
COMMENT ON COLUMN isms_report.work_product_currency.status IS
    'current, needs review (valid_until within 30 days), expired (valid_until passed) or missing (no approved document)';

-- For each open run: what it still needs.
CREATE VIEW isms_report.run_blockers AS
SELECT r.org_id,
       r.run_id,
       p.code AS process_code,
       p.key AS process_key,
       r.title AS run_title,
       r.state AS run_state,
       r.owner,
       r.due,
       b.blocker,
       b.item,
       b.detail
  FROM isms.organization o
  JOIN isms.run r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
 CROSS JOIN LATERAL isms_report.run_blockers_of(r.run_id) b
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.run_blockers IS
    'One row per open run and thing it still needs: to start (planned), to complete (active) or to resume (suspended); see isms.run_blockers';
COMMENT ON COLUMN isms_report.run_blockers.blocker IS 'Kind of blocker: input, step, output, state or process';
COMMENT ON COLUMN isms_report.run_blockers.item IS 'The work product key(s), step number or state concerned';

-- Records waiting for approval.
CREATE VIEW isms_report.pending_approvals AS
SELECT r.org_id,
       r.record_id,
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
  FROM isms.organization o
  JOIN isms.record r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state
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
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.pending_approvals IS
    'Records in review, waiting for an approver other than their author, with how long they have waited';
COMMENT ON COLUMN isms_report.pending_approvals.produced_by_run IS 'The run the record is an output of (NULL for external records)';
COMMENT ON COLUMN isms_report.pending_approvals.submitted_at IS 'When the record was (last) submitted for review (from the events)';
COMMENT ON COLUMN isms_report.pending_approvals.age IS 'Time in review so far';
COMMENT ON COLUMN isms_report.pending_approvals.age_days IS 'Whole days in review so far';

-- ISO/IEC 27001:2022 readiness per clause.
CREATE VIEW isms_report.iso27001_readiness AS
SELECT o.org_id,
       c.clause,
       c.title,
       isms.clause_depth(c.clause) AS depth,
       sp.processes,
       di.documented_information,
       di.missing,
       CASE WHEN di.documented_information IS NULL THEN 'no documented information'
            WHEN di.missing IS NULL THEN 'ready'
            ELSE 'not ready'
       END AS status
  FROM isms.organization o
 CROSS JOIN isms.iso27001_clause c
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
 WHERE isms.is_member(o.org_id)
   AND NOT isms.clause_is_annex(c.clause)
   AND isms.clause_depth(c.clause) OPERATOR(pg_catalog.>=) 2;
COMMENT ON VIEW isms_report.iso27001_readiness IS
    'One row per organization and ISO/IEC 27001:2022 clause 4.1-10.2 (with subclauses): the processes that serve it, its documented information and whether a current approved record of each exists';
COMMENT ON COLUMN isms_report.iso27001_readiness.depth IS '2 for a clause such as 6.1, 3 for a subclause such as 6.1.2';
COMMENT ON COLUMN isms_report.iso27001_readiness.processes IS
    'Applicable processes (not declared not applicable) that serve the clause or one of its subclauses';
COMMENT ON COLUMN isms_report.iso27001_readiness.documented_information IS
    'Work products that reference the clause or one of its subclauses (NULL: none)';
COMMENT ON COLUMN isms_report.iso27001_readiness.missing IS
    'Those of them without an approved, unexpired record (NULL: none missing)';
COMMENT ON COLUMN isms_report.iso27001_readiness.status IS
    'ready (every documented information current), not ready (some missing) or no documented information';

-- Inputs of the management review (ISO/IEC 27001:2022 9.3.2): the latest
-- approved record of what the other processes produced.
CREATE VIEW isms_report.management_review_inputs AS
SELECT o.org_id,
       i.item,
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
  FROM isms.organization o
 CROSS JOIN (VALUES
        ('a', 'Status of actions from previous management reviews', 'management_review_results'),
        ('b', 'Changes in external and internal issues', 'context_analysis'),
        ('c', 'Changes in needs and expectations of interested parties', 'interested_parties_register'),
        ('d1', 'Nonconformities and corrective actions', 'nonconformity'),
        ('d1', 'Nonconformities and corrective actions', 'corrective_action_record'),
        ('d2', 'Monitoring and measurement results', 'performance_report'),
        ('d2', 'Monitoring and measurement results', 'measurement_results'),
        ('d3', 'Audit results', 'audit_report'),
        ('d4', 'Information security incidents', 'incident_record'),
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
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.management_review_inputs IS
    'What the management review considers (ISO/IEC 27001:2022 9.3.2 a-g): per organization and input, the latest approved record of the work product that carries it';
COMMENT ON COLUMN isms_report.management_review_inputs.item IS
    'The item of 9.3.2 (a..g; d split into d1 nonconformities, d2 measurement, d3 audit, d4 incidents)';
COMMENT ON COLUMN isms_report.management_review_inputs.record_id IS 'The latest approved record (NULL: none yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.process_code IS 'The process whose run produced the record';
COMMENT ON COLUMN isms_report.management_review_inputs.last_review_at IS
    'When the latest management review results were approved (NULL: no review yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.new_since_last_review IS
    'Approved records of the work product approved after the latest management review (all of them if none)';

-- Cycle time and on-time rate of completed runs, by month and by quarter.
CREATE VIEW isms_report.cycle_time AS
SELECT r.org_id,
       r.process_id,
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
  FROM isms.organization o
  JOIN isms.run r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
 CROSS JOIN LATERAL (VALUES
        ('month', (pg_catalog.date_trunc('month', r.ended_at))::date),
        ('quarter', (pg_catalog.date_trunc('quarter', r.ended_at))::date)) g (period, period_start)
 WHERE isms.is_member(o.org_id)
 GROUP BY r.org_id, r.process_id, p.code, g.period, g.period_start;
COMMENT ON VIEW isms_report.cycle_time IS
    'Per organization, process and month or quarter (by end date): completed runs, average cycle time from start to completion and on-time rate';
COMMENT ON COLUMN isms_report.cycle_time.period IS 'month or quarter: every completed run is counted once in each';
COMMENT ON COLUMN isms_report.cycle_time.period_start IS 'First day of the month or quarter in which the runs were completed';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_time IS 'Average of ended_at - started_at';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_days IS 'The same in days, rounded to 2 decimals';
COMMENT ON COLUMN isms_report.cycle_time.runs_with_due IS 'Completed runs that had a due date';
COMMENT ON COLUMN isms_report.cycle_time.runs_on_time IS 'Completed runs that ended on or before their due date';
COMMENT ON COLUMN isms_report.cycle_time.on_time_rate IS 'runs_on_time / runs_with_due (0..1; NULL when no run had a due date)';

-- The audit trail with readable descriptions of its objects.
CREATE VIEW isms_report.event_timeline AS
SELECT e.org_id,
       e.event_no,
       e.occurred_at,
       e.actor,
       e.object_type,
       e.object_id,
       CASE e.object_type
            WHEN 'organization' THEN pg_catalog.format('organization "%s"', o.name)
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
  FROM isms.organization o
  JOIN isms.event e ON e.org_id OPERATOR(pg_catalog.=) o.org_id
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
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.event_timeline IS
    'The audit trail (isms.event) with a readable description of each event''s object';
COMMENT ON COLUMN isms_report.event_timeline.object_id IS
    'Run id for run and step events, record id for records, process id for assessments, org id for the organization';
COMMENT ON COLUMN isms_report.event_timeline.object IS
    'Readable description: run title and process, step activity, record work product, version and title, ...';

-- Read access for every role of the extension; nothing here can write.
GRANT USAGE ON SCHEMA isms_report TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
GRANT SELECT ON isms_report.process_status, isms_report.work_product_currency, isms_report.run_blockers,
    isms_report.pending_approvals, isms_report.iso27001_readiness, isms_report.management_review_inputs,
    isms_report.cycle_time, isms_report.event_timeline
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
-- Functions the views call run with the caller's EXECUTE rights.
REVOKE ALL ON FUNCTION isms_report.run_blockers_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms_report.run_blockers_of(bigint), isms.is_member(bigint),
    isms.clause_depth(isms.clause), isms.clause_is_annex(isms.clause),
    isms.clause_contains(isms.clause, isms.clause)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
