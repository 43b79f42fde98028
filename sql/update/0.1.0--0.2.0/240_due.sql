-- 240_due: what is due, over every register with a date (issue 17 item 4,
-- issue 16): one row per open item of the caller's organisations
-- (docs/reporting.md: membership-driven, plain types).  It follows the
-- registers (120-238) because it reads them all; a register with dates adds
-- one branch of the UNION ALL, with item_type naming it (docs/schedules.md).
CREATE VIEW isms_report.due WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT u.*
          FROM (
                -- open runs with a due date
                SELECT 'run'::text AS item_type,
                       r.run_id AS item_id,
                       p.code::text AS process_code,
                       p.key AS subject,
                       r.title,
                       r.due,
                       r.planned_start AS planned_from,
                       r.state::text AS state,
                       r.owner
                  FROM isms.run r
                  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.due IS NOT NULL
                   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])
                UNION ALL
                -- approved documents, due for review at valid_until
                SELECT 'document_review', d.record_id, pp.code::text, wp.key, d.title, d.valid_until,
                       NULL::date, d.state::text, d.author
                  FROM isms.record d
                  JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) d.work_product_id
                  LEFT JOIN isms.run pr
                    ON pr.org_id OPERATOR(pg_catalog.=) d.org_id AND pr.run_id OPERATOR(pg_catalog.=) d.produced_by_run
                  LEFT JOIN isms.process pp ON pp.process_id OPERATOR(pg_catalog.=) pr.process_id
                 WHERE d.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND d.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                   AND d.valid_until IS NOT NULL
                UNION ALL
                -- risks to review by review_date
                SELECT 'risk_review', k.risk_id, kp.code::text, 'risk', k.title, k.review_date,
                       NULL::date, k.state::text, k.owner::text
                  FROM isms.risk k
                  JOIN isms.run kr ON kr.org_id OPERATOR(pg_catalog.=) k.org_id AND kr.run_id OPERATOR(pg_catalog.=) k.run_id
                  JOIN isms.process kp ON kp.process_id OPERATOR(pg_catalog.=) kr.process_id
                 WHERE k.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND k.review_date IS NOT NULL
                   AND k.state OPERATOR(pg_catalog.<>) 'closed'::isms.risk_state
                UNION ALL
                -- corrective actions planned and not yet implemented
                SELECT 'corrective_action', n.nonconformity_id, np.code::text, 'nonconformity', n.title,
                       n.due_date, NULL::date, n.state::text, n.owner::text
                  FROM isms.nonconformity n
                  JOIN isms.run nr ON nr.org_id OPERATOR(pg_catalog.=) n.org_id AND nr.run_id OPERATOR(pg_catalog.=) n.run_id
                  JOIN isms.process np ON np.process_id OPERATOR(pg_catalog.=) nr.process_id
                 WHERE n.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND n.state OPERATOR(pg_catalog.=) 'action_planned'::isms.nonconformity_state
                   AND n.due_date IS NOT NULL
                UNION ALL
                -- assets and suppliers in use, to review by next_review
                SELECT 'asset_review', a.asset_id, ap.code::text, 'asset', a.name, a.next_review,
                       NULL::date, a.state::text, a.owner::text
                  FROM isms.asset a
                  JOIN isms.run ar ON ar.org_id OPERATOR(pg_catalog.=) a.org_id AND ar.run_id OPERATOR(pg_catalog.=) a.run_id
                  JOIN isms.process ap ON ap.process_id OPERATOR(pg_catalog.=) ar.process_id
                 WHERE a.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND a.state OPERATOR(pg_catalog.=) 'active'::isms.asset_state
                   AND a.next_review IS NOT NULL
                UNION ALL
                SELECT 'supplier_review', su.supplier_id, sup.code::text, 'supplier', su.name, su.next_review,
                       NULL::date, su.state::text, su.owner::text
                  FROM isms.supplier su
                  JOIN isms.run sur ON sur.org_id OPERATOR(pg_catalog.=) su.org_id AND sur.run_id OPERATOR(pg_catalog.=) su.run_id
                  JOIN isms.process sup ON sup.process_id OPERATOR(pg_catalog.=) sur.process_id
                 WHERE su.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND su.state OPERATOR(pg_catalog.<>) 'terminated'::isms.supplier_state
                   AND su.next_review IS NOT NULL
                UNION ALL
                -- each member's latest completion of an active course, due again
                SELECT 'training', t.course_id, tp.code::text, 'course', c.title, t.due_again,
                       NULL::date, 'completed', t.member::text
                  FROM isms.training_completion t
                  JOIN isms.course c ON c.org_id OPERATOR(pg_catalog.=) t.org_id AND c.course_id OPERATOR(pg_catalog.=) t.course_id
                  JOIN isms.run tr ON tr.org_id OPERATOR(pg_catalog.=) t.org_id AND tr.run_id OPERATOR(pg_catalog.=) t.run_id
                  JOIN isms.process tp ON tp.process_id OPERATOR(pg_catalog.=) tr.process_id
                 WHERE t.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND c.state OPERATOR(pg_catalog.=) 'active'::isms.course_state
                   AND t.due_again IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM isms.training_completion l
                                    WHERE l.org_id OPERATOR(pg_catalog.=) t.org_id
                                      AND l.course_id OPERATOR(pg_catalog.=) t.course_id
                                      AND l.member OPERATOR(pg_catalog.=) t.member
                                      AND l.completed_at OPERATOR(pg_catalog.>) t.completed_at)
                UNION ALL
                -- the next due date of each active schedule after the last one planned
                SELECT 'schedule', s.schedule_id, sp.code::text, sp.key, s.title, n.due,
                       n.due OPERATOR(pg_catalog.-) s.lead_days, 'not planned', s.owner
                  FROM isms.schedule s
                  JOIN isms.process sp ON sp.process_id OPERATOR(pg_catalog.=) s.process_id
                 CROSS JOIN LATERAL (
                        SELECT isms.schedule_due(s.first_due, s.every_months,
                                   COALESCE(isms.schedule_last(s.first_due, s.every_months, pg_catalog.max(sr.due))
                                            OPERATOR(pg_catalog.+) 1, 0)) AS due
                          FROM isms.schedule_run sr
                         WHERE sr.org_id OPERATOR(pg_catalog.=) s.org_id
                           AND sr.schedule_id OPERATOR(pg_catalog.=) s.schedule_id) n
                 WHERE s.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND s.active
                   AND n.due IS NOT NULL
               ) u
         ORDER BY u.due, u.item_type, u.item_id) v;
COMMENT ON VIEW isms_report.due IS
    'Everything with a due date in the caller''s organisations: open runs, document reviews, risk reviews, corrective actions, asset and supplier reviews, training due again, the next unplanned due date of each schedule';
COMMENT ON COLUMN isms_report.due.org_id IS 'The organization';
COMMENT ON COLUMN isms_report.due.item_type IS 'What is due: run, document_review, risk_review, corrective_action, asset_review, supplier_review, training or schedule';
COMMENT ON COLUMN isms_report.due.item_id IS 'Its id: run_id, record_id, risk_id, nonconformity_id, asset_id, supplier_id, course_id or schedule_id';
COMMENT ON COLUMN isms_report.due.process_code IS 'The process (code) the item belongs to: the run''s, the producing run''s, the schedule''s, or that of the run that last changed the register entry';
COMMENT ON COLUMN isms_report.due.subject IS 'The process key (runs, schedules), the work product key (documents), or the register: risk, nonconformity, asset, supplier, course';
COMMENT ON COLUMN isms_report.due.title IS 'Title of the run, document, schedule or register entry (the course, for training)';
COMMENT ON COLUMN isms_report.due.due IS 'The date it is due: the run''s due, the document''s valid_until, the risk''s review_date, the corrective action''s due_date, the asset''s or supplier''s next_review, the completion''s due_again, the schedule''s next due date';
COMMENT ON COLUMN isms_report.due.planned_from IS 'When the work is planned to start: the run''s planned_start, or the day the planner will plan the schedule''s run';
COMMENT ON COLUMN isms_report.due.state IS 'The state of the run, record or register entry; completed for training; not planned for a schedule''s next date';
COMMENT ON COLUMN isms_report.due.owner IS 'Who is responsible: the run''s owner, the document''s author, the entry''s owner, the member to be trained again, the schedule''s owner';

CREATE FUNCTION isms_report.due_within(days integer, as_of date DEFAULT CURRENT_DATE)
    RETURNS TABLE (org_id bigint, item_type text, item_id bigint, process_code text, subject text, title text,
                   due date, planned_from date, state text, owner text, days_left integer)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
    SELECT d.org_id, d.item_type, d.item_id, d.process_code, d.subject, d.title, d.due, d.planned_from,
           d.state, d.owner, d.due OPERATOR(pg_catalog.-) $2
      FROM isms_report.due d
     WHERE d.due OPERATOR(pg_catalog.<=) ($2 OPERATOR(pg_catalog.+) $1)
     ORDER BY d.org_id, d.due, d.item_type, d.item_id;
END
$$;
COMMENT ON FUNCTION isms_report.due_within(integer, date) IS
    'What is due within days of as_of (overdue items included: days_left below 0), from isms_report.due';
GRANT SELECT ON isms_report.due TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
REVOKE ALL ON FUNCTION isms_report.due_within(integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms_report.due_within(integer, date)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
