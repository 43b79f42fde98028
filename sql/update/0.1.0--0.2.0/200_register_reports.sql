-- 200_register_reports: the reports on the risk register and the Statement
-- of Applicability (issue 15, item 8), in isms_report:
--   risk_heat_map             counts per likelihood x impact cell, inherent
--                             and residual, every cell of the scales;
--   risks_above_appetite      risks above the acceptance threshold, with
--                             whether the owner accepted the residual risk;
--   statement_of_applicability the SoA as an auditor prints it, with the
--                             risks naming each control and how the live row
--                             compares with the latest approved snapshot;
--   controls_not_implemented  applicable controls not (yet) implemented,
--                             with the risks that name them.
--
-- They follow docs/reporting.md: org_id first, the caller's memberships
-- (isms.my_organizations) driving one LATERAL subquery per organisation,
-- security_barrier, plain SQL types (enums and regroles as text, a control
-- code as text with its sort key control_sort), a comment on the view and on
-- every column, SELECT for every group role.  Every register table is read
-- by an org-leading key for the organisation only.

-- The sort key of a control code of the SoA: an Annex A control sorts as
-- isms.clause does (isms.clause_sort_key: A.5.2 before A.5.10), an own
-- control after every Annex A control, by its code.
CREATE FUNCTION isms.control_sort_key(control text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN $1 OPERATOR(pg_catalog.~) '^[Aa]\.[0-9]+(\.[0-9]+)*$'
                THEN isms.clause_sort_key(pg_catalog.upper($1)::isms.clause)
                ELSE 'Z.' OPERATOR(pg_catalog.||) $1 END
$$;
COMMENT ON FUNCTION isms.control_sort_key(text) IS
    'Text sort key of a control of the Statement of Applicability: Annex A controls as isms.clause_sort_key (A.5.2 -> A.0005.0002), own controls after them (Z.<code>)';
GRANT EXECUTE ON FUNCTION isms.control_sort_key(text) TO PUBLIC;

CREATE VIEW isms_report.risk_heat_map WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               b.basis,
               l.n AS likelihood,
               c.likelihood_levels[l.n] AS likelihood_label,
               i.n AS impact,
               c.impact_levels[i.n] AS impact_label,
               lv.level,
               lv.level OPERATOR(pg_catalog.>) c.acceptance_threshold AS above_appetite,
               c.acceptance_threshold::integer AS acceptance_threshold,
               COALESCE(k.risks, 0::bigint) AS risks
          FROM isms.risk_criteria c
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) c.org_id
         CROSS JOIN (VALUES ('inherent'::text, 1), ('residual'::text, 2)) b (basis, basis_no)
         CROSS JOIN LATERAL pg_catalog.generate_series(1, pg_catalog.cardinality(c.likelihood_levels)) l (n)
         CROSS JOIN LATERAL pg_catalog.generate_series(1, pg_catalog.cardinality(c.impact_levels)) i (n)
         CROSS JOIN LATERAL (
                SELECT CASE WHEN c.level_rule OPERATOR(pg_catalog.=) 'matrix'
                            THEN c.level_matrix[l.n][i.n]::integer
                            ELSE l.n OPERATOR(pg_catalog.*) i.n END AS level) lv
          LEFT JOIN (
                SELECT r.org_id, x.basis, x.likelihood, x.impact, pg_catalog.count(*) AS risks
                  FROM isms.risk r
                 CROSS JOIN LATERAL (VALUES ('inherent'::text, r.likelihood::integer, r.impact::integer),
                                            ('residual'::text, r.residual_likelihood::integer,
                                             r.residual_impact::integer)) x (basis, likelihood, impact)
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.state OPERATOR(pg_catalog.<>) 'closed'::isms.risk_state
                   AND x.likelihood IS NOT NULL AND x.impact IS NOT NULL
                 GROUP BY r.org_id, x.basis, x.likelihood, x.impact) k
            ON k.org_id OPERATOR(pg_catalog.=) c.org_id AND k.basis OPERATOR(pg_catalog.=) b.basis AND k.likelihood OPERATOR(pg_catalog.=) l.n
           AND k.impact OPERATOR(pg_catalog.=) i.n
         WHERE c.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY b.basis_no, l.n DESC, i.n) v;
COMMENT ON VIEW isms_report.risk_heat_map IS
    'Risk heat map (ISO/IEC 27001 6.1.2): per organization with risk criteria, every likelihood x impact cell of its scales, inherent and residual, with the number of risks not closed in it (0 included)';
COMMENT ON COLUMN isms_report.risk_heat_map.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.risk_heat_map.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.risk_heat_map.basis IS 'inherent (likelihood and impact as assessed) or residual (after the planned treatment)';
COMMENT ON COLUMN isms_report.risk_heat_map.likelihood IS 'Likelihood level of the cell (1 = lowest)';
COMMENT ON COLUMN isms_report.risk_heat_map.likelihood_label IS 'Label of the likelihood level in the organization''s criteria';
COMMENT ON COLUMN isms_report.risk_heat_map.impact IS 'Impact level of the cell (1 = lowest)';
COMMENT ON COLUMN isms_report.risk_heat_map.impact_label IS 'Label of the impact level in the organization''s criteria';
COMMENT ON COLUMN isms_report.risk_heat_map.level IS 'Risk level of the cell by the organization''s rule (likelihood x impact, or its level matrix)';
COMMENT ON COLUMN isms_report.risk_heat_map.above_appetite IS 'Whether the cell''s level is above the acceptance threshold';
COMMENT ON COLUMN isms_report.risk_heat_map.acceptance_threshold IS 'The organization''s acceptance threshold (risk appetite): the highest level within appetite';
COMMENT ON COLUMN isms_report.risk_heat_map.risks IS 'Number of risks not closed in the cell (residual: risks with residual likelihood and impact)';

CREATE VIEW isms_report.risks_above_appetite WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               r.risk_id,
               r.title,
               r.owner::text AS owner,
               r.state::text AS state,
               r.likelihood::integer AS likelihood,
               r.impact::integer AS impact,
               r.level::integer AS level,
               r.residual_level::integer AS residual_level,
               c.acceptance_threshold::integer AS acceptance_threshold,
               r.treatment::text AS treatment,
               r.controls,
               r.state OPERATOR(pg_catalog.=) 'accepted'::isms.risk_state AS accepted,
               r.accepted_by::text AS accepted_by,
               r.review_date
          FROM isms.risk r
          JOIN isms.risk_criteria c ON c.org_id OPERATOR(pg_catalog.=) r.org_id
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) r.org_id
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.<>) 'closed'::isms.risk_state
           AND CASE WHEN r.state OPERATOR(pg_catalog.=) 'accepted'::isms.risk_state
                    THEN r.residual_level OPERATOR(pg_catalog.>) c.acceptance_threshold
                    ELSE r.level OPERATOR(pg_catalog.>) c.acceptance_threshold
                      OR r.residual_level OPERATOR(pg_catalog.>) c.acceptance_threshold END
         ORDER BY COALESCE(r.residual_level, r.level) DESC, r.level DESC, r.risk_id) v;
COMMENT ON VIEW isms_report.risks_above_appetite IS
    'Risks not closed above the acceptance threshold (ISO/IEC 27001 6.1.3): not accepted, with a level or a planned residual level above it (accepted false: the risk lead''s open list), or accepted by the owner with the residual level above it (accepted true)';
COMMENT ON COLUMN isms_report.risks_above_appetite.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.risks_above_appetite.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.risks_above_appetite.risk_id IS 'The risk';
COMMENT ON COLUMN isms_report.risks_above_appetite.title IS 'Title of the risk';
COMMENT ON COLUMN isms_report.risks_above_appetite.owner IS 'The risk owner (login role), who alone accepts the risk';
COMMENT ON COLUMN isms_report.risks_above_appetite.state IS 'State of the risk: identified, analysed, evaluated, treatment_planned or accepted';
COMMENT ON COLUMN isms_report.risks_above_appetite.likelihood IS 'Inherent likelihood level';
COMMENT ON COLUMN isms_report.risks_above_appetite.impact IS 'Inherent impact level';
COMMENT ON COLUMN isms_report.risks_above_appetite.level IS 'Inherent risk level';
COMMENT ON COLUMN isms_report.risks_above_appetite.residual_level IS 'Residual risk level after the planned treatment (NULL: no treatment planned)';
COMMENT ON COLUMN isms_report.risks_above_appetite.acceptance_threshold IS 'The organization''s acceptance threshold (risk appetite)';
COMMENT ON COLUMN isms_report.risks_above_appetite.treatment IS 'Treatment option planned: modify, retain, avoid or share (NULL: none yet)';
COMMENT ON COLUMN isms_report.risks_above_appetite.controls IS 'Treating controls named by the risk (codes of the Statement of Applicability)';
COMMENT ON COLUMN isms_report.risks_above_appetite.accepted IS 'Whether the risk owner accepted the treatment and the residual risk';
COMMENT ON COLUMN isms_report.risks_above_appetite.accepted_by IS 'Who accepted the residual risk (the owner at the time; NULL: not accepted)';
COMMENT ON COLUMN isms_report.risks_above_appetite.review_date IS 'When the risk is to be reviewed next (NULL: not set)';

CREATE VIEW isms_report.statement_of_applicability WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               s.control,
               isms.control_sort_key(s.control) AS control_sort,
               COALESCE(s.title, c.title) AS title,
               COALESCE(c.theme, 'own') AS theme,
               s.applicable,
               s.justification,
               s.status::text AS status,
               s.owner::text AS owner,
               COALESCE(k.risks, 0::bigint) AS risks,
               a.record_id AS approved_record_id,
               a.approved_at,
               CASE WHEN a.record_id IS NOT NULL
                    THEN e.entry IS NULL
                      OR (e.entry OPERATOR(pg_catalog.->>) 'applicable') IS DISTINCT FROM s.applicable::text
                      OR (e.entry OPERATOR(pg_catalog.->>) 'justification') IS DISTINCT FROM s.justification
                      OR (e.entry OPERATOR(pg_catalog.->>) 'status') IS DISTINCT FROM s.status::text
                      OR (e.entry OPERATOR(pg_catalog.->>) 'owner') IS DISTINCT FROM s.owner::text
                      OR (e.entry OPERATOR(pg_catalog.->>) 'title') IS DISTINCT FROM s.title END AS changed_since_approval
          FROM isms.soa s
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) s.org_id
          LEFT JOIN isms.iso27001_clause c
            ON c.theme IS NOT NULL AND c.clause::text OPERATOR(pg_catalog.=) pg_catalog.upper(s.control)
          LEFT JOIN (
                SELECT r.org_id, u.control, pg_catalog.count(DISTINCT r.risk_id) AS risks
                  FROM isms.risk r
                 CROSS JOIN LATERAL pg_catalog.unnest(r.controls) u (control)
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.state OPERATOR(pg_catalog.<>) 'closed'::isms.risk_state
                 GROUP BY r.org_id, u.control) k
            ON k.org_id OPERATOR(pg_catalog.=) s.org_id AND k.control OPERATOR(pg_catalog.=) s.control
          LEFT JOIN LATERAL (
                SELECT rec.record_id, rec.approved_at, rec.content
                  FROM isms.record rec
                  JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) rec.work_product_id
                 WHERE rec.org_id OPERATOR(pg_catalog.=) s.org_id
                   AND wp.key OPERATOR(pg_catalog.=) 'statement_of_applicability' AND wp.org_id IS NULL
                   AND rec.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])
                   AND (rec.content OPERATOR(pg_catalog.->>) 'format') OPERATOR(pg_catalog.=) 'isms-snapshot-v1'
                 ORDER BY rec.approved_at DESC, rec.record_id DESC
                 LIMIT 1) a ON true
          LEFT JOIN LATERAL (
                SELECT x.entry
                  FROM pg_catalog.jsonb_array_elements(a.content OPERATOR(pg_catalog.->) 'entries') x (entry)
                 WHERE (x.entry OPERATOR(pg_catalog.->>) 'control') OPERATOR(pg_catalog.=) s.control) e ON true
         WHERE s.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY isms.control_sort_key(s.control)) v;
COMMENT ON VIEW isms_report.statement_of_applicability IS
    'The Statement of Applicability (ISO/IEC 27001 6.1.3 d) as an auditor prints it: every control of the organization''s SoA, included or excluded with the justification, its status and owner, how many open risks it treats, and whether the live entry differs from the latest approved SoA record';
COMMENT ON COLUMN isms_report.statement_of_applicability.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.statement_of_applicability.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.statement_of_applicability.control IS 'The control: an Annex A control (A.5.1 .. A.8.34) or the code of an own control';
COMMENT ON COLUMN isms_report.statement_of_applicability.control_sort IS 'Sort key of the control (isms.control_sort_key): Annex A in the standard''s order, own controls after them';
COMMENT ON COLUMN isms_report.statement_of_applicability.title IS 'Title of the control: the catalog''s for Annex A, the organization''s own otherwise';
COMMENT ON COLUMN isms_report.statement_of_applicability.theme IS 'Annex A theme (organizational, people, physical, technological), or own for the organization''s own controls';
COMMENT ON COLUMN isms_report.statement_of_applicability.applicable IS 'Whether the control is included (true) or excluded (false)';
COMMENT ON COLUMN isms_report.statement_of_applicability.justification IS 'Why the control is included or excluded';
COMMENT ON COLUMN isms_report.statement_of_applicability.status IS 'Implementation status: not_implemented, planned, partially_implemented or implemented';
COMMENT ON COLUMN isms_report.statement_of_applicability.owner IS 'Who is responsible for the control (login role; NULL: nobody named)';
COMMENT ON COLUMN isms_report.statement_of_applicability.risks IS 'Number of risks not closed that name the control among their treating controls';
COMMENT ON COLUMN isms_report.statement_of_applicability.approved_record_id IS 'The latest approved (or since superseded) Statement of Applicability record, a snapshot of the register (NULL: none yet)';
COMMENT ON COLUMN isms_report.statement_of_applicability.approved_at IS 'When that record was approved';
COMMENT ON COLUMN isms_report.statement_of_applicability.changed_since_approval IS 'Whether the live entry differs from that record (missing from it, or another applicability, justification, status, owner or title); NULL without an approved record';

CREATE VIEW isms_report.controls_not_implemented WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT og.name AS organization,
               s.control,
               isms.control_sort_key(s.control) AS control_sort,
               COALESCE(s.title, c.title) AS title,
               COALESCE(c.theme, 'own') AS theme,
               s.status::text AS status,
               s.owner::text AS owner,
               s.justification,
               COALESCE(k.risks, 0::bigint) AS risks,
               COALESCE(k.risk_ids, '{}'::bigint[]) AS risk_ids,
               COALESCE(k.risk_titles, '{}'::text[]) AS risk_titles,
               k.highest_level
          FROM isms.soa s
          JOIN isms.organization og ON og.org_id OPERATOR(pg_catalog.=) s.org_id
          LEFT JOIN isms.iso27001_clause c
            ON c.theme IS NOT NULL AND c.clause::text OPERATOR(pg_catalog.=) pg_catalog.upper(s.control)
          LEFT JOIN (
                SELECT r.org_id, u.control, pg_catalog.count(*) AS risks,
                       pg_catalog.array_agg(r.risk_id ORDER BY r.risk_id) AS risk_ids,
                       pg_catalog.array_agg(r.title ORDER BY r.risk_id) AS risk_titles,
                       pg_catalog.max(r.level)::integer AS highest_level
                  FROM isms.risk r
                 CROSS JOIN LATERAL (SELECT DISTINCT x.control FROM pg_catalog.unnest(r.controls) x (control)) u
                 WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                   AND r.state OPERATOR(pg_catalog.<>) 'closed'::isms.risk_state
                 GROUP BY r.org_id, u.control) k
            ON k.org_id OPERATOR(pg_catalog.=) s.org_id AND k.control OPERATOR(pg_catalog.=) s.control
         WHERE s.org_id OPERATOR(pg_catalog.=) o.org_id
           AND s.applicable
           AND s.status OPERATOR(pg_catalog.<>) 'implemented'::isms.control_status
         ORDER BY isms.control_sort_key(s.control)) v;
COMMENT ON VIEW isms_report.controls_not_implemented IS
    'Applicable controls of the Statement of Applicability that are not implemented (not_implemented, planned, partially_implemented), with the open risks that name them: the treatment still to implement (ISO/IEC 27001 6.1.3 e, 8.3)';
COMMENT ON COLUMN isms_report.controls_not_implemented.org_id IS 'Organization';
COMMENT ON COLUMN isms_report.controls_not_implemented.organization IS 'Name of the organization';
COMMENT ON COLUMN isms_report.controls_not_implemented.control IS 'The control: an Annex A control or the code of an own control';
COMMENT ON COLUMN isms_report.controls_not_implemented.control_sort IS 'Sort key of the control (isms.control_sort_key): Annex A in the standard''s order, own controls after them';
COMMENT ON COLUMN isms_report.controls_not_implemented.title IS 'Title of the control: the catalog''s for Annex A, the organization''s own otherwise';
COMMENT ON COLUMN isms_report.controls_not_implemented.theme IS 'Annex A theme, or own for the organization''s own controls';
COMMENT ON COLUMN isms_report.controls_not_implemented.status IS 'Implementation status: not_implemented, planned or partially_implemented';
COMMENT ON COLUMN isms_report.controls_not_implemented.owner IS 'Who is responsible for the control (login role; NULL: nobody named)';
COMMENT ON COLUMN isms_report.controls_not_implemented.justification IS 'Why the control is included';
COMMENT ON COLUMN isms_report.controls_not_implemented.risks IS 'Number of risks not closed that name the control among their treating controls';
COMMENT ON COLUMN isms_report.controls_not_implemented.risk_ids IS 'Those risks, by id';
COMMENT ON COLUMN isms_report.controls_not_implemented.risk_titles IS 'Titles of those risks, in the order of risk_ids';
COMMENT ON COLUMN isms_report.controls_not_implemented.highest_level IS 'The highest inherent level among those risks (NULL: no risk names the control)';

GRANT SELECT ON isms_report.risk_heat_map, isms_report.risks_above_appetite,
    isms_report.statement_of_applicability, isms_report.controls_not_implemented
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
