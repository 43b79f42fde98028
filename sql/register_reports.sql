-- The register reports (issue 15, item 8; 200_register_reports.sql): the
-- risk heat map (every cell of the scales, inherent and residual, closed
-- risks left out), the risks above appetite (open ones and the residual
-- risks owners accepted above it), the Statement of Applicability as an
-- auditor prints it (with the risks naming each control and what changed
-- since the approved snapshot) and the controls not implemented; read as
-- tenant roles: a reader of one organisation, an admin of another, a
-- member of nothing.  Plain SQL types, comments, plans that start from the
-- caller's memberships.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_rep_lead LOGIN IN ROLE isms_admin;
CREATE ROLE regress_rep_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_rep_owner LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_rep_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_rep_other LOGIN IN ROLE isms_admin;
CREATE ROLE regress_rep_nobody LOGIN IN ROLE isms_reader;
SELECT pg_temp.name('organization', create_organization('Reports Ltd', 'regress_rep_lead'), 'org') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Reports Ltd', 'regress_rep_other'), 'other') AS other \gset
SELECT add_member(:org, 'regress_rep_approver', 'manager'), add_member(:org, 'regress_rep_owner', 'contributor'),
       add_member(:org, 'regress_rep_reader', 'reader');

-- Publish a record (the writer submits, the approver approves), start and
-- perform runs: test/lib/register_runs.sql.
SET regress.approver = regress_rep_approver;
\i test/lib/register_runs.sql

-- Reports Ltd: context, requirements and a first (empty) risk assessment
-- done; a risk assessment (7.4) and a risk treatment (7.5) run active.
SET ROLE regress_rep_lead;
SELECT pg_temp.publish(new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.perform(:org, '6.2', '{5}') IS NOT NULL AS governance, pg_temp.perform(:org, '7.3') IS NOT NULL AS requirements,
       pg_temp.perform(:org, '7.4') IS NOT NULL AS assessed;
SELECT pg_temp.name('run', pg_temp.start(:org, '7.4'), 'ra') AS ra \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '7.5'), 'rt') AS rt \gset

-- Criteria of 3 x 3 levels, level = likelihood x impact, appetite 3.
SELECT set_risk_criteria(:ra, '{rare,possible,likely}', '{minor,major,severe}', 3);
-- Six risks: A treated and accepted within appetite; B evaluated, above;
-- C retained above appetite and accepted by its owner (the lead); D
-- closed; E identified, not rated; F treated within appetite, not yet
-- accepted.
SELECT pg_temp.name('risk', add_risk(:ra, 'A: phishing', 'regress_rep_owner'), 'A') AS a,
       pg_temp.name('risk', add_risk(:ra, 'B: ransomware', 'regress_rep_owner'), 'B') AS b,
       pg_temp.name('risk', add_risk(:ra, 'C: supplier outage'), 'C') AS c,
       pg_temp.name('risk', add_risk(:ra, 'D: office flood', 'regress_rep_owner'), 'D') AS d,
       pg_temp.name('risk', add_risk(:ra, 'E: insider', 'regress_rep_owner'), 'E') AS e,
       pg_temp.name('risk', add_risk(:ra, 'F: lost laptop', 'regress_rep_owner'), 'F') AS f \gset
SELECT assess_risk(:ra, r, l, i)
  FROM (VALUES (:a, 3, 3), (:b, 2, 3), (:c, 3, 2), (:d, 1, 1), (:f, 2, 2)) AS x (r, l, i) ORDER BY r;
SELECT evaluate_risk(:ra, r) FROM unnest(ARRAY[:a, :b, :c, :f]::bigint[]) AS r ORDER BY r;
SELECT close_risk(:ra, :d, 'The office moved to the third floor');
-- The SoA: every Annex A control justified, A.7.12 excluded, an own
-- control; A.8.5 implemented, A.5.15 planned, OWN-1 partially.
SELECT soa_init(:rt);
UPDATE soa SET justification = 'Baseline of the certification scope', run_id = :rt
 WHERE org_id = :org AND justification = soa_placeholder();
SELECT soa_set(:rt, 'A.7.12', false, 'No cabling of our own: a serviced office');
SELECT soa_set(:rt, 'A.8.5', true, 'Treats phishing', 'implemented', 'regress_rep_owner');
SELECT soa_set(:rt, 'A.5.15', true, 'Treats the lost laptop', 'planned');
SELECT soa_set(:rt, 'OWN-1', true, 'Customers demand it', 'partially_implemented', title => 'Laptops encrypted at rest');
SELECT plan_treatment(:rt, :a, 'modify', '{A.8.5}', 1, 2);
SELECT plan_treatment(:rt, :c, 'retain');
SELECT plan_treatment(:rt, :f, 'modify', '{A.5.15,OWN-1}', 2, 1);
SELECT accept_risk(:rt, :c);
SET ROLE regress_rep_owner;
SELECT accept_risk(:rt, :a);
-- The SoA record: the snapshot at submission, approved.
SET ROLE regress_rep_lead;
SELECT pg_temp.name('record', new_record(:rt, 'statement_of_applicability', 'SoA'), 'soa') AS soa \gset
SELECT pg_temp.publish(:soa) IS NOT NULL AS soa_approved;
-- After the approval the live SoA moves on: A.5.15 implemented.
SELECT soa_set(:rt, 'A.5.15', true, 'Treats the lost laptop', 'implemented');
RESET ROLE;

-- Other Reports Ltd: its own criteria (a level matrix), one risk.
SET ROLE regress_rep_other;
SELECT add_member(:other, 'regress_rep_approver', 'manager');
SELECT pg_temp.publish(new_external_record(:other, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.name('run', pg_temp.start(:other, '6.2'), 'other_gov') AS other_gov \gset
SELECT set_risk_criteria(:other_gov, '{low,high}', '{low,high}', 2, '{{1,2},{2,4}}');
RESET ROLE;

-- The heat map of Reports Ltd as its reader: 9 cells each, inherent and
-- residual; D (closed) and E (not rated) in no cell.
SET ROLE regress_rep_reader;
SELECT organization, basis, likelihood, likelihood_label, impact, impact_label, level, above_appetite,
       acceptance_threshold, risks
  FROM isms_report.risk_heat_map ORDER BY org_id, basis, likelihood DESC, impact;
-- Risks above appetite: B (open, 6 > 3), C (accepted, residual 6 > 3), F
-- (not yet accepted: inherent 4 > 3 though its residual is 2); A is
-- accepted within appetite.
SELECT title, owner, state, likelihood, impact, level, residual_level, acceptance_threshold, treatment,
       controls, accepted, accepted_by, review_date
  FROM isms_report.risks_above_appetite ORDER BY risk_id;
-- The SoA: 94 rows, Annex A in the standard's order, the own control last.
SELECT count(*) AS controls, count(*) FILTER (WHERE applicable) AS applicable,
       count(*) FILTER (WHERE NOT applicable) AS excluded,
       count(*) FILTER (WHERE status = 'implemented') AS implemented,
       count(*) FILTER (WHERE changed_since_approval) AS changed,
       count(DISTINCT approved_record_id) AS approved_records
  FROM isms_report.statement_of_applicability;
SELECT control, control_sort, title, theme, applicable, justification, status, owner, risks,
       approved_record_id = :soa AS approved_is_soa, changed_since_approval
  FROM isms_report.statement_of_applicability
 WHERE control IN ('A.5.1', 'A.5.2', 'A.5.10', 'A.5.15', 'A.7.12', 'A.8.5', 'A.8.34', 'OWN-1')
 ORDER BY control_sort;
SELECT string_agg(control, ' ' ORDER BY control_sort) FILTER (WHERE control_sort < 'A.0005.0004' OR control_sort > 'A.0008.0033') AS order_ends
  FROM isms_report.statement_of_applicability;
-- Controls not implemented: 91 of the 93 applicable (A.8.5 is implemented,
-- A.5.15 since the approval); OWN-1 partially, named by F.
SELECT count(*) AS not_implemented FROM isms_report.controls_not_implemented;
SELECT control, title, theme, status, owner, risks, risk_ids = ARRAY[:f]::bigint[] AS risk_is_f, risk_titles, highest_level
  FROM isms_report.controls_not_implemented WHERE risks > 0 OR control IN ('A.5.1', 'A.7.12') ORDER BY control_sort;
RESET ROLE;

-- Tenancy: the other organisation's admin sees its own 2 x 2 matrix and no
-- risk; a member of nothing and the superuser (a member of nothing) see
-- nothing.
SET ROLE regress_rep_other;
SELECT organization, basis, likelihood, impact, level, above_appetite, risks
  FROM isms_report.risk_heat_map ORDER BY basis, likelihood DESC, impact;
SELECT (SELECT count(*) FROM isms_report.risks_above_appetite) AS above,
       (SELECT count(*) FROM isms_report.statement_of_applicability) AS soa,
       (SELECT count(*) FROM isms_report.controls_not_implemented) AS not_implemented;
SET ROLE regress_rep_nobody;
SELECT (SELECT count(*) FROM isms_report.risk_heat_map) AS heat_map,
       (SELECT count(*) FROM isms_report.risks_above_appetite) AS above,
       (SELECT count(*) FROM isms_report.statement_of_applicability) AS soa,
       (SELECT count(*) FROM isms_report.controls_not_implemented) AS not_implemented;
RESET ROLE;
SELECT (SELECT count(*) FROM isms_report.risk_heat_map) AS heat_map,
       (SELECT count(*) FROM isms_report.statement_of_applicability) AS soa;

-- Conventions (docs/reporting.md): every column of a pg_catalog type and
-- commented, the views commented, security_barrier; org_id first.
SELECT c.relname AS view, count(*) AS columns,
       bool_and(t.typnamespace = 'pg_catalog'::regnamespace) AS plain_types,
       bool_and(col_description(c.oid, a.attnum) IS NOT NULL) AS columns_commented,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS view_commented,
       c.reloptions AS options,
       min(a.attname) FILTER (WHERE a.attnum = 1) AS first_column
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relnamespace = 'isms_report'::regnamespace
   AND c.relname IN ('risk_heat_map', 'risks_above_appetite', 'statement_of_applicability', 'controls_not_implemented')
 GROUP BY c.oid, c.relname ORDER BY c.relname;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = 'isms_report.statement_of_applicability'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- The plan as the reader: a nested loop over the caller's memberships, the
-- registers read for that organisation.
CREATE FUNCTION pg_temp.plan_starts(view text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    line text;
    lines text[] := '{}';
BEGIN
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT * FROM isms_report.%I', view) LOOP
        lines := lines || line;
    END LOOP;
    RETURN concat_ws(' / ', btrim(lines[1]),
                     (SELECT btrim(regexp_replace(l, '^[ >-]*', '')) FROM unnest(lines) l
                       WHERE l ~ 'my_organizations' LIMIT 1));
END
$$;
SET ROLE regress_rep_reader;
SELECT v, pg_temp.plan_starts(v)
  FROM unnest('{risk_heat_map,risks_above_appetite,statement_of_applicability,controls_not_implemented}'::text[]) v;
RESET ROLE;

SELECT valid FROM verify_events(:org);

DROP OWNED BY regress_rep_lead, regress_rep_approver, regress_rep_owner, regress_rep_reader, regress_rep_other,
    regress_rep_nobody;
DROP ROLE regress_rep_lead, regress_rep_approver, regress_rep_owner, regress_rep_reader, regress_rep_other,
    regress_rep_nobody;
