-- 218_incident_reports: the reports on incidents, nonconformities and
-- corrective actions (issue 16, item 6), in isms_report:
--   open_incidents               incidents not closed, with their age in days
--                                since detection, most severe and oldest first
--                                ("which incidents are open after 30 days":
--                                WHERE age_days > 30);
--   notification_deadlines       every notification deadline of an incident
--                                not yet met, with the hours left (negative:
--                                overdue);
--   open_nonconformities         nonconformities not closed, with their
--                                corrective action and days overdue;
--   corrective_actions_overdue   those whose corrective action is not
--                                implemented by its due date;
--   nonconformities_by_source    counts per source and clause, open and
--                                closed.
-- They follow docs/reporting.md, as 200_register_reports does.  Ages and
-- hours are measured at the statement's time (now()).

CREATE VIEW isms_report.open_incidents WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               i.incident_id,
               i.title,
               i.category,
               i.severity::text AS severity,
               COALESCE(pg_catalog.array_position(pg_catalog.enum_range(NULL::isms.incident_severity), i.severity), 0)
                   AS severity_value,
               i.state::text AS state,
               i.is_incident,
               i.personal_data,
               i.notification_regime::text AS notification_regime,
               i.detected_at,
               i.reported_at,
               i.reported_by::text AS reported_by,
               pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) i.detected_at)
                                OPERATOR(pg_catalog./) 86400)::integer AS age_days,
               i.affected_assets
          FROM isms.incident i
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) i.org_id
         WHERE i.org_id OPERATOR(pg_catalog.=) o.org_id
           AND i.state OPERATOR(pg_catalog.<>) 'closed'::isms.incident_state
         ORDER BY severity_value DESC, i.detected_at, i.incident_id) v;
COMMENT ON VIEW isms_report.open_incidents IS
    'Incidents not closed (A.5.24-A.5.28), most severe first, then oldest: with their age in days since detection (open after 30 days: WHERE age_days > 30)';
COMMENT ON COLUMN isms_report.open_incidents.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.open_incidents.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.open_incidents.incident_id IS 'The incident';
COMMENT ON COLUMN isms_report.open_incidents.title IS 'Title of the incident';
COMMENT ON COLUMN isms_report.open_incidents.category IS 'Kind of incident in the organization''s words';
COMMENT ON COLUMN isms_report.open_incidents.severity IS 'Severity decided at triage (low, medium, high, critical); NULL before triage';
COMMENT ON COLUMN isms_report.open_incidents.severity_value IS 'Sort key of the severity: 1 low .. 4 critical, 0 not triaged';
COMMENT ON COLUMN isms_report.open_incidents.state IS 'State: reported, triaged, contained or resolved';
COMMENT ON COLUMN isms_report.open_incidents.is_incident IS 'Triage''s verdict; NULL before triage';
COMMENT ON COLUMN isms_report.open_incidents.personal_data IS 'Whether personal data is involved';
COMMENT ON COLUMN isms_report.open_incidents.notification_regime IS 'Which authorities must be notified: none, gdpr, nis2, gdpr_nis2; NULL before triage';
COMMENT ON COLUMN isms_report.open_incidents.detected_at IS 'When the organization became aware of it';
COMMENT ON COLUMN isms_report.open_incidents.reported_at IS 'When it was reported';
COMMENT ON COLUMN isms_report.open_incidents.reported_by IS 'Who reported it';
COMMENT ON COLUMN isms_report.open_incidents.age_days IS 'Whole days since detection, at the time of the query';
COMMENT ON COLUMN isms_report.open_incidents.affected_assets IS 'The assets affected, by name';

CREATE VIEW isms_report.notification_deadlines WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               i.incident_id,
               i.title,
               i.severity::text AS severity,
               i.state::text AS state,
               i.notification_regime::text AS notification_regime,
               d.deadline,
               d.due_at,
               pg_catalog.round((EXTRACT(epoch FROM d.due_at OPERATOR(pg_catalog.-) pg_catalog.now())
                                 OPERATOR(pg_catalog./) 3600)::numeric, 1) AS hours_left,
               d.due_at OPERATOR(pg_catalog.<) pg_catalog.now() AS overdue
          FROM isms.incident i
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) i.org_id
         CROSS JOIN LATERAL (VALUES ('early_warning'::text, i.early_warning_due, i.early_warning_at),
                                    ('notification'::text, i.notification_due, i.notified_at)) d (deadline, due_at, done_at)
         WHERE i.org_id OPERATOR(pg_catalog.=) o.org_id
           AND d.due_at IS NOT NULL AND d.done_at IS NULL
         ORDER BY d.due_at, i.incident_id, d.deadline) v;
COMMENT ON VIEW isms_report.notification_deadlines IS
    'Notification deadlines of incidents not yet met (GDPR 72 h; NIS2 early warning 24 h, notification 72 h, from detection), soonest first, with the hours left';
COMMENT ON COLUMN isms_report.notification_deadlines.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.notification_deadlines.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.notification_deadlines.incident_id IS 'The incident';
COMMENT ON COLUMN isms_report.notification_deadlines.title IS 'Title of the incident';
COMMENT ON COLUMN isms_report.notification_deadlines.severity IS 'Severity of the incident';
COMMENT ON COLUMN isms_report.notification_deadlines.state IS 'State of the incident';
COMMENT ON COLUMN isms_report.notification_deadlines.notification_regime IS 'The regime the deadline comes from: gdpr, nis2 or gdpr_nis2';
COMMENT ON COLUMN isms_report.notification_deadlines.deadline IS 'early_warning (NIS2, 24 h) or notification (72 h)';
COMMENT ON COLUMN isms_report.notification_deadlines.due_at IS 'When it is due';
COMMENT ON COLUMN isms_report.notification_deadlines.hours_left IS 'Hours left at the time of the query, one decimal (negative: overdue)';
COMMENT ON COLUMN isms_report.notification_deadlines.overdue IS 'Whether the deadline has passed';

CREATE VIEW isms_report.open_nonconformities WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               n.nonconformity_id,
               n.title,
               n.source::text AS source,
               n.clause::text AS clause,
               isms.clause_sort_key(n.clause) AS clause_sort,
               n.state::text AS state,
               n.action,
               n.owner::text AS owner,
               n.due_date,
               CASE WHEN n.state OPERATOR(pg_catalog.=) 'action_planned'::isms.nonconformity_state
                     AND n.due_date OPERATOR(pg_catalog.<) CURRENT_DATE
                    THEN CURRENT_DATE OPERATOR(pg_catalog.-) n.due_date END AS days_overdue
          FROM isms.nonconformity n
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) n.org_id
         WHERE n.org_id OPERATOR(pg_catalog.=) o.org_id
           AND n.state OPERATOR(pg_catalog.<>) 'closed'::isms.nonconformity_state
         ORDER BY n.due_date NULLS LAST, n.nonconformity_id) v;
COMMENT ON VIEW isms_report.open_nonconformities IS
    'Nonconformities (ISO/IEC 27001 10.2) not closed, with their corrective action, earliest due first';
COMMENT ON COLUMN isms_report.open_nonconformities.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.open_nonconformities.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.open_nonconformities.nonconformity_id IS 'The nonconformity';
COMMENT ON COLUMN isms_report.open_nonconformities.title IS 'Title of the nonconformity';
COMMENT ON COLUMN isms_report.open_nonconformities.source IS 'Where it was found: audit_finding, incident, management_review, complaint, other';
COMMENT ON COLUMN isms_report.open_nonconformities.clause IS 'The clause or Annex A control not fulfilled';
COMMENT ON COLUMN isms_report.open_nonconformities.clause_sort IS 'Sort key of the clause (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.open_nonconformities.state IS 'State of the nonconformity: open, analysed, action_planned, implemented or effectiveness_verified';
COMMENT ON COLUMN isms_report.open_nonconformities.action IS 'The corrective action planned (NULL before it is planned)';
COMMENT ON COLUMN isms_report.open_nonconformities.owner IS 'Who is responsible for the action';
COMMENT ON COLUMN isms_report.open_nonconformities.due_date IS 'When the action is due';
COMMENT ON COLUMN isms_report.open_nonconformities.days_overdue IS 'Days a planned action is past its due date, today (NULL: not overdue)';

-- The overdue ones: planned, not implemented, past the due date (in the
-- order of open_nonconformities: earliest due first).
CREATE VIEW isms_report.corrective_actions_overdue WITH (security_barrier = true) AS
SELECT n.*
  FROM isms_report.open_nonconformities n
 WHERE n.days_overdue IS NOT NULL;
COMMENT ON VIEW isms_report.corrective_actions_overdue IS
    'Corrective actions (ISO/IEC 27001 10.2) planned and not implemented by their due date, most overdue first';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.nonconformity_id IS 'The nonconformity';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.title IS 'Title of the nonconformity';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.source IS 'Where it was found: audit_finding, incident, management_review, complaint, other';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.clause IS 'The clause or Annex A control not fulfilled';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.clause_sort IS 'Sort key of the clause (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.state IS 'State of the nonconformity (action_planned)';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.action IS 'The corrective action planned';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.owner IS 'Who is responsible for the action';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.due_date IS 'When it was due';
COMMENT ON COLUMN isms_report.corrective_actions_overdue.days_overdue IS 'Days past the due date, today';

CREATE VIEW isms_report.nonconformities_by_source WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               n.source::text AS source,
               n.clause::text AS clause,
               isms.clause_sort_key(n.clause) AS clause_sort,
               pg_catalog.count(*) AS nonconformities,
               pg_catalog.count(*) FILTER (WHERE n.state OPERATOR(pg_catalog.<>) 'closed'::isms.nonconformity_state) AS open,
               pg_catalog.count(*) FILTER (WHERE n.state OPERATOR(pg_catalog.=) 'closed'::isms.nonconformity_state) AS closed
          FROM isms.nonconformity n
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) n.org_id
         WHERE n.org_id OPERATOR(pg_catalog.=) o.org_id
         GROUP BY n.org_id, og.name, n.source, n.clause
         ORDER BY n.source, isms.clause_sort_key(n.clause)) v;
COMMENT ON VIEW isms_report.nonconformities_by_source IS
    'Nonconformities (ISO/IEC 27001 10.2) counted per source and clause, open and closed';
COMMENT ON COLUMN isms_report.nonconformities_by_source.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.nonconformities_by_source.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.nonconformities_by_source.source IS 'Where they were found: audit_finding, incident, management_review, complaint, other';
COMMENT ON COLUMN isms_report.nonconformities_by_source.clause IS 'The clause or Annex A control not fulfilled (NULL: none named)';
COMMENT ON COLUMN isms_report.nonconformities_by_source.clause_sort IS 'Sort key of the clause (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.nonconformities_by_source.nonconformities IS 'Number of nonconformities';
COMMENT ON COLUMN isms_report.nonconformities_by_source.open IS 'Of them not closed';
COMMENT ON COLUMN isms_report.nonconformities_by_source.closed IS 'Of them closed';

GRANT SELECT ON isms_report.open_incidents, isms_report.notification_deadlines,
    isms_report.open_nonconformities, isms_report.corrective_actions_overdue, isms_report.nonconformities_by_source
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
