-- scripts/scenario/01_governance.sql -- chapter 1: month 0, the month before
-- the year of operation.  Top management sets the direction: the
-- governance/management interface process (6.2) turns the business context
-- into the ISMS's context, scope, roles, objectives and risk criteria.

\echo
\echo '== Chapter 1. Month 0, before the year: establishing the ISMS (6.2 governance interface)'
\echo '   Amir (CISO) records the board''s strategy as business context; Grace (CEO) approves it.'

\echo '   Northwind''s year is imported as its history, month by month, each chapter one batch'
\echo '   (isms.begin_import, isms.import_at): every change takes the day it happened, every rule holds.'
BEGIN;
SELECT demo.at(0, 2);
SET ROLE amir_ciso;
SELECT isms.new_external_record(:nw, 'business_context', 'Board strategy: enterprise SaaS growth',
       '{"headcount": 200, "product": "hosted analytics platform", "markets": ["EU", "US"],
         "goal": "win enterprise customers that require ISO/IEC 27001 certification"}') AS business_context \gset
SELECT isms.submit_record(:business_context);
SELECT demo.at(0, 3);
SET ROLE grace_ceo;
SELECT isms.approve_record(:business_context);

\echo '   Amir plans and starts the run; its first four activities produce six documents.'
SET ROLE amir_ciso;
SELECT demo.at(0, 5);
SELECT isms.plan_run(:nw, '6.2', 'Establish the ISMS', 'amir_ciso', demo.day(0, 5), demo.day(0, 30)) AS gov \gset
SELECT isms.add_input(:gov, :business_context);
SELECT isms.start_run(:gov);
SELECT isms.new_record(:gov, 'context_analysis', 'Internal and external issues',
       '{"external": ["enterprise buyers demand certification", "EU data protection law", "cloud supply chain"],
         "internal": ["fast growth", "small security team", "one hosting provider"]}') AS context \gset
SELECT isms.new_record(:gov, 'isms_scope', 'ISMS scope: the Northwind analytics platform',
       '{"in_scope": ["analytics platform", "customer support", "engineering", "people operations"],
         "out_of_scope": ["Northwind Labs (separate ISMS)"], "locations": ["Lisbon office", "remote"]}') AS scope \gset
SELECT isms.new_record(:gov, 'roles_and_responsibilities', 'Security roles and authorities',
       '{"top_management": "grace_ceo", "isms_manager": "amir_ciso", "risk_owner_platform": "lena_cto",
         "internal_audit": "priya_audit", "awareness": "mei_people"}') AS roles \gset
SELECT isms.new_record(:gov, 'security_objectives', 'Security objectives',
       '{"objectives": ["ISO/IEC 27001 certification within 12 months", "no customer data breach",
                        "critical vulnerabilities fixed within 14 days", "100 % staff trained yearly"]}') AS objectives \gset
\echo '   The risk criteria are a register (6.1.2 a): five levels of likelihood and impact,'
\echo '   level = likelihood x impact, appetite 6; the record is the engine''s snapshot of them.'
SELECT isms.set_risk_criteria(:gov, '{rare,unlikely,possible,likely,almost certain}',
                              '{negligible,minor,moderate,major,severe}', 6);
SELECT isms.new_record(:gov, 'risk_criteria', 'Risk acceptance criteria') AS criteria \gset
SELECT isms.new_record(:gov, 'isms_risks_opportunities', 'Risks and opportunities of the ISMS',
       '{"risks": ["certification slips past the buyers'' deadline", "the small team burns out"],
         "opportunities": ["certification opens enterprise deals"],
         "actions": ["phase the work in quarterly runs", "budget an external internal auditor"]}') AS isms_risks \gset
SELECT demo.at(0, 20);
SELECT demo.work_steps(:gov, 'amir_ciso',
       '{"5": "first cycle: no performance or audit results to review yet"}');
SELECT demo.submit_outputs(:gov);

\echo '   The run cannot be completed while its outputs await approval:'
\o
SELECT demo.refused('IS008', format('SELECT isms.complete_run(%s)', :gov)) \g (tuples_only=on)
\echo '   Amir tries to approve the risk criteria he wrote himself:'
SELECT demo.refused('IS010', format('SELECT isms.approve_record(%s)', :criteria)) \g (tuples_only=on)
\o /dev/null

\echo '   Grace (CEO) approves the six documents, and Amir completes the run.'
SELECT demo.at(0, 27);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(:gov);
SET ROLE amir_ciso;
SELECT isms.complete_run(:gov);
RESET ROLE;
COMMIT;

\o
SELECT wp.key AS document, r.title, r.version, r.author, r.approver, r.valid_until
  FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
 WHERE r.produced_by_run = :gov
 ORDER BY r.record_id;
\o /dev/null
