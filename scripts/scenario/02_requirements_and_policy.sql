-- scripts/scenario/02_requirements_and_policy.sql -- chapter 2: months 2-3.
-- Requirements management (7.3) records the interested parties and the
-- requirements the ISMS addresses; security policy management (7.2) writes
-- the policy and three topic-specific policies.

\echo
\echo '== Chapter 2. Months 2-3: requirements (7.3) and policies (7.2)'
\echo '   Legal obligations come from outside the ISMS: Amir enters them, Lena (CTO) approves.'

BEGIN;
SELECT demo.at(2, 1);
SET ROLE amir_ciso;
SELECT isms.new_external_record(:nw, 'legal_obligation', 'GDPR (processor obligations)',
       '{"source": "Regulation (EU) 2016/679", "articles": [28, 32, 33]}') AS gdpr \gset
SELECT isms.new_external_record(:nw, 'legal_obligation', 'Enterprise master services agreement, security annex',
       '{"source": "customer contracts", "requires": ["ISO/IEC 27001 certificate", "breach notice within 48 h"]}') AS msa \gset
SELECT count(isms.submit_record(r)) FROM unnest(ARRAY[:gdpr, :msa]::bigint[]) AS r;
SELECT demo.at(2, 2);
SET ROLE lena_cto;
SELECT count(isms.approve_record(r)) FROM unnest(ARRAY[:gdpr, :msa]::bigint[]) AS r;

\echo '   7.3: who cares about Northwind''s security, and which requirements the ISMS addresses.'
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.3', 'Interested parties and requirements', 'amir_ciso', demo.day(2, 2), demo.day(2, 28)) AS req \gset
SELECT isms.add_input(:req, r) FROM unnest(ARRAY[:context, :scope, :gdpr, :msa]::bigint[]) AS r;
SELECT demo.at(2, 3);
SELECT isms.start_run(:req);
SELECT isms.new_record(:req, 'interested_parties_register', 'Interested parties',
       '{"parties": ["enterprise customers", "EU data protection authorities", "hosting provider", "staff", "investors"]}');
SELECT isms.new_record(:req, 'requirements_register', 'Requirements addressed by the ISMS',
       '{"requirements": ["GDPR art. 28 and 32", "MSA security annex", "ISO/IEC 27001:2022"],
         "not_addressed": ["PCI DSS: no card data processed"]}') AS requirements \gset
SELECT demo.at(2, 20);
SELECT demo.work_steps(:req, 'amir_ciso');
SELECT demo.submit_outputs(:req);
SELECT demo.at(2, 24);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:req);
SET ROLE amir_ciso;
SELECT isms.complete_run(:req);

\echo '   7.2: Amir drafts the policy and three topic-specific policies.'
SELECT demo.at(3, 1);
SELECT isms.plan_run(:nw, '7.2', 'Information security policy set', 'amir_ciso', demo.day(3, 1), demo.day(3, 31)) AS pol \gset
SELECT isms.add_input(:pol, r) FROM unnest(ARRAY[:objectives, :requirements]::bigint[]) AS r;
SELECT isms.start_run(:pol);
SELECT isms.new_record(:pol, 'security_policy', 'Information security policy',
       '{"commitments": ["meet applicable requirements", "improve the ISMS continually"], "owner": "grace_ceo"}') AS policy \gset
SELECT isms.new_record(:pol, 'topic_specific_policy', 'Access control policy',
       '{"rules": ["least privilege", "MFA for all administrative access", "quarterly access reviews"]}') AS access_policy \gset
SELECT isms.new_record(:pol, 'topic_specific_policy', 'Acceptable use policy',
       '{"rules": ["company devices only", "no customer data on personal storage"]}') AS aup \gset
SELECT isms.new_record(:pol, 'topic_specific_policy', 'Supplier security policy',
       '{"rules": ["security annex in every contract", "yearly review of critical suppliers"]}') AS supplier_policy \gset
SELECT demo.submit_outputs(:pol);

\echo '   Grace sends the policy back with a reason; Amir revises the draft and resubmits it.'
SELECT demo.at(3, 5);
SET ROLE grace_ceo;
SELECT isms.return_record(:policy, 'Say how the policy applies to remote work.');
SELECT demo.at(3, 7);
SET ROLE amir_ciso;
UPDATE isms.record
   SET content = content || '{"remote_work": "the policy applies wherever staff work"}'
 WHERE record_id = :policy;
SELECT isms.submit_record(:policy);
SELECT demo.work_steps(:pol, 'amir_ciso');
SELECT demo.at(3, 10);
SET ROLE grace_ceo;
SELECT isms.approve_record(:policy);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:pol);
SET ROLE amir_ciso;
SELECT isms.complete_run(:pol);
RESET ROLE;
COMMIT;

\o
SELECT e.event_no AS "#", e.actor, e.action, e.old_state AS "from", e.new_state AS "to",
       e.detail ->> 'reason' AS reason
  FROM isms.event e
 WHERE e.org_id = :nw AND e.object_type = 'record' AND e.object_id = :policy
 ORDER BY e.event_no;
\o /dev/null
