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

\echo '-- Documents whose review is due (expired or expiring within 30 days) and records awaiting approval'
SELECT o.name AS organisation, wp.key AS work_product, r.title, r.version, r.state, r.valid_until,
       CASE WHEN r.state = 'approved' AND r.valid_until < current_date THEN 'review overdue'
            WHEN r.state = 'approved' THEN 'review due soon'
            ELSE 'awaiting approval' END AS status
  FROM isms.record r
  JOIN isms.organization o USING (org_id)
  JOIN isms.work_product wp USING (work_product_id)
 WHERE (r.state = 'approved' AND r.valid_until < current_date + 30)
    OR r.state IN ('draft', 'in_review')
 ORDER BY o.org_id, r.valid_until NULLS LAST, r.record_id;

\echo '-- Event chains: every organisation''s audit trail, verified end to end'
SELECT o.name AS organisation, v.valid, v.events_checked, v.first_broken_event, v.problem
  FROM isms.organization o, isms.verify_events(o.org_id) AS v
 ORDER BY o.org_id;
