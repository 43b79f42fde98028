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

\echo '-- Capability profile, ISO/IEC 33020 (isms_report.capability_profile; derived from the year''s evidence)'
SELECT process_code AS process, pa11, pa21, pa22, pa31, pa32, capability_level AS level
  FROM isms_report.capability_profile
 ORDER BY process_sort;
RESET ROLE;

\echo '-- Event chains: every organisation''s audit trail, verified end to end'
SELECT o.name AS organisation, v.valid, v.events_checked, v.first_broken_event, v.problem
  FROM isms.organization o, isms.verify_events(o.org_id) AS v
 ORDER BY o.org_id;
