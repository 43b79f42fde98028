-- scripts/scenario/04_support.sql -- chapter 4: months 5-7.  Suppliers
-- (7.7), awareness and competence (7.8), records control (8.2), resources
-- (8.3), communication (8.4) and a customer's security questionnaire (8.5)
-- that leads to a second version of the requirements register (7.3).

\echo
\echo '== Chapter 4. Months 5-7: suppliers, people, records, resources, communication, customers'
\echo '   7.7: Lena reviews the hosting provider and the payroll service; Amir approves.'

BEGIN;
SELECT demo.at(5, 20);
SET ROLE lena_cto;
SELECT isms.plan_run(:nw, '7.7', 'Supplier security review', 'lena_cto', demo.day(5, 20), demo.day(6, 20)) AS sup \gset
SELECT isms.add_input(:sup, r) FROM unnest(ARRAY[:requirements, :plan]::bigint[]) AS r;
SELECT isms.start_run(:sup);
-- the supplier register (isms.supplier); its record is the engine's snapshot
SELECT isms.add_supplier(:sup, 'Cloud hosting provider', 'lena_cto', 'critical', '{hosting}', ARRAY[:a_data, :a_cloud],
                         ARRAY[:r3]) AS s_hosting,
       isms.add_supplier(:sup, 'Payroll service', 'mei_people', 'high', '{payroll}') AS s_payroll,
       isms.add_supplier(:sup, 'Email and office suite', 'lena_cto', 'medium', '{email}') AS s_email \gset
\echo '   The hosting review: opened, then recorded with what it found; payroll is reviewed every 6 months.'
UPDATE isms.supplier SET run_id = :sup, state = 'under_review', state_reason = 'yearly review (A.5.22)'
 WHERE supplier_id = :s_hosting;
SELECT isms.review_supplier(:sup, :s_hosting, 'certificate valid, two incidents, both within SLA');
UPDATE isms.supplier SET run_id = :sup, review_months = 6, last_reviewed = demo.day(5, 20),
       review_notes = 'new SOC 2 report requested'
 WHERE supplier_id = :s_payroll;
SELECT isms.new_record(:sup, 'supplier_register', 'Suppliers and outsourced processes');
SELECT isms.new_record(:sup, 'supplier_agreement', 'Hosting provider: security requirements',
       '{"certifications": ["ISO/IEC 27001", "SOC 2 type II"], "breach_notice_hours": 24, "data_location": "EU"}');
SELECT isms.new_record(:sup, 'supplier_review', 'Supplier review: hosting and payroll',
       '{"hosting": "certificate valid, two incidents, both within SLA", "payroll": "new SOC 2 report requested"}',
       's3://northwind-isms/evidence/supplier-review.pdf',
       encode(sha256('supplier-review.pdf'::bytea), 'hex'));
SELECT demo.at(6, 6);
SELECT demo.work_steps(:sup, 'lena_cto', '{"4": "no change to supplier services this year"}');
SELECT demo.submit_outputs(:sup);
SELECT demo.at(6, 8);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:sup);
SET ROLE lena_cto;
SELECT isms.complete_run(:sup);

\echo '   7.8: Amir plans it, Mei (head of people) delivers awareness training; Amir approves.'
SELECT demo.at(6, 11);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.8', 'Security awareness and competence', 'mei_people', demo.day(6, 1), demo.day(7, 15)) AS aw \gset
SELECT isms.add_input(:aw, r) FROM unnest(ARRAY[:roles, :policy]::bigint[]) AS r;
SELECT isms.start_run(:aw);
SET ROLE mei_people;
SELECT isms.new_record(:aw, 'competence_requirements', 'Competence required for security roles',
       '{"isms_manager": "ISO/IEC 27001 lead implementer", "engineers": "secure coding", "all": "awareness"}');
-- courses (isms.course) and completions (isms.training_completion); the records are their snapshots
SELECT isms.add_course(:aw, 'Security awareness: phishing, data handling, incident reporting', 12,
                       '{admin,manager,contributor,auditor}', 'mei_people') AS c_awareness,
       isms.add_course(:aw, 'Secure coding', 24, '{contributor}', 'lena_cto') AS c_coding \gset
SELECT demo.at(6, 24);
SELECT isms.complete_training(:aw, :c_awareness, m::regrole, demo.day(6, 20), 'quiz passed')
  FROM unnest('{amir_ciso,lena_cto,tomas_eng,mei_people,grace_ceo}'::text[]) AS m;
SELECT isms.complete_training(:aw, :c_coding, 'tomas_eng', demo.day(6, 24), 'course certificate');
SELECT isms.new_record(:aw, 'awareness_programme', 'Awareness programme') AS awareness \gset
SELECT isms.new_record(:aw, 'competence_evidence', 'Training completion');
SELECT demo.work_steps(:aw, 'mei_people');
SELECT demo.submit_outputs(:aw);
SELECT demo.at(6, 25);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:aw);
SELECT isms.complete_run(:aw);

SELECT demo.at(6, 26);
\echo '   8.2, 8.3, 8.4: Amir sets the records rules, the budget and the communication plan.'
SELECT isms.plan_run(:nw, '8.2', 'Records control rules', 'amir_ciso', demo.day(6, 3), demo.day(6, 30)) AS rec \gset
SELECT isms.add_input(:rec, :requirements);
SELECT isms.start_run(:rec);
SELECT isms.new_record(:rec, 'document_register', 'Register of controlled documents',
       '{"store": "the isms27022 database", "approval": "author and approver differ", "review": "12 months"}');
SELECT isms.new_record(:rec, 'retention_schedule', 'Retention and disposal rules',
       '{"records": "36 months", "audit and incident evidence": "60 months", "disposal": "after retention ends"}');
SELECT demo.work_steps(:rec, 'amir_ciso');
SELECT demo.submit_outputs(:rec);

SELECT isms.plan_run(:nw, '8.3', 'ISMS budget and staffing', 'amir_ciso', demo.day(6, 10), demo.day(6, 30)) AS res \gset
SELECT isms.add_input(:res, r) FROM unnest(ARRAY[:objectives, :plan, :awareness]::bigint[]) AS r;
SELECT isms.start_run(:res);
SELECT isms.new_record(:res, 'resource_plan', 'ISMS resources',
       '{"people": {"security_team": 3, "part_time_auditor": 1}, "budget_eur": 420000,
         "tools": ["SIEM", "hardware keys", "phishing simulation"]}') AS resources \gset
SELECT demo.work_steps(:res, 'amir_ciso');
SELECT demo.submit_outputs(:res);

SELECT isms.plan_run(:nw, '8.4', 'Security communication', 'amir_ciso', demo.day(6, 15), demo.day(7, 15)) AS com \gset
SELECT isms.add_input(:com, r) FROM unnest(ARRAY[:policy, :register]::bigint[]) AS r;
SELECT isms.start_run(:com);
SELECT isms.new_record(:com, 'communication_plan', 'Communication plan',
       '{"staff": "monthly security note", "customers": "trust page and incident notices", "board": "quarterly report"}');
SELECT isms.new_record(:com, 'communication_record', 'Policy launch announcement',
       '{"audience": "all staff", "channel": "all-hands and intranet"}');
SELECT demo.work_steps(:com, 'amir_ciso');
SELECT demo.submit_outputs(:com);

\echo '   Grace approves the three at the board meeting of month 7: 8.2 and 8.3 (due day 30 of month 6) end late.'
SELECT demo.at(7, 2);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(r) FROM unnest(ARRAY[:rec, :res, :com]::bigint[]) AS r;
SET ROLE amir_ciso;
SELECT isms.complete_run(r) FROM unnest(ARRAY[:rec, :res, :com]::bigint[]) AS r;

SELECT demo.at(7, 2, 14);
\echo '   8.5: a bank sends a security questionnaire; Amir answers it and captures its requirements.'
SELECT isms.new_external_record(:nw, 'customer_request', 'Security questionnaire from Alder Bank',
       '{"customer": "Alder Bank", "asks": ["data residency in the EU", "yearly penetration test", "breach notice within 24 h"]}') AS questionnaire \gset
SELECT isms.submit_record(:questionnaire);
SET ROLE lena_cto;
SELECT isms.approve_record(:questionnaire);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '8.5', 'Alder Bank questionnaire', 'amir_ciso', demo.day(7, 2), demo.day(7, 20)) AS cust \gset
SELECT isms.add_input(:cust, :questionnaire);
SELECT isms.start_run(:cust);
SELECT isms.new_record(:cust, 'customer_requirements', 'Alder Bank security requirements',
       '{"data_residency": "EU", "pen_test": "yearly", "breach_notice_hours": 24}') AS customer_reqs \gset
SELECT isms.new_record(:cust, 'customer_report', 'Questionnaire answers for Alder Bank', '{"answers": 142, "gaps": 1}');
SELECT isms.new_record(:cust, 'customer_feedback', 'Alder Bank feedback',
       '{"satisfied": true, "request": "notify breaches within 24 h, not 48 h"}') AS feedback \gset
SELECT demo.at(7, 4);
SELECT demo.work_steps(:cust, 'amir_ciso');
SELECT demo.submit_outputs(:cust);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(:cust);
SET ROLE amir_ciso;
SELECT isms.complete_run(:cust);

SELECT demo.at(7, 5);
\echo '   7.3 again: the bank''s requirements become version 2 of the requirements register.'
SELECT isms.plan_run(:nw, '7.3', 'Requirements update: Alder Bank', 'amir_ciso', demo.day(7, 5), demo.day(7, 10)) AS req2 \gset
SELECT isms.add_input(:req2, r) FROM unnest(ARRAY[:context, :customer_reqs]::bigint[]) AS r;
SELECT isms.start_run(:req2);
SELECT isms.new_version(:requirements, :req2) AS requirements_v2 \gset
UPDATE isms.record
   SET content = jsonb_set(content, '{requirements}', content -> 'requirements' || '["Alder Bank: breach notice within 24 h"]')
 WHERE record_id = :requirements_v2;
SELECT isms.submit_record(:requirements_v2);
SELECT demo.work_steps(:req2, 'amir_ciso');
SELECT demo.at(7, 6);
SET ROLE lena_cto;
SELECT isms.approve_record(:requirements_v2);
SET ROLE amir_ciso;
\echo '   The interested parties are unchanged: the run confirms the register instead of copying it.'
SELECT isms.confirm_record(:req2, record_id)
  FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
 WHERE r.org_id = :nw AND wp.key = 'interested_parties_register' AND r.state = 'approved';
SELECT isms.complete_run(:req2);

\echo '   7.6: Tomas finishes the implementation of the treatment plan; Amir verifies and approves.'
SELECT demo.at(7, 7);
SET ROLE tomas_eng;
SELECT demo.work_steps(:impl, 'tomas_eng');
SELECT demo.submit_outputs(:impl);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:impl);
SELECT isms.complete_run(:impl);
RESET ROLE;
COMMIT;

\o
SELECT r.record_id, r.version, r.state, r.approver, r.produced_by_run AS "produced by run"
  FROM isms.record r
 WHERE r.document_id = :requirements
 ORDER BY r.version;
\o /dev/null
\set requirements :requirements_v2
