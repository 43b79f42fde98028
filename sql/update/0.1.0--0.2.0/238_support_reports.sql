-- 238_support_reports: the reports on assets, suppliers, objectives and
-- training (issue 16, item 6), in isms_report:
--   review_due         assets and suppliers due for review (next_review
--                      today or earlier, or a supplier under review);
--   objective_status   every active objective with its latest measurement:
--                      "are we on target" (objectives off target: WHERE NOT
--                      on_target), read by 7.12's performance report and
--                      the management review (9.3.2 d 4);
--   training_status    per active course, the members of its audience and
--                      how many hold a completion still valid.
--
-- They follow docs/reporting.md as 200_register_reports does: org_id first,
-- the caller's memberships (isms.my_organizations) driving one LATERAL
-- subquery per organisation, security_barrier, plain SQL types, a comment on
-- the view and every column, SELECT for every group role.

CREATE VIEW isms_report.review_due WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization, e.register, e.entry_id, e.name, e.owner, e.rating, e.state,
               e.last_reviewed, e.next_review, CURRENT_DATE OPERATOR(pg_catalog.-) e.next_review AS days_overdue
          FROM (SELECT 'asset'::text AS register, a.org_id, a.asset_id AS entry_id, a.name, a.owner::text AS owner,
                       a.classification::text AS rating, a.state::text AS state, a.last_reviewed, a.next_review
                  FROM isms.asset a
                 WHERE a.org_id OPERATOR(pg_catalog.=) o.org_id AND a.state OPERATOR(pg_catalog.=) 'active'::isms.asset_state
                   AND a.next_review OPERATOR(pg_catalog.<=) CURRENT_DATE
                UNION ALL
                SELECT 'supplier'::text, s.org_id, s.supplier_id, s.name, s.owner::text, s.criticality::text,
                       s.state::text, s.last_reviewed, s.next_review
                  FROM isms.supplier s
                 WHERE s.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND (s.state OPERATOR(pg_catalog.=) 'under_review'::isms.supplier_state
                        OR (s.state OPERATOR(pg_catalog.=) 'active'::isms.supplier_state
                            AND s.next_review OPERATOR(pg_catalog.<=) CURRENT_DATE))) e
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) e.org_id
         ORDER BY e.next_review, e.register, e.entry_id) v;
COMMENT ON VIEW isms_report.review_due IS
    'Assets (A.5.9) and suppliers (A.5.22) due for review: active entries whose next review is today or earlier, and suppliers under review';
COMMENT ON COLUMN isms_report.review_due.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.review_due.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.review_due.register IS 'asset or supplier';
COMMENT ON COLUMN isms_report.review_due.entry_id IS 'The asset_id or supplier_id';
COMMENT ON COLUMN isms_report.review_due.name IS 'Name of the asset or supplier';
COMMENT ON COLUMN isms_report.review_due.owner IS 'Its owner (login role)';
COMMENT ON COLUMN isms_report.review_due.rating IS 'Classification of an asset (public .. restricted), criticality of a supplier (low .. critical)';
COMMENT ON COLUMN isms_report.review_due.state IS 'active, or under_review (suppliers)';
COMMENT ON COLUMN isms_report.review_due.last_reviewed IS 'When it was last reviewed';
COMMENT ON COLUMN isms_report.review_due.next_review IS 'When it was due for review';
COMMENT ON COLUMN isms_report.review_due.days_overdue IS 'Days since next_review (0: due today)';

CREATE VIEW isms_report.objective_status WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               j.objective_id,
               j.title,
               j.owner::text AS owner,
               j.target,
               j.unit,
               j.direction::text AS direction,
               j.period::text AS period,
               l.period_start AS latest_period,
               l.value AS latest_value,
               l.on_target,
               COALESCE(k.measured, 0::bigint) AS periods_measured,
               COALESCE(k.met, 0::bigint) AS periods_on_target
          FROM isms.objective j
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) j.org_id
          LEFT JOIN LATERAL (
                SELECT m.period_start, m.value, m.on_target
                  FROM isms.measurement m
                 WHERE m.org_id OPERATOR(pg_catalog.=) j.org_id
                   AND m.objective_id OPERATOR(pg_catalog.=) j.objective_id
                 ORDER BY m.period_start DESC
                 LIMIT 1) l ON true
          LEFT JOIN LATERAL (
                SELECT pg_catalog.count(*) AS measured, pg_catalog.count(*) FILTER (WHERE m.on_target) AS met
                  FROM isms.measurement m
                 WHERE m.org_id OPERATOR(pg_catalog.=) j.org_id
                   AND m.objective_id OPERATOR(pg_catalog.=) j.objective_id
                 GROUP BY m.org_id) k ON true
         WHERE j.org_id OPERATOR(pg_catalog.=) o.org_id
           AND j.state OPERATOR(pg_catalog.=) 'active'::isms.objective_state
         ORDER BY j.objective_id) v;
COMMENT ON VIEW isms_report.objective_status IS
    'Are we on target (ISO/IEC 27001 6.2, 9.1, 9.3.2 d 4): every active objective with its latest measurement and whether it met the target; objectives off target are WHERE NOT on_target';
COMMENT ON COLUMN isms_report.objective_status.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.objective_status.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.objective_status.objective_id IS 'The objective';
COMMENT ON COLUMN isms_report.objective_status.title IS 'The objective as stated';
COMMENT ON COLUMN isms_report.objective_status.owner IS 'Who is responsible for it (login role)';
COMMENT ON COLUMN isms_report.objective_status.target IS 'The target in force';
COMMENT ON COLUMN isms_report.objective_status.unit IS 'Unit of the target and the values';
COMMENT ON COLUMN isms_report.objective_status.direction IS 'at_least or at_most the target';
COMMENT ON COLUMN isms_report.objective_status.period IS 'How often it is measured: month, quarter or year';
COMMENT ON COLUMN isms_report.objective_status.latest_period IS 'First day of the latest period measured (NULL: never measured)';
COMMENT ON COLUMN isms_report.objective_status.latest_value IS 'The value of that period';
COMMENT ON COLUMN isms_report.objective_status.on_target IS 'Whether that value met the target in force when it was measured (NULL: never measured)';
COMMENT ON COLUMN isms_report.objective_status.periods_measured IS 'Number of periods measured';
COMMENT ON COLUMN isms_report.objective_status.periods_on_target IS 'Number of those periods on target';

CREATE VIEW isms_report.training_status WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               c.course_id,
               c.title,
               c.audience,
               c.validity_months,
               pg_catalog.count(mb.member_oid) AS members,
               pg_catalog.count(mb.member_oid) FILTER (WHERE t.due_again OPERATOR(pg_catalog.>) CURRENT_DATE) AS completed,
               pg_catalog.count(mb.member_oid) FILTER (WHERE t.due_again OPERATOR(pg_catalog.<=) CURRENT_DATE) AS expired,
               pg_catalog.count(mb.member_oid) FILTER (WHERE t.due_again IS NULL) AS never_completed,
               CASE WHEN pg_catalog.count(mb.member_oid) OPERATOR(pg_catalog.>) 0
                    THEN pg_catalog.round(pg_catalog.count(mb.member_oid) FILTER (WHERE t.due_again OPERATOR(pg_catalog.>) CURRENT_DATE)::numeric
                                          OPERATOR(pg_catalog./) pg_catalog.count(mb.member_oid), 3) END AS completion_rate
          FROM isms.course c
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) c.org_id
          LEFT JOIN isms.membership mb
            ON mb.org_id OPERATOR(pg_catalog.=) c.org_id AND mb.org_role OPERATOR(pg_catalog.=) ANY (c.audience)
          LEFT JOIN LATERAL (
                SELECT pg_catalog.max(x.due_again) AS due_again
                  FROM isms.training_completion x
                 WHERE x.org_id OPERATOR(pg_catalog.=) c.org_id AND x.course_id OPERATOR(pg_catalog.=) c.course_id
                   AND x.member OPERATOR(pg_catalog.=) mb.member_oid
                 GROUP BY x.org_id) t ON true
         WHERE c.org_id OPERATOR(pg_catalog.=) o.org_id
           AND c.state OPERATOR(pg_catalog.=) 'active'::isms.course_state
         GROUP BY c.org_id, og.name, c.course_id, c.title, c.audience, c.validity_months
         ORDER BY c.course_id) v;
COMMENT ON VIEW isms_report.training_status IS
    'Training completion rates (ISO/IEC 27001 7.2, 7.3): per active course, the members of its audience, how many hold a completion still valid, how many let it expire, how many never completed it';
COMMENT ON COLUMN isms_report.training_status.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.training_status.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.training_status.course_id IS 'The course';
COMMENT ON COLUMN isms_report.training_status.title IS 'Title of the course';
COMMENT ON COLUMN isms_report.training_status.audience IS 'The org roles that must complete it';
COMMENT ON COLUMN isms_report.training_status.validity_months IS 'Months a completion counts';
COMMENT ON COLUMN isms_report.training_status.members IS 'Members of the organization whose org role is in the audience';
COMMENT ON COLUMN isms_report.training_status.completed IS 'Of those, members whose latest completion is not yet due again';
COMMENT ON COLUMN isms_report.training_status.expired IS 'Of those, members whose latest completion is due again (today or earlier)';
COMMENT ON COLUMN isms_report.training_status.never_completed IS 'Of those, members who never completed the course';
COMMENT ON COLUMN isms_report.training_status.completion_rate IS 'completed / members, three decimals (NULL: nobody in the audience)';

GRANT SELECT ON isms_report.review_due, isms_report.objective_status, isms_report.training_status
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
