-- scripts/scenario/99_summary.sql -- the end of the year: a summary of every
-- organisation's ISMS.  All summary queries of the scenario live here.

RESET ROLE;
\o
\echo
\echo '== Summary'
\echo
\echo '-- Process status: completed and open runs per process'
SELECT o.name AS organisation, p.code AS process, p.name,
       count(*) FILTER (WHERE r.state = 'completed') AS completed,
       count(*) FILTER (WHERE r.state IN ('planned', 'active', 'suspended')) AS open,
       CASE WHEN x.org_id IS NOT NULL THEN 'not applicable' END AS tailoring
  FROM isms.organization o
 CROSS JOIN isms.process p
  LEFT JOIN isms.run r ON r.org_id = o.org_id AND r.process_id = p.process_id
  LEFT JOIN isms.process_exclusion x ON x.org_id = o.org_id AND x.process_id = p.process_id
 WHERE p.org_id IS NULL OR p.org_id = o.org_id
 GROUP BY o.org_id, o.name, p.code, p.name, x.org_id
HAVING count(r.run_id) > 0 OR x.org_id IS NOT NULL
 ORDER BY o.org_id, p.code;

\echo '-- What the BI dashboard sees (login bi_dashboard: isms_reader, reader of Northwind Cloud)'
SET ROLE bi_dashboard;
\echo '-- ISO/IEC 27001:2022 readiness (isms_report.iso27001_readiness): clauses 4-10'
SELECT clause, title, status, array_to_string(missing, ', ') AS missing
  FROM isms_report.iso27001_readiness
 WHERE depth = 2
 ORDER BY clause_sort;

\echo '-- Documents that need attention (isms_report.work_product_currency)'
SELECT work_product, title, version, valid_until, days_left, status
  FROM isms_report.work_product_currency
 WHERE status <> 'current'
 ORDER BY status, work_product;

\echo '-- Risk heat map (isms_report.risk_heat_map): risks per likelihood x impact, inherent and residual;'
\echo '-- a cell marked ! is above the acceptance threshold'
SELECT basis, likelihood || ' ' || likelihood_label AS likelihood,
       string_agg(CASE WHEN impact = 1 THEN risks || CASE WHEN above_appetite THEN ' !' ELSE '' END END, '') AS "1 negligible",
       string_agg(CASE WHEN impact = 2 THEN risks || CASE WHEN above_appetite THEN ' !' ELSE '' END END, '') AS "2 minor",
       string_agg(CASE WHEN impact = 3 THEN risks || CASE WHEN above_appetite THEN ' !' ELSE '' END END, '') AS "3 moderate",
       string_agg(CASE WHEN impact = 4 THEN risks || CASE WHEN above_appetite THEN ' !' ELSE '' END END, '') AS "4 major",
       string_agg(CASE WHEN impact = 5 THEN risks || CASE WHEN above_appetite THEN ' !' ELSE '' END END, '') AS "5 severe"
  FROM isms_report.risk_heat_map
 GROUP BY basis, likelihood, likelihood_label
 ORDER BY basis, max(likelihood) DESC;

\echo '-- Risks above appetite (isms_report.risks_above_appetite): accepted by their owners or still open'
SELECT title, owner, state, level, residual_level, acceptance_threshold AS threshold, accepted, accepted_by
  FROM isms_report.risks_above_appetite
 ORDER BY risk_id;

\echo '-- Incidents open after 30 days (isms_report.open_incidents)'
SELECT title, severity, state, notification_regime, age_days
  FROM isms_report.open_incidents WHERE age_days > 30;

\echo '-- Corrective actions overdue (isms_report.corrective_actions_overdue)'
SELECT title, source, clause, owner, due_date, days_overdue
  FROM isms_report.corrective_actions_overdue;

\echo '-- Statement of Applicability (isms_report.statement_of_applicability): the 93 Annex A controls'
SELECT count(*) AS controls, count(*) FILTER (WHERE applicable) AS applicable,
       count(*) FILTER (WHERE NOT applicable) AS excluded,
       count(*) FILTER (WHERE status = 'implemented') AS implemented,
       count(*) FILTER (WHERE status = 'partially_implemented') AS partially,
       count(*) FILTER (WHERE status = 'planned') AS planned,
       count(*) FILTER (WHERE risks > 0) AS treating_risks,
       count(*) FILTER (WHERE changed_since_approval) AS changed_since_approval
  FROM isms_report.statement_of_applicability;
\echo '-- Excluded controls and why'
SELECT control, title, justification
  FROM isms_report.statement_of_applicability
 WHERE NOT applicable
 ORDER BY control_sort;
\echo '-- Which suppliers are due for review? (isms_report.review_due)'
SELECT name, rating AS criticality, state, last_reviewed, next_review
  FROM isms_report.review_due
 WHERE register = 'supplier'
 ORDER BY next_review, entry_id;
\echo '-- Are we on target? (isms_report.objective_status: the latest quarter of each objective)'
SELECT title, latest_value || ' ' || unit AS latest, replace(direction, '_', ' ') || ' ' || target AS target,
       on_target, periods_on_target || ' of ' || periods_measured AS quarters_on_target
  FROM isms_report.objective_status
 ORDER BY objective_id;
\echo '-- Controls still to implement that treat risks (isms_report.controls_not_implemented)'
SELECT control, title, status, owner, array_to_string(risk_titles, '; ') AS risks
  FROM isms_report.controls_not_implemented
 WHERE risks > 0
 ORDER BY control_sort;

\echo '-- Runs on time and late, and cycle times in days (isms_report.cycle_time, summed over its months)'
SELECT process_code AS process, sum(runs_completed) AS completed, sum(runs_on_time) AS on_time,
       sum(runs_with_due - runs_on_time) AS late,
       round(sum(avg_cycle_days * runs_completed) / sum(runs_completed), 1) AS avg_cycle_days,
       round(100.0 * sum(runs_on_time) / nullif(sum(runs_with_due), 0)) || ' %' AS on_time_rate
  FROM isms_report.cycle_time
 WHERE period = 'month'
 GROUP BY process_code, process_sort
 ORDER BY process_sort;
\echo '-- Capability profile, ISO/IEC 33020 (isms_report.capability_profile; derived from the year''s evidence)'
SELECT process_code AS process, pa11, pa21, pa22, pa31, pa32, capability_level AS level
  FROM isms_report.capability_profile
 ORDER BY process_sort;
RESET ROLE;

\echo '-- The late runs: ended after their due date (business time), and why the profile differs'
SELECT o.name AS organisation, p.code AS process, r.title, r.ended_at::date - r.due AS days_late
  FROM isms.run r JOIN isms.process p USING (process_id) JOIN isms.organization o ON o.org_id = r.org_id
 WHERE r.state = 'completed' AND r.ended_at::date > r.due
 ORDER BY r.org_id, r.ended_at;
\echo '   7.4 (one of two runs late), 7.10, 8.2 and 8.3 miss PA 2.1 (work planned and met): level 1;'
\echo '   7.6, the one process with its own approved operating procedure (PA 3.1), reaches level 3.'

\echo '-- Event chains: every organisation''s audit trail, verified end to end'
SELECT o.name AS organisation, v.valid, v.events_checked, v.first_broken_event, v.problem
  FROM isms.organization o, isms.verify_events(o.org_id) AS v
 ORDER BY o.org_id;
