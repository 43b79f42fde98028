-- 100_catalog: corrections of the shipped catalog (issue 15, item 7).
--
-- Eight titles brought back to the published ISO/IEC 27001:2022 meaning; the
-- ISMS-level risks and opportunities (6.1.1) and threat intelligence (A.5.7)
-- as work products; the management review (6.2) accepts every input 9.3.2
-- names; Annex A controls referenced where a process of the PRM performs
-- them; process outcomes (ISO/IEC 33004), on which PA 1.1 is now derived.
-- (isms_report.management_review_inputs maps 9.3.2 d 4 to the objectives:
-- 090_views.sql.)
--
-- Ids of shipped rows added after 0.1.0 are negative and explicit (counting
-- down from -1): organisations' tailoring draws positive ids from the
-- identity sequences, which pg_dump carries over, so a shipped row added by
-- an upgrade gets the same id in an upgraded and in a fresh database and can
-- never take an id an organisation's row already holds.

-- Titles: where our short title drifted from what the clause or control is.
UPDATE isms.iso27001_clause c
   SET title = v.title
  FROM (VALUES
        ('4.4',    'Information security management system'),
        ('9.2.1',  'General'),
        ('9.3.2',  'Management review inputs'),
        ('9.3.3',  'Management review results'),
        ('A.5.6',  'Contact with special interest groups'),
        ('A.5.15', 'Access control'),
        ('A.8.16', 'Monitoring activities'),
        ('A.8.33', 'Test information')
       ) AS v (clause, title)
 WHERE c.clause OPERATOR(isms.=) v.clause::isms.clause;
COMMENT ON TABLE isms.iso27001_clause IS
    'ISO/IEC 27001:2022 clauses 4.1-10.2 (with subclauses) and the 93 Annex A controls (short titles in our own words where they keep the published meaning, else the published titles)';

-- Two work products: the ISMS's own risks and opportunities (6.1.1), an
-- output of the governance interface, and threat intelligence (A.5.7),
-- which comes from outside (feeds, authorities, special interest groups).
INSERT INTO isms.work_product (work_product_id, key, name, kind, origin, review_months, retention_months)
VALUES (-1, 'isms_risks_opportunities', 'Risks and opportunities of the ISMS and the actions planned to address them',
        'document', 'process', 12, 36),
       (-2, 'threat_intelligence', 'Threat intelligence: information about threats, collected and analysed',
        'record', 'external', NULL, 36);
INSERT INTO isms.work_product_reference (work_product_id, clause)
SELECT w.work_product_id, v.clause::isms.clause
  FROM (VALUES
        ('isms_risks_opportunities',   '6.1.1'),
        ('threat_intelligence',        'A.5.7'),
        ('roles_and_responsibilities', 'A.5.2'),
        ('roles_and_responsibilities', 'A.5.3'),
        ('audit_report',               'A.5.35')
       ) AS v (key, clause)
  JOIN isms.work_product w ON w.key OPERATOR(pg_catalog.=) v.key AND w.org_id IS NULL;

-- 6.2 determines the ISMS-level risks and opportunities when it sets the
-- objectives (activity 4).  Optional: 6.1.1 asks for no documented
-- information, so a run is not blocked; outcome 4 of 6.2 shows it missing.
INSERT INTO isms.process_output (process_output_id, process_id, work_product_id, required, activity_no)
SELECT -1, p.process_id, w.work_product_id, false, 4
  FROM isms.process p, isms.work_product w
 WHERE p.code OPERATOR(isms.=) '6.2' AND p.org_id IS NULL
   AND w.key OPERATOR(pg_catalog.=) 'isms_risks_opportunities' AND w.org_id IS NULL;

-- Inputs, all optional: what the management review considers (9.3.2 a-g)
-- that 6.2 did not accept, and where the new work products are used.
INSERT INTO isms.process_input (process_input_id, process_id, work_product_id, requirement, note)
SELECT v.id, p.process_id, w.work_product_id, 'optional', v.note
  FROM (VALUES
        (-1, '6.2',  'management_review_results',   'the previous review: status of its actions (9.3.2 a)'),
        (-2, '6.2',  'interested_parties_register', 'changes in interested parties'' needs and expectations (9.3.2 c)'),
        (-3, '6.2',  'nonconformity',               'nonconformities (9.3.2 d 1)'),
        (-4, '6.2',  'measurement_results',         'monitoring and measurement results (9.3.2 d 2)'),
        (-5, '6.2',  'security_objectives',         'the objectives in force, whose fulfilment is reviewed (9.3.2 d 4)'),
        (-6, '6.2',  'risk_register',               'results of risk assessment (9.3.2 f)'),
        (-7, '6.2',  'risk_treatment_plan',         'status of the risk treatment plan (9.3.2 f)'),
        (-8, '7.4',  'threat_intelligence',         'threats to consider when identifying risks (A.5.7)'),
        (-9, '7.4',  'isms_risks_opportunities',    'risks to the ISMS''s intended outcomes (6.1.1)'),
        (-10, '7.6', 'isms_risks_opportunities',    'actions to integrate into the ISMS processes (6.1.1 e 1)'),
        (-11, '7.12', 'isms_risks_opportunities',   'actions whose effectiveness is evaluated (6.1.1 e 2)')
       ) AS v (id, code, key, note)
  JOIN isms.process p ON p.code OPERATOR(isms.=) v.code::isms.clause AND p.org_id IS NULL
  JOIN isms.work_product w ON w.key OPERATOR(pg_catalog.=) v.key AND w.org_id IS NULL;

-- Annex A controls a process of the PRM performs (organisational and people
-- controls that are management activities with inputs and outputs, and the
-- two technological ones that are: A.8.30 outsourced development, A.8.34
-- audit tests).  The others are implemented, not processed: the SoA (7.5)
-- and implementation management (7.6) handle them as a whole.
INSERT INTO isms.process_reference (process_id, clause)
SELECT p.process_id, v.clause::isms.clause
  FROM (VALUES
        ('6.2',  'A.5.2'), ('6.2', 'A.5.3'), ('6.2', 'A.5.4'),
        ('7.4',  'A.5.7'),
        ('7.7',  'A.8.30'),
        ('7.8',  'A.6.4'),
        ('7.9',  'A.5.5'), ('7.9', 'A.5.6'),
        ('7.10', 'A.5.8'),
        ('7.11', 'A.5.35'), ('7.11', 'A.8.34'),
        ('7.12', 'A.5.36'),
        ('8.4',  'A.5.5'), ('8.4', 'A.5.6')
       ) AS v (code, clause)
  JOIN isms.process p ON p.code OPERATOR(isms.=) v.code::isms.clause AND p.org_id IS NULL;
INSERT INTO isms.activity_reference (activity_id, clause)
SELECT a.activity_id, v.clause::isms.clause
  FROM (VALUES
        ('6.2',  3, 'A.5.2'), ('6.2', 3, 'A.5.3'),
        ('6.2',  4, '6.1.1'),
        ('7.4',  2, 'A.5.7'),
        ('7.9',  3, 'A.5.5'),
        ('7.10', 2, 'A.5.8'),
        ('7.11', 3, 'A.5.35'), ('7.11', 3, 'A.8.34'),
        ('7.12', 2, 'A.5.36'),
        ('8.4',  1, 'A.5.5'), ('8.4', 1, 'A.5.6')
       ) AS v (code, activity_no, clause)
  JOIN isms.process p ON p.code OPERATOR(isms.=) v.code::isms.clause AND p.org_id IS NULL
  JOIN isms.activity a
    ON a.process_id OPERATOR(pg_catalog.=) p.process_id AND a.org_id IS NULL
   AND a.activity_no OPERATOR(pg_catalog.=) v.activity_no;

-- Process outcomes (ISO/IEC 33004: a PRM process has a purpose and
-- outcomes), each with the output work product that evidences it.
CREATE TABLE isms.process_outcome (
    process_id       integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    outcome_no       integer NOT NULL CHECK (outcome_no BETWEEN 1 AND 99),
    text             text NOT NULL CHECK (text OPERATOR(pg_catalog.~) '[^[:space:]]'),
    work_product_id  integer REFERENCES isms.work_product,
    PRIMARY KEY (process_id, outcome_no)
);
CREATE INDEX ON isms.process_outcome (work_product_id);
COMMENT ON TABLE isms.process_outcome IS
    'Outcomes of the PRM''s processes (ISO/IEC TS 27022, in our own words): what performing the process achieves; PA 1.1 is rated on them (isms.derived_ratings)';
COMMENT ON COLUMN isms.process_outcome.work_product_id IS
    'The output work product whose approved record, produced or confirmed by a completed run, evidences the outcome (NULL: the completed run itself)';
-- Like every catalog table: a change invalidates the backends' model cache,
-- and TRUNCATE is refused (050_tamper).
CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.process_outcome
    FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger();
CREATE TRIGGER process_outcome_no_truncate BEFORE TRUNCATE ON isms.process_outcome
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();
GRANT SELECT ON isms.process_outcome TO isms_contributor, isms_auditor;

INSERT INTO isms.process_outcome (process_id, outcome_no, text, work_product_id)
SELECT p.process_id, v.outcome_no, v.text, w.work_product_id
  FROM (VALUES
    ('6.2',  1, 'The internal and external issues relevant to the ISMS are determined.', 'context_analysis'),
    ('6.2',  2, 'The boundaries and applicability of the ISMS are determined as its scope.', 'isms_scope'),
    ('6.2',  3, 'Roles, responsibilities and authorities for information security are assigned and communicated.', 'roles_and_responsibilities'),
    ('6.2',  4, 'The risks and opportunities of the ISMS are determined and actions to address them are planned.', 'isms_risks_opportunities'),
    ('6.2',  5, 'Information security objectives consistent with the policy are set, with plans to achieve them.', 'security_objectives'),
    ('6.2',  6, 'Criteria for accepting risks and for performing risk assessments are established.', 'risk_criteria'),
    ('6.2',  7, 'Top management reviews the ISMS at planned intervals and decides on improvements and changes.', 'management_review_results'),
    ('7.2',  1, 'An information security policy that fits the organisation''s purpose is approved by top management, communicated and available.', 'security_policy'),
    ('7.2',  2, 'Topic-specific policies are approved, communicated and reviewed at planned intervals.', 'topic_specific_policy'),
    ('7.3',  1, 'The interested parties relevant to the ISMS and their requirements are known.', 'interested_parties_register'),
    ('7.3',  2, 'Legal, regulatory and contractual requirements are identified and kept up to date.', 'requirements_register'),
    ('7.3',  3, 'The requirements the ISMS addresses are decided and available to the processes that depend on them.', 'requirements_register'),
    ('7.4',  1, 'Information security risks within the scope are identified, each with an owner.', 'risk_register'),
    ('7.4',  2, 'Risks are analysed and evaluated against the risk criteria and prioritised for treatment.', 'risk_register'),
    ('7.4',  3, 'Assessment results are documented and consistent, valid and comparable from one assessment to the next.', 'risk_assessment_report'),
    ('7.5',  1, 'Treatment options and the controls they need are chosen, and a risk treatment plan is formulated.', 'risk_treatment_plan'),
    ('7.5',  2, 'The controls are compared with Annex A and the Statement of Applicability justifies every inclusion and exclusion.', 'statement_of_applicability'),
    ('7.5',  3, 'Risk owners approve the plan and accept the residual risks.', 'risk_acceptance'),
    ('7.6',  1, 'The risk treatment plan and approved changes are implemented, with evidence that the controls operate as intended.', 'implementation_record'),
    ('7.6',  2, 'Operating procedures for the implemented controls are documented and available to those who need them.', 'operating_procedure'),
    ('7.7',  1, 'Outsourced processes and the suppliers that matter to information security are identified and under control.', 'supplier_register'),
    ('7.7',  2, 'Information security requirements are agreed with each of those suppliers.', 'supplier_agreement'),
    ('7.7',  3, 'Supplier services are monitored and reviewed, and changes to them are managed.', 'supplier_review'),
    ('7.8',  1, 'The competence needed by people whose work affects information security is determined.', 'competence_requirements'),
    ('7.8',  2, 'Awareness, education and training on the policy, each person''s contribution and the implications of not conforming are planned and delivered.', 'awareness_programme'),
    ('7.8',  3, 'People are competent, the effectiveness of actions taken is evaluated and evidence is retained.', 'competence_evidence'),
    ('7.9',  1, 'Information security events are reported and assessed, and incidents are responded to consistently.', 'incident_record'),
    ('7.9',  2, 'What is learned from incidents is used to strengthen the controls.', 'lessons_learned'),
    ('7.10', 1, 'The impact and risks of each requested change are assessed before it is decided.', 'change_assessment'),
    ('7.10', 2, 'Approved changes are carried out as planned and their unintended consequences are reviewed.', 'change_record'),
    ('7.11', 1, 'An audit programme with frequency, methods, responsibilities and reporting is planned and maintained.', 'audit_programme'),
    ('7.11', 2, 'Audits are conducted objectively and impartially against defined criteria and scope, and their results reach relevant management.', 'audit_report'),
    ('7.12', 1, 'What is monitored and measured, how, when and by whom is determined.', 'measurement_plan'),
    ('7.12', 2, 'Monitoring and measurement results are collected, analysed and evaluated.', 'measurement_results'),
    ('7.12', 3, 'Information security performance and the effectiveness of the ISMS are reported.', 'performance_report'),
    ('7.13', 1, 'Nonconformities are controlled and corrected, their causes removed by corrective actions whose effectiveness is reviewed.', 'corrective_action_record'),
    ('7.13', 2, 'Opportunities to improve the suitability, adequacy and effectiveness of the ISMS are identified and acted on.', 'improvement_proposal'),
    ('8.2',  1, 'The documented information the ISMS needs is identified, with rules for its format, review and approval.', 'document_register'),
    ('8.2',  2, 'Documented information is available where needed and protected against loss of confidentiality, improper use and loss of integrity.', NULL),
    ('8.2',  3, 'Retention and disposal of documented information are defined and applied.', 'retention_schedule'),
    ('8.3',  1, 'The people, budget, tools and infrastructure the ISMS needs are determined and provided.', 'resource_plan'),
    ('8.3',  2, 'The use of the resources is monitored.', NULL),
    ('8.4',  1, 'What to communicate on information security, when, with whom, by whom and how is decided.', 'communication_plan'),
    ('8.4',  2, 'Internal and external communication is carried out as decided.', 'communication_record'),
    ('8.5',  1, 'Customers'' information security requirements are captured and handed to requirements management.', 'customer_requirements'),
    ('8.5',  2, 'Customers are informed about information security as agreed with them.', 'customer_report'),
    ('8.5',  3, 'Customer feedback and complaints are handled and reach the management review.', 'customer_feedback')
  ) AS v (code, outcome_no, text, key)
  JOIN isms.process p ON p.code OPERATOR(isms.=) v.code::isms.clause AND p.org_id IS NULL
  LEFT JOIN isms.work_product w ON w.key OPERATOR(pg_catalog.=) v.key AND w.org_id IS NULL;

-- PA 1.1 is rated on outcomes (ISO/IEC 33020: the process achieves its
-- outcomes) instead of required outputs: an optional activity skipped on
-- purpose, such as recording nonconformities an audit did not find, no
-- longer counts as performance missing, and an outcome evidenced by an
-- optional output (topic-specific policies, supplier agreements) counts.
-- The other attributes are derived as in 0.1.0.
--
-- Derived ratings of PA 1.1 .. 3.2 of every applicable process of an
-- organisation for a period (dates inclusive).  Achievement is a percentage
-- of what the evidence in the period shows:
--   PA 1.1 performance: share of the process's outcomes (isms.process_outcome)
--          achieved.  An outcome is achieved when a run of the process
--          completed in the period produced or confirmed a record of the
--          outcome's work product that is approved (or was approved and has
--          since been superseded by a newer version); an outcome that names
--          no work product is achieved by a run completed in the period.  A
--          process without outcomes (an organisation's own) is rated on its
--          required outputs instead, each one an outcome achieved the same
--          way (figures say which: rated_on);
--   PA 2.1 performance management: share of the runs closed (completed or
--          cancelled) in the period that were planned (owner, planned start
--          and due date) and completed by their due date;
--   PA 2.2 work product management: share of the records produced by runs
--          completed in the period that were approved by someone other than
--          their author, carry a version and are current at the end of the
--          period (approved and not expired by then, or superseded by a
--          newer approved version);
--   PA 3.1 process definition: 50 if the organisation had, at the end of the
--          period, an approved (by then) and unexpired
--          operating_procedure whose content names the process
--          ({"process": "7.4"}), plus 12.5 for each organisation-wide
--          definition in force then that a defined process relies on: roles
--          (roles_and_responsibilities), competence (competence_requirements),
--          resources (resource_plan) and monitoring (measurement_plan);
--   PA 3.2 process deployment: mean of the share of the steps of completed
--          runs that were done (not skipped) and the share of the process's
--          activities done in at least one of them.
-- No evidence (e.g. no run in the period) is 0 %, rated N.  Ratings are
-- refined (N, P-, P+, L-, L+, F).  figures holds the numbers used.
-- Definer's rights: answers for members of the organisation only (no rows
-- otherwise), so report roles can read it without rights on the tables.
CREATE OR REPLACE FUNCTION isms.derived_ratings(org bigint, period_start date, period_end date)
    RETURNS TABLE (process_id integer, process isms.clause, attribute text, achievement numeric,
                   rating isms.rating, figures jsonb)
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH proc AS (
    SELECT p.process_id, p.code
      FROM isms.process p
     WHERE (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) $1)
       AND isms.is_member($1)
       AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                        WHERE x.org_id OPERATOR(pg_catalog.=) $1
                          AND x.process_id OPERATOR(pg_catalog.=) p.process_id)
), closed AS (
    -- runs completed or cancelled in the period
    SELECT r.run_id, r.process_id, r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state AS completed,
           r.owner IS NOT NULL AND r.planned_start IS NOT NULL AND r.due IS NOT NULL AS planned,
           (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due AS on_time
      FROM isms.run r
     WHERE r.org_id OPERATOR(pg_catalog.=) $1
       AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['completed', 'cancelled']::isms.run_state[])
       AND r.ended_at OPERATOR(pg_catalog.>=) $2
       AND r.ended_at OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.+) 1)
), outputs AS (
    -- records produced or confirmed by the completed runs
    SELECT DISTINCT c.process_id, rc.record_id, rc.work_product_id, rc.state, rc.author, rc.approver,
           rc.version, rc.valid_until
      FROM closed c
      JOIN isms.run_record l
        ON l.org_id OPERATOR(pg_catalog.=) $1 AND l.run_id OPERATOR(pg_catalog.=) c.run_id
       AND l.role OPERATOR(pg_catalog.<>) 'input'::isms.link_role
      JOIN isms.record rc
        ON rc.org_id OPERATOR(pg_catalog.=) $1 AND rc.record_id OPERATOR(pg_catalog.=) l.record_id
     WHERE c.completed
), run_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) FILTER (WHERE c.completed) AS completed,
           pg_catalog.count(*) AS closed,
           pg_catalog.count(*) FILTER (WHERE c.planned) AS planned,
           pg_catalog.count(*) FILTER (WHERE c.planned AND c.completed AND c.on_time) AS on_plan
      FROM closed c
     GROUP BY c.process_id
), achieved AS (
    SELECT DISTINCT x.process_id, x.work_product_id
      FROM outputs x
     WHERE x.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])
), record_figures AS (
    SELECT x.process_id,
           pg_catalog.count(*) AS records,
           pg_catalog.count(*) FILTER (WHERE x.approver IS NOT NULL AND x.approver OPERATOR(pg_catalog.<>) x.author
                                         AND x.version IS NOT NULL
                                         AND (x.state OPERATOR(pg_catalog.=) 'superseded'::isms.record_state
                                              OR (x.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                                                  AND (x.valid_until IS NULL
                                                       OR x.valid_until OPERATOR(pg_catalog.>=) $3)))) AS managed
      FROM outputs x
     GROUP BY x.process_id
), step_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) AS steps,
           pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS done,
           pg_catalog.count(DISTINCT s.activity_no)
               FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS activities_used
      FROM closed c
      JOIN isms.step s ON s.org_id OPERATOR(pg_catalog.=) $1 AND s.run_id OPERATOR(pg_catalog.=) c.run_id
     WHERE c.completed
     GROUP BY c.process_id
), definitions AS (
    -- the definitions in force at the end of the period: operating
    -- procedures and the org-wide ones, approved by then and not expired
    SELECT wp.key, r.content
      FROM isms.work_product wp
      JOIN isms.record r
        ON r.org_id OPERATOR(pg_catalog.=) $1 AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
       AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
       AND r.approved_at OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.+) 1)
       AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) $3)
     WHERE wp.org_id IS NULL
       AND wp.key OPERATOR(pg_catalog.=) ANY (ARRAY['operating_procedure', 'roles_and_responsibilities',
                                                    'competence_requirements', 'resource_plan', 'measurement_plan'])
), org_wide AS (
    SELECT pg_catalog.jsonb_agg(DISTINCT d.key) AS keys
      FROM definitions d
     WHERE d.key OPERATOR(pg_catalog.<>) 'operating_procedure'
)
SELECT p.process_id, p.code, a.attribute, a.achievement, isms.rating_refined(a.achievement), a.figures
  FROM proc p
  LEFT JOIN run_figures rf ON rf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN record_figures wf ON wf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN step_figures sf ON sf.process_id OPERATOR(pg_catalog.=) p.process_id
 CROSS JOIN org_wide ow
 CROSS JOIN LATERAL (
        -- the outcomes of the process, or its required outputs if it has none
        SELECT pg_catalog.count(*) AS outcomes,
               pg_catalog.count(*) FILTER (WHERE o.achieved) AS achieved,
               COALESCE(pg_catalog.jsonb_agg(o.label ORDER BY o.outcome_no, o.label) FILTER (WHERE NOT o.achieved),
                        '[]') AS missing,
               CASE WHEN pg_catalog.bool_or(o.outcome_no IS NULL) THEN 'required_outputs' ELSE 'outcomes' END AS rated_on
          FROM (SELECT pc.outcome_no, pg_catalog.to_jsonb(pc.outcome_no) AS label,
                       CASE WHEN pc.work_product_id IS NULL THEN COALESCE(rf.completed, 0) OPERATOR(pg_catalog.>) 0
                            ELSE EXISTS (SELECT FROM achieved ac
                                          WHERE ac.process_id OPERATOR(pg_catalog.=) p.process_id
                                            AND ac.work_product_id OPERATOR(pg_catalog.=) pc.work_product_id) END AS achieved
                  FROM isms.process_outcome pc
                 WHERE pc.process_id OPERATOR(pg_catalog.=) p.process_id
                UNION ALL
                SELECT NULL, pg_catalog.to_jsonb(wp.key),
                       EXISTS (SELECT FROM achieved ac
                                WHERE ac.process_id OPERATOR(pg_catalog.=) p.process_id
                                  AND ac.work_product_id OPERATOR(pg_catalog.=) po.work_product_id)
                  FROM isms.process_output po
                  JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) po.work_product_id
                 WHERE po.process_id OPERATOR(pg_catalog.=) p.process_id AND po.required
                   AND (po.org_id IS NULL OR po.org_id OPERATOR(pg_catalog.=) $1)
                   AND NOT EXISTS (SELECT FROM isms.process_outcome pc
                                    WHERE pc.process_id OPERATOR(pg_catalog.=) p.process_id)) o) req
 CROSS JOIN LATERAL (
        SELECT EXISTS (SELECT FROM definitions d
                        WHERE d.key OPERATOR(pg_catalog.=) 'operating_procedure'
                          AND (d.content OPERATOR(pg_catalog.->>) 'process') OPERATOR(pg_catalog.=) (p.code)::text) AS procedure,
               (SELECT pg_catalog.count(DISTINCT ac.activity_no) FROM isms.activity ac
                 WHERE ac.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND (ac.org_id IS NULL OR ac.org_id OPERATOR(pg_catalog.=) $1)) AS activities) def
 CROSS JOIN LATERAL (VALUES
        ('PA 1.1',
         CASE WHEN COALESCE(rf.completed, 0) OPERATOR(pg_catalog.=) 0 THEN 0
              WHEN req.outcomes OPERATOR(pg_catalog.=) 0 THEN 100
              ELSE 100.0 OPERATOR(pg_catalog.*) req.achieved OPERATOR(pg_catalog./) req.outcomes END,
         pg_catalog.jsonb_build_object('runs_completed', COALESCE(rf.completed, 0), 'rated_on', req.rated_on,
                                       'outcomes', req.outcomes, 'outcomes_achieved', req.achieved,
                                       'outcomes_missing', req.missing)),
        ('PA 2.1',
         CASE WHEN rf.closed IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) rf.on_plan OPERATOR(pg_catalog./) rf.closed END,
         pg_catalog.jsonb_build_object('runs_closed', COALESCE(rf.closed, 0), 'runs_planned', COALESCE(rf.planned, 0),
                                       'runs_on_plan', COALESCE(rf.on_plan, 0))),
        ('PA 2.2',
         CASE WHEN wf.records IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) wf.managed OPERATOR(pg_catalog./) wf.records END,
         pg_catalog.jsonb_build_object('output_records', COALESCE(wf.records, 0), 'records_managed', COALESCE(wf.managed, 0))),
        ('PA 3.1',
         (CASE WHEN def.procedure THEN 50 ELSE 0 END
          OPERATOR(pg_catalog.+) (12.5 OPERATOR(pg_catalog.*) COALESCE(pg_catalog.jsonb_array_length(ow.keys), 0)))::numeric,
         pg_catalog.jsonb_build_object('operating_procedure', def.procedure, 'definitions', COALESCE(ow.keys, '[]'))),
        ('PA 3.2',
         CASE WHEN sf.steps IS NULL THEN 0
              ELSE (50.0 OPERATOR(pg_catalog.*) sf.done OPERATOR(pg_catalog./) sf.steps)
                   OPERATOR(pg_catalog.+) (50.0 OPERATOR(pg_catalog.*) sf.activities_used
                                           OPERATOR(pg_catalog./) NULLIF(def.activities, 0)) END,
         pg_catalog.jsonb_build_object('steps', COALESCE(sf.steps, 0), 'steps_done', COALESCE(sf.done, 0),
                                       'activities', def.activities, 'activities_used', COALESCE(sf.activities_used, 0)))
       ) v (attribute, pct, figures)
 CROSS JOIN LATERAL (SELECT v.attribute, pg_catalog.round(v.pct, 1) AS achievement, v.figures) a
 ORDER BY p.code, a.attribute;
END
$$;
COMMENT ON FUNCTION isms.derived_ratings(bigint, date, date) IS
    'Ratings of PA 1.1 (on the process outcomes), 2.1, 2.2, 3.1 and 3.2 of every applicable process of the organization derived from the evidence of a period (dates inclusive), with the figures they come from; no rows unless the caller is a member';
