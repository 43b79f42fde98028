-- scripts/scenario/03_risk.sql -- chapter 3: months 3-5.  The first risk
-- assessment (7.4), its treatment (7.5) and the implementation of the
-- treatment plan (7.6).

\echo
\echo '== Chapter 3. Months 3-5: risk assessment (7.4), treatment (7.5), implementation (7.6)'
\echo '   Tomas (engineer) exports the asset inventory; Lena (CTO, risk owner) approves it.'

SET ROLE tomas_eng;
SELECT isms.new_external_record(:nw, 'asset_inventory', 'Platform asset inventory',
       '{"assets": 412, "classes": ["customer data", "source code", "cloud accounts", "laptops"]}',
       's3://northwind-isms/evidence/asset-inventory.csv',
       encode(sha256('asset-inventory.csv'::bytea), 'hex')) AS assets \gset
SELECT isms.submit_record(:assets);
SET ROLE lena_cto;
SELECT isms.approve_record(:assets);

\echo '   7.4: Amir runs the assessment with the risk owners.'
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.4', 'Initial risk assessment', 'amir_ciso', demo.day(3, 15), demo.day(4, 15)) AS ra \gset
SELECT isms.add_input(:ra, r) FROM unnest(ARRAY[:scope, :criteria, :requirements, :assets]::bigint[]) AS r;
SELECT isms.start_run(:ra);
-- the risks are a register: the record is the engine's snapshot of it
INSERT INTO isms.risk (org_id, run_id, title, owner, likelihood, impact) VALUES
    (:nw, :ra, 'R1 account takeover of cloud administrators', 'lena_cto', 4, 4),
    (:nw, :ra, 'R2 customer data exposed by misconfigured storage', 'lena_cto', 4, 3),
    (:nw, :ra, 'R3 hosting provider outage', 'lena_cto', 2, 4),
    (:nw, :ra, 'R4 phishing of support staff', 'mei_people', 3, 3),
    (:nw, :ra, 'R5 laptop theft', 'mei_people', 2, 2);
SELECT isms.new_record(:ra, 'risk_register', 'Risk register') AS register \gset
SELECT isms.new_record(:ra, 'risk_assessment_report', 'Risk assessment report',
       '{"risks_assessed": 5, "above_acceptance": ["R1", "R2", "R3", "R4"], "accepted": ["R5"]}') AS ra_report \gset
SELECT demo.work_steps(:ra, 'amir_ciso');
SELECT demo.submit_outputs(:ra);

\echo '   Eager to start, Amir plans the treatment before Lena has approved the assessment:'
SELECT isms.plan_run(:nw, '7.5', 'Risk treatment', 'amir_ciso', demo.day(4, 16), demo.day(5, 15)) AS rt \gset
SELECT isms.add_input(:rt, :criteria);
\o
SELECT demo.refused('IS002', format('SELECT isms.start_run(%s)', :rt)) \g (tuples_only=on)
SELECT demo.refused('IS013', format('SELECT isms.add_input(%s, %s)', :rt, :ra_report)) \g (tuples_only=on)
\echo '   isms.run_blockers tells him what the run still needs:'
SELECT blocker, item, detail FROM isms.run_blockers(:rt);
\o /dev/null

\echo '   Lena approves the assessment; the treatment can start.'
SET ROLE lena_cto;
SELECT demo.approve_outputs(:ra);
SET ROLE amir_ciso;
SELECT isms.complete_run(:ra);
SELECT isms.add_input(:rt, r) FROM unnest(ARRAY[:register, :ra_report]::bigint[]) AS r;
SELECT isms.start_run(:rt);
-- the Statement of Applicability is a register: every Annex A control,
-- four excluded, the rest justified; the record is the engine's snapshot
SELECT isms.soa_init(:rt);
SELECT isms.soa_set(:rt, c, false, why)
  FROM (VALUES ('A.7.5', 'no own data centre'), ('A.7.12', 'no own cabling'),
               ('A.8.19', 'no software installed on customer systems'),
               ('A.8.31', 'no separate environments needed for Labs')) AS x (c, why);
UPDATE isms.soa SET justification = 'Needed for the platform''s risks and the certification scope', run_id = :rt
 WHERE org_id = :nw AND justification = isms.soa_placeholder();
UPDATE isms.risk SET controls = x.controls, treatment = 'modify', run_id = :rt
  FROM (VALUES ('R1%', '{A.5.17,A.8.5}'::text[]), ('R2%', '{A.8.9}'), ('R3%', '{A.8.14}'), ('R4%', '{A.6.3}')) AS x (t, controls)
 WHERE isms.risk.org_id = :nw AND isms.risk.title LIKE x.t;
SELECT isms.new_record(:rt, 'statement_of_applicability', 'Statement of Applicability') AS soa \gset
SELECT isms.new_record(:rt, 'risk_treatment_plan', 'Risk treatment plan',
       '{"R1": "hardware keys for administrators (A.5.17, A.8.5)", "R2": "storage guardrails and scanning (A.8.9)",
         "R3": "second region and restore tests (A.8.14)", "R4": "phishing training and simulation (A.6.3)"}') AS plan \gset
SELECT isms.new_record(:rt, 'risk_acceptance', 'Risk owners'' acceptance of residual risk',
       '{"accepted_by": "lena_cto", "residual": {"R1": 4, "R2": 4, "R3": 4, "R4": 6, "R5": 4}}') AS acceptance \gset
SELECT demo.work_steps(:rt, 'amir_ciso');
SELECT demo.submit_outputs(:rt);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:rt);
SET ROLE amir_ciso;
SELECT isms.complete_run(:rt);

\echo '   7.6: Tomas implements the plan and keeps the evidence; Amir verifies and approves.'
SELECT isms.plan_run(:nw, '7.6', 'Implement the treatment plan', 'tomas_eng', demo.day(5, 16), demo.day(7, 31)) AS impl \gset
SELECT isms.add_input(:impl, r) FROM unnest(ARRAY[:plan, :soa, :acceptance, :policy]::bigint[]) AS r;
SELECT isms.start_run(:impl);
SET ROLE tomas_eng;
SELECT isms.new_record(:impl, 'operating_procedure', 'Quarterly access review procedure',
       '{"steps": ["export grants", "owners confirm", "revoke leftovers", "file evidence"]}');
SELECT isms.new_record(:impl, 'implementation_record', 'Treatment plan implementation status',
       '{"R1": "done", "R2": "done", "R3": "done: restore tested", "R4": "training scheduled"}',
       's3://northwind-isms/evidence/implementation-q2.pdf',
       encode(sha256('implementation-q2.pdf'::bytea), 'hex')) AS implementation \gset
SELECT demo.work_steps(:impl, 'tomas_eng');
SELECT demo.submit_outputs(:impl);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:impl);
SELECT isms.complete_run(:impl);
RESET ROLE;
