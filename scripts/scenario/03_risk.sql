-- scripts/scenario/03_risk.sql -- chapter 3: months 3-5.  The first risk
-- assessment (7.4), its treatment (7.5) and the implementation of the
-- treatment plan (7.6).

\echo
\echo '== Chapter 3. Months 3-5: risk assessment (7.4), treatment (7.5), implementation (7.6)'
\echo '   Tomas (engineer) exports the asset inventory; Lena (CTO, risk owner) approves it.'

BEGIN;
SELECT demo.at(3, 13);
SET ROLE tomas_eng;
-- its content is the engine's snapshot of the asset register (isms.asset) when it is submitted
SELECT isms.new_external_record(:nw, 'asset_inventory', 'Platform asset inventory', '{}',
       's3://northwind-isms/evidence/asset-inventory.csv',
       encode(sha256('asset-inventory.csv'::bytea), 'hex')) AS assets \gset
SELECT isms.submit_record(:assets);
SELECT demo.at(3, 14);
SET ROLE lena_cto;
SELECT isms.approve_record(:assets);

\echo '   7.4: Amir runs the assessment with the risk owners.'
SET ROLE amir_ciso;
SELECT demo.at(3, 15);
SELECT isms.plan_run(:nw, '7.4', 'Initial risk assessment', 'amir_ciso', demo.day(3, 15), demo.day(4, 15)) AS ra \gset
SELECT isms.add_input(:ra, r) FROM unnest(ARRAY[:scope, :criteria, :requirements, :assets]::bigint[]) AS r;
SELECT isms.start_run(:ra);
\echo '   He identifies five risks, each with its owner, rates them on the criteria and evaluates them.'
SELECT isms.add_risk(:ra, 'R1 account takeover of cloud administrators', 'lena_cto',
                     'Stolen or phished credentials of an administrator of the cloud accounts', 'cloud accounts') AS r1 \gset
SELECT isms.add_risk(:ra, 'R2 customer data exposed by misconfigured storage', 'lena_cto',
                     'A storage bucket or database snapshot made public by mistake', 'customer data') AS r2 \gset
SELECT isms.add_risk(:ra, 'R3 hosting provider outage', 'lena_cto',
                     'The single hosting region is down for a day or more', 'analytics platform') AS r3 \gset
SELECT isms.add_risk(:ra, 'R4 phishing of support staff', 'mei_people',
                     'Support staff hand over customer data or sessions to a phisher', 'customer support') AS r4 \gset
SELECT isms.add_risk(:ra, 'R5 laptop theft', 'mei_people',
                     'A laptop with cached customer exports is stolen', 'laptops') AS r5 \gset
\echo '   The assets the risks concern enter the asset inventory (A.5.9), each with its owner and classification.'
SELECT isms.add_asset(:ra, 'Customer data in the analytics platform', 'lena_cto', 'restricted', 'information',
                      '{analytics platform}') AS a_data,
       isms.add_asset(:ra, 'Cloud accounts', 'lena_cto', 'confidential', 'service', '{analytics platform}') AS a_cloud,
       isms.add_asset(:ra, 'Staff laptops', 'mei_people', 'confidential', 'hardware', '{all}') AS a_laptops \gset
UPDATE isms.risk SET run_id = :ra, assets = x.a
  FROM (VALUES (:r1, ARRAY[:a_cloud]), (:r2, ARRAY[:a_data]), (:r3, ARRAY[:a_data, :a_cloud]),
               (:r5, ARRAY[:a_laptops])) AS x (r, a)
 WHERE risk_id = x.r;
SELECT isms.assess_risk(:ra, r, l, i)
  FROM (VALUES (:r1, 4, 4), (:r2, 4, 3), (:r3, 3, 4), (:r4, 3, 3), (:r5, 2, 2)) AS x (r, l, i);
SELECT isms.evaluate_risk(:ra, r) FROM unnest(ARRAY[:r1, :r2, :r3, :r4, :r5]::bigint[]) AS r;
\o
SELECT title, owner, likelihood, impact, level, state FROM isms.risk WHERE org_id = :nw ORDER BY risk_id;
\o /dev/null
-- the risk register record is the engine's snapshot of the register at submission
SELECT demo.at(4, 8);
SELECT isms.new_record(:ra, 'risk_register', 'Risk register') AS register \gset
SELECT isms.new_record(:ra, 'risk_assessment_report', 'Risk assessment report',
       '{"risks_assessed": 5, "above_acceptance": ["R1", "R2", "R3", "R4"], "accepted": ["R5"]}') AS ra_report \gset
SELECT demo.work_steps(:ra, 'amir_ciso');
SELECT demo.submit_outputs(:ra);

SELECT demo.at(4, 10);
\echo '   Eager to start, Amir plans the treatment before Lena has approved the assessment:'
SELECT isms.plan_run(:nw, '7.5', 'Risk treatment', 'amir_ciso', demo.day(4, 16), demo.day(5, 15)) AS rt \gset
SELECT isms.add_input(:rt, :criteria);
\o
SELECT demo.refused('IS002', format('SELECT isms.start_run(%s)', :rt)) \g (tuples_only=on)
SELECT demo.refused('IS013', format('SELECT isms.add_input(%s, %s)', :rt, :ra_report)) \g (tuples_only=on)
\echo '   isms.run_blockers tells him what the run still needs:'
SELECT blocker, item, detail FROM isms.run_blockers(:rt);
\o /dev/null

\echo '   Lena, at a customer site, approves the assessment on day 24 of month 4, nine days after it was due:'
\echo '   the run ends late.  The treatment can start.'
SELECT demo.at(4, 24);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:ra);
SET ROLE amir_ciso;
SELECT isms.complete_run(:ra);
SELECT isms.add_input(:rt, r) FROM unnest(ARRAY[:register, :ra_report]::bigint[]) AS r;
SELECT isms.start_run(:rt);
\echo '   7.5: Amir plans the treatment of each risk; R5 is within appetite and retained.'
SELECT isms.plan_treatment(:rt, r, t::isms.risk_treatment, c, rl, ri)
  FROM (VALUES (:r1, 'modify', '{A.5.17,A.8.2,A.8.5}'::text[], 2, 3),
               (:r2, 'modify', '{A.5.23,A.8.9,A.8.16}', 2, 3),
               (:r3, 'modify', '{A.5.30,A.8.13,A.8.14}', 2, 4),
               (:r4, 'modify', '{A.6.3,A.8.7,A.8.23}', 2, 3),
               (:r5, 'retain', '{}', NULL, NULL)) AS x (r, t, c, rl, ri);

\echo '   The Statement of Applicability is a register: every Annex A control, decided one by one.'
\echo '   Four are excluded with their reasons; the record is the engine''s snapshot of the register.'
SELECT demo.at(5, 2);
SELECT isms.soa_init(:rt);
SELECT isms.soa_set(:rt, c, true, why, s::isms.control_status, o::regrole)
  FROM (VALUES
    ('A.5.1',  'implemented', 'grace_ceo', 'The policy set approved by the CEO is the base of the ISMS (5.2)'),
    ('A.5.2',  'implemented', 'grace_ceo', 'Security roles are assigned in the roles record of the governance run'),
    ('A.5.3',  'partially_implemented', 'amir_ciso', 'A 200-person company: deploy and approval duties are split where the team allows'),
    ('A.5.4',  'implemented', 'grace_ceo', 'Management requires staff to follow the policies (employment terms, reviews)'),
    ('A.5.5',  'implemented', 'amir_ciso', 'GDPR breach notification to the Lisbon supervisory authority within 72 h'),
    ('A.5.6',  'implemented', 'amir_ciso', 'Membership of the national CERT community and the cloud provider''s advisories'),
    ('A.5.7',  'planned', 'amir_ciso', 'Threat intelligence feeds the risk assessment (7.4): subscription planned'),
    ('A.5.8',  'implemented', 'lena_cto', 'Every product project has a security review gate'),
    ('A.5.9',  'implemented', 'tomas_eng', 'The asset inventory is exported from the cloud accounts and the laptop fleet'),
    ('A.5.10', 'implemented', 'amir_ciso', 'Acceptable use policy for laptops, SaaS tools and customer data'),
    ('A.5.11', 'implemented', 'mei_people', 'Leavers return laptops and keys; tracked in the offboarding checklist'),
    ('A.5.12', 'implemented', 'amir_ciso', 'Customer data is classified confidential by contract'),
    ('A.5.13', 'partially_implemented', 'amir_ciso', 'Exports and reports carry a classification label; storage tags in progress'),
    ('A.5.14', 'implemented', 'lena_cto', 'Customer data moves only over TLS and the support portal'),
    ('A.5.15', 'implemented', 'lena_cto', 'Access control policy: least privilege by role'),
    ('A.5.16', 'implemented', 'tomas_eng', 'One identity per person in the identity provider'),
    ('A.5.17', 'planned', 'lena_cto', 'Treats R1: hardware keys for administrators'),
    ('A.5.18', 'implemented', 'lena_cto', 'Quarterly access reviews by the owners'),
    ('A.5.19', 'implemented', 'amir_ciso', 'The hosting provider and SaaS vendors handle customer data'),
    ('A.5.20', 'implemented', 'amir_ciso', 'Security clauses and data processing agreements with every supplier'),
    ('A.5.21', 'partially_implemented', 'lena_cto', 'Open-source dependencies are scanned; supplier SBOMs requested'),
    ('A.5.22', 'implemented', 'amir_ciso', 'Supplier reviews (7.7) every year'),
    ('A.5.23', 'planned', 'lena_cto', 'Treats R2: the platform runs on one cloud provider; guardrails for its use'),
    ('A.5.24', 'implemented', 'amir_ciso', 'Incident response plan and on-call rota'),
    ('A.5.25', 'implemented', 'amir_ciso', 'Security events are triaged by the on-call engineer'),
    ('A.5.26', 'implemented', 'amir_ciso', 'Incidents are handled by the response plan (7.9)'),
    ('A.5.27', 'implemented', 'amir_ciso', 'Lessons learned from every incident feed the risk assessment'),
    ('A.5.28', 'implemented', 'amir_ciso', 'Logs and disk images are preserved for incidents that may go to court'),
    ('A.5.29', 'implemented', 'lena_cto', 'Security holds during an outage: the failover runbook keeps access control'),
    ('A.5.30', 'planned', 'lena_cto', 'Treats R3: a second region and tested restores'),
    ('A.5.31', 'implemented', 'amir_ciso', 'GDPR, the NIS2 transposition and customer contracts are in the requirements register'),
    ('A.5.32', 'implemented', 'lena_cto', 'Licences of the software we ship and use are tracked'),
    ('A.5.33', 'implemented', 'amir_ciso', 'The ISMS records are kept in isms27022 with retention and an event chain'),
    ('A.5.34', 'implemented', 'amir_ciso', 'The platform processes personal data of customers'' users (GDPR)'),
    ('A.5.35', 'implemented', 'kofi_audit', 'A contracted lead auditor reviews the ISMS independently'),
    ('A.5.36', 'implemented', 'amir_ciso', 'Compliance with the policies is checked in the internal audit (7.12)'),
    ('A.5.37', 'implemented', 'tomas_eng', 'Operating procedures are written for deploys, restores and access reviews'),
    ('A.6.1',  'implemented', 'mei_people', 'Background checks for staff with production access, as Portuguese law allows'),
    ('A.6.2',  'implemented', 'mei_people', 'Employment contracts state security responsibilities'),
    ('A.6.3',  'partially_implemented', 'mei_people', 'Treats R4: yearly training and phishing simulations'),
    ('A.6.4',  'implemented', 'mei_people', 'The disciplinary process covers policy breaches'),
    ('A.6.5',  'implemented', 'mei_people', 'Confidentiality continues after leaving; access is removed on the last day'),
    ('A.6.6',  'implemented', 'mei_people', 'Staff and contractors sign confidentiality agreements'),
    ('A.6.7',  'implemented', 'mei_people', 'Most staff work remotely: remote working rules and managed laptops'),
    ('A.6.8',  'implemented', 'amir_ciso', 'Anyone reports security events in the #security channel'),
    ('A.7.1',  'implemented', 'mei_people', 'The Lisbon office has a defined perimeter with badge access'),
    ('A.7.2',  'implemented', 'mei_people', 'Badge entry and a visitor log at the Lisbon office'),
    ('A.7.3',  'implemented', 'mei_people', 'Office rooms with customer calls are lockable'),
    ('A.7.4',  'implemented', 'mei_people', 'The office building is monitored by the landlord''s CCTV'),
    ('A.7.5',  'implemented', 'mei_people', 'Fire and flood protection of the office (landlord); the data centres are the provider''s'),
    ('A.7.7',  'implemented', 'mei_people', 'Clear screen by policy and screen lock on managed laptops'),
    ('A.7.8',  'implemented', 'mei_people', 'The office network equipment is in a locked cabinet'),
    ('A.7.9',  'implemented', 'tomas_eng', 'Laptops leave the office every day: disk encryption and remote wipe'),
    ('A.7.10', 'implemented', 'tomas_eng', 'Removable media are blocked on managed laptops'),
    ('A.7.13', 'implemented', 'tomas_eng', 'Laptops are maintained by the vendor''s service under warranty'),
    ('A.7.14', 'implemented', 'tomas_eng', 'Laptops are wiped before re-use or disposal'),
    ('A.8.1',  'implemented', 'tomas_eng', 'Every laptop is managed: encryption, updates, screen lock'),
    ('A.8.2',  'planned', 'lena_cto', 'Treats R1: just-in-time administrator access'),
    ('A.8.3',  'implemented', 'lena_cto', 'Customer data is separated per tenant and per role'),
    ('A.8.4',  'implemented', 'lena_cto', 'Source code access by team, reviewed quarterly'),
    ('A.8.5',  'planned', 'lena_cto', 'Treats R1: phishing-resistant authentication for every login'),
    ('A.8.6',  'implemented', 'tomas_eng', 'Autoscaling and capacity alerts on the platform'),
    ('A.8.7',  'partially_implemented', 'tomas_eng', 'Treats R4: endpoint protection on laptops, attachment scanning for support'),
    ('A.8.8',  'implemented', 'tomas_eng', 'Critical vulnerabilities fixed within 14 days (a security objective)'),
    ('A.8.9',  'planned', 'tomas_eng', 'Treats R2: infrastructure as code with policy checks'),
    ('A.8.10', 'implemented', 'lena_cto', 'Customer data is deleted 30 days after the contract ends'),
    ('A.8.11', 'implemented', 'lena_cto', 'Support sees masked customer data by default'),
    ('A.8.12', 'partially_implemented', 'lena_cto', 'Bulk exports are logged and limited; DLP rules for e-mail in progress'),
    ('A.8.13', 'implemented', 'tomas_eng', 'Treats R3: daily backups, kept 35 days'),
    ('A.8.14', 'planned', 'lena_cto', 'Treats R3: a second region for the platform'),
    ('A.8.15', 'implemented', 'tomas_eng', 'Central logging of the platform and the cloud accounts'),
    ('A.8.16', 'planned', 'tomas_eng', 'Treats R2: alerts on public storage and anomalous access'),
    ('A.8.17', 'implemented', 'tomas_eng', 'All hosts use the provider''s time service'),
    ('A.8.18', 'implemented', 'tomas_eng', 'Utility programs that bypass controls are limited to administrators'),
    ('A.8.19', 'implemented', 'tomas_eng', 'Production images are built by the pipeline only'),
    ('A.8.20', 'implemented', 'tomas_eng', 'Cloud networks are firewalled and private by default'),
    ('A.8.21', 'implemented', 'lena_cto', 'The provider''s network services are covered by its agreement'),
    ('A.8.22', 'implemented', 'tomas_eng', 'Production, staging and office networks are separate'),
    ('A.8.23', 'planned', 'tomas_eng', 'Treats R4: web filtering of known phishing domains'),
    ('A.8.24', 'implemented', 'lena_cto', 'Customer data is encrypted in transit and at rest; keys in the provider''s KMS'),
    ('A.8.25', 'implemented', 'lena_cto', 'A secure development life cycle for the platform'),
    ('A.8.26', 'implemented', 'lena_cto', 'Security requirements in every feature specification'),
    ('A.8.27', 'implemented', 'lena_cto', 'Architecture principles: zero trust, least privilege'),
    ('A.8.28', 'implemented', 'lena_cto', 'Code review and static analysis on every change'),
    ('A.8.29', 'implemented', 'lena_cto', 'Security tests in the pipeline and a yearly penetration test'),
    ('A.8.31', 'implemented', 'tomas_eng', 'Development, staging and production are separate cloud accounts'),
    ('A.8.32', 'implemented', 'tomas_eng', 'Changes go through change management (7.10)'),
    ('A.8.33', 'implemented', 'lena_cto', 'Tests use synthetic data, never production customer data'),
    ('A.8.34', 'implemented', 'kofi_audit', 'Audit tests on production are planned with the platform team')
  ) AS x (c, s, o, why);
SELECT isms.soa_set(:rt, c, false, why)
  FROM (VALUES
    ('A.7.6',  'No secure areas of our own: production runs in the hosting provider''s data centres, covered by its ISO/IEC 27001 certificate'),
    ('A.7.11', 'No equipment of our own that needs supporting utilities: the servers are the provider''s, the office has laptops only'),
    ('A.7.12', 'No cabling of our own: the office is a serviced office, the data centre cabling is the provider''s'),
    ('A.8.30', 'No outsourced development: all code is written by employees (reviewed yearly in 7.7)')
  ) AS x (c, why);

SELECT demo.at(5, 10);
\echo '   The residual risks are the owners'' to accept (6.1.3 f). Amir, who assessed them, tries first:'
\o
SELECT demo.refused('IS028', format('SELECT isms.accept_risk(%s, %s)', :rt, :r1)) \g (tuples_only=on)
\o /dev/null
\echo '   Lena accepts R1-R3 (R3 stays above appetite until the second region exists), Mei R4 and R5.'
SET ROLE lena_cto;
SELECT isms.accept_risk(:rt, r) FROM unnest(ARRAY[:r1, :r2, :r3]::bigint[]) AS r;
SET ROLE mei_people;
SELECT isms.accept_risk(:rt, r) FROM unnest(ARRAY[:r4, :r5]::bigint[]) AS r;
SET ROLE amir_ciso;
\o
SELECT title, owner, level, treatment, controls, residual_level, state, accepted_by
  FROM isms.risk WHERE org_id = :nw ORDER BY risk_id;
\o /dev/null
SELECT demo.at(5, 11);
SELECT isms.new_record(:rt, 'statement_of_applicability', 'Statement of Applicability') AS soa \gset
SELECT isms.new_record(:rt, 'risk_treatment_plan', 'Risk treatment plan',
       '{"R1": "hardware keys and just-in-time access for administrators (A.5.17, A.8.2, A.8.5)",
         "R2": "storage guardrails, policy checks and alerts (A.5.23, A.8.9, A.8.16)",
         "R3": "restore tests now, a second region next year (A.5.30, A.8.13, A.8.14)",
         "R4": "phishing training, simulation and filtering (A.6.3, A.8.7, A.8.23)", "R5": "retained"}') AS plan \gset
SELECT isms.new_record(:rt, 'risk_acceptance', 'Risk owners'' acceptance of residual risk',
       '{"accepted_in_register": {"lena_cto": ["R1", "R2", "R3"], "mei_people": ["R4", "R5"]},
         "residual": {"R1": 6, "R2": 6, "R3": 8, "R4": 6, "R5": 4}, "above_appetite": ["R3"]}') AS acceptance \gset
SELECT demo.work_steps(:rt, 'amir_ciso');
SELECT demo.submit_outputs(:rt);
SELECT demo.at(5, 13);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:rt);
SET ROLE amir_ciso;
SELECT isms.complete_run(:rt);

SELECT demo.at(5, 16);
\echo '   7.6: Tomas starts implementing the plan and keeps the evidence (he finishes in month 7, chapter 4).'
SELECT isms.plan_run(:nw, '7.6', 'Implement the treatment plan', 'tomas_eng', demo.day(5, 16), demo.day(7, 31)) AS impl \gset
SELECT isms.add_input(:impl, r) FROM unnest(ARRAY[:plan, :soa, :acceptance, :policy]::bigint[]) AS r;
SELECT isms.start_run(:impl);
SET ROLE tomas_eng;
SELECT isms.new_record(:impl, 'operating_procedure', 'Quarterly access review procedure',
       '{"steps": ["export grants", "owners confirm", "revoke leftovers", "file evidence"]}');
-- 7.6 is the one process with a documented operating procedure of its own
-- (PA 3.1 in the capability profile)
SELECT isms.new_record(:impl, 'operating_procedure', 'Procedure: implementing a treatment plan item',
       '{"process": "7.6", "steps": ["ticket per control", "implement in a change", "attach evidence", "owner verifies"]}');
SELECT isms.new_record(:impl, 'implementation_record', 'Treatment plan implementation status',
       '{"R1": "done", "R2": "done", "R3": "done: restore tested", "R4": "training scheduled"}',
       's3://northwind-isms/evidence/implementation-q2.pdf',
       encode(sha256('implementation-q2.pdf'::bytea), 'hex')) AS implementation \gset
-- 7.6 maintains the implementation status in the SoA: the live register
-- moves on from the approved snapshot
UPDATE isms.soa SET status = x.status::isms.control_status, run_id = :impl
  FROM (VALUES ('A.5.17', 'implemented'), ('A.8.2', 'implemented'), ('A.8.5', 'implemented'),
               ('A.5.23', 'implemented'), ('A.8.9', 'implemented'), ('A.8.16', 'implemented'),
               ('A.5.30', 'partially_implemented')) AS x (control, status)
 WHERE isms.soa.org_id = :nw AND isms.soa.control = x.control;
RESET ROLE;
COMMIT;
