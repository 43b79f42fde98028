-- scripts/scenario/05_incidents_and_change.sql -- chapter 5: months 7-9.
-- Two security events handled by incident management (7.9); lessons
-- learned feed a corrective action (7.13) and a change (7.10); the change
-- and the lessons lead to a second risk assessment (7.4) and treatment (7.5).

\echo
\echo '== Chapter 5. Months 7-9: incidents (7.9), corrective action (7.13), change (7.10), reassessment'
\echo '   A support agent reports that he typed his password into a phishing page.'

BEGIN;
SELECT demo.at(7, 8);
SET ROLE tomas_eng;
SELECT isms.new_external_record(:nw, 'security_event', 'Phishing: support agent credentials entered',
       '{"reported_by": "support agent", "channel": "security hotline", "time_to_report_min": 12}') AS phish_event \gset
SELECT isms.new_external_record(:nw, 'security_event', 'Alert: administrator login from a new country',
       '{"source": "SIEM rule 17", "account": "ops-admin"}') AS login_event \gset
SELECT count(isms.submit_record(r)) FROM unnest(ARRAY[:phish_event, :login_event]::bigint[]) AS r;
SET ROLE amir_ciso;
SELECT count(isms.approve_record(r)) FROM unnest(ARRAY[:phish_event, :login_event]::bigint[]) AS r;

\echo '   Amir opens an incident run for each event; Tomas (engineer) handles them, Amir approves.'
SELECT isms.plan_run(:nw, '7.9', 'Incident: phished support credentials', 'tomas_eng', demo.day(7, 8), demo.day(7, 12)) AS inc1 \gset
SELECT isms.add_input(:inc1, r) FROM unnest(ARRAY[:phish_event, :policy]::bigint[]) AS r;
SELECT isms.start_run(:inc1);
SET ROLE tomas_eng;
-- the incident register: the agent's report (anyone may report, outside a
-- run), triaged, contained, resolved and closed with its lessons in the run
SELECT isms.report_incident(:nw, 'INC-1: support agent entered credentials on a phishing page', NULL,
                            demo.day(7, 8), 'phishing', false, '{support portal}') AS inc1_entry \gset
SELECT isms.triage_incident(:inc1, :inc1_entry, 'high', 'none'), isms.set_incident_state(:inc1, :inc1_entry, 'contained'),
       isms.set_incident_state(:inc1, :inc1_entry, 'resolved');
SELECT isms.close_incident(:inc1, :inc1_entry, 'Phishing-resistant MFA for every role with customer access');
SELECT demo.at(7, 10);
SELECT isms.new_record(:inc1, 'incident_record', 'INC-1: support account compromised',
       '{"severity": "high", "customer_data_accessed": false, "contained_after_min": 35,
         "actions": ["password reset", "sessions revoked", "mailbox rules removed"]}',
       's3://northwind-isms/evidence/inc-1-timeline.json',
       encode(sha256('inc-1-timeline.json'::bytea), 'hex')) AS incident \gset
SELECT isms.new_record(:inc1, 'lessons_learned', 'INC-1 lessons learned',
       '{"cause": "support staff had no hardware keys", "lesson": "phishing-resistant MFA for every role with customer access"}') AS lessons \gset
SELECT isms.new_record(:inc1, 'change_request', 'Hardware keys for support staff',
       '{"change": "extend hardware keys from administrators to support staff", "urgency": "high"}') AS change_req \gset
SELECT demo.work_steps(:inc1, 'tomas_eng');
SELECT demo.submit_outputs(:inc1);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:inc1);
SELECT isms.complete_run(:inc1);

SELECT demo.at(8, 3);
\echo '   The login alert waits for the provider''s logs: the run is suspended, then resumed.'
SELECT isms.plan_run(:nw, '7.9', 'Event: administrator login from a new country', 'tomas_eng', demo.day(8, 3), demo.day(8, 10)) AS inc2 \gset
SELECT isms.add_input(:inc2, :login_event);
SELECT isms.start_run(:inc2);
SELECT isms.suspend_run(:inc2, 'waiting for the hosting provider''s access logs');
SELECT demo.at(8, 5);
SELECT isms.resume_run(:inc2);
SET ROLE tomas_eng;
-- EV-2 was a false positive: closed as not an incident, with the reason; a
-- laptop lost the same week holds customer data (GDPR: notified within
-- 72 h) and stays open until the provider confirms the remote wipe
SELECT isms.report_incident(:nw, 'EV-2: administrator login from a new country', NULL, demo.day(8, 3), 'access') AS ev2_entry \gset
SELECT isms.dismiss_incident(:inc2, :ev2_entry, 'Administrator travelling; verified with ops-admin');
SELECT isms.report_incident(:nw, 'INC-3: laptop with a customer list lost', NULL, demo.day(8, 5), 'loss', true,
                            '{sales laptop}') AS inc3_entry \gset
SELECT isms.triage_incident(:inc2, :inc3_entry, 'medium', 'gdpr'), isms.set_incident_state(:inc2, :inc3_entry, 'contained');
SELECT demo.at(8, 6);
UPDATE isms.incident SET run_id = :inc2, notified_at = demo.day(8, 6) WHERE incident_id = :inc3_entry;
SELECT isms.new_record(:inc2, 'incident_record', 'EV-2: administrator travelling, not an incident',
       '{"classification": "event, not an incident", "verified_with": "ops-admin"}');
SELECT isms.new_record(:inc2, 'lessons_learned', 'EV-2 lessons learned',
       '{"lesson": "register travel of administrators to cut false alerts"}');
SELECT demo.at(8, 8);
SELECT demo.work_steps(:inc2, 'tomas_eng', '{"4": "not an incident: no evidence to preserve"}');
SELECT demo.submit_outputs(:inc2);
SET ROLE amir_ciso;
SELECT demo.approve_outputs(:inc2);
SELECT isms.complete_run(:inc2);

SELECT demo.at(8, 9);
\echo '   7.13: Amir handles the lessons of INC-1 as a corrective action; Grace approves.'
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.13', 'Corrective action: INC-1', 'amir_ciso', demo.day(7, 15), demo.day(8, 31)) AS ca1 \gset
SELECT isms.add_input(:ca1, :lessons);
SELECT isms.start_run(:ca1);
-- INC-1 leads to a corrective action in the register: Tomas implements it,
-- Amir verifies its effectiveness
SELECT isms.raise_nonconformity(:ca1, 'Support tools reachable with a password alone', 'incident', 'A.8.5',
                                'INC-1: a phished password was enough', :inc1_entry) AS nc_inc1 \gset
SELECT isms.analyse_nonconformity(:ca1, :nc_inc1, 'Sessions revoked, password reset', 'No hardware keys for support staff'),
       isms.plan_corrective_action(:ca1, :nc_inc1, 'Hardware keys for support staff', demo.day(8, 31), 'tomas_eng');
SELECT demo.at(8, 15);
SET ROLE tomas_eng;
SELECT isms.implement_corrective_action(:ca1, :nc_inc1);
SELECT demo.at(8, 22);
SET ROLE amir_ciso;
SELECT isms.verify_effectiveness(:ca1, :nc_inc1, 'Phishing simulation: no support login without a key'),
       isms.close_nonconformity(:ca1, :nc_inc1);
SELECT isms.new_record(:ca1, 'corrective_action_record', 'CA-1: phishing-resistant MFA for support',
       '{"cause": "password-only access for support tools", "action": "hardware keys, phishing simulation every quarter",
         "effective": true}') AS ca1_record \gset
SELECT demo.work_steps(:ca1, 'amir_ciso', '{"5": "the change itself goes through change management"}');
SELECT demo.submit_outputs(:ca1);
SELECT demo.at(8, 25);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(:ca1);
SET ROLE amir_ciso;
SELECT isms.complete_run(:ca1);

SELECT demo.at(8, 25, 14);
\echo '   7.10: the change request goes to change management; Tomas implements, Lena approves the change.'
SELECT isms.plan_run(:nw, '7.10', 'Change: hardware keys for support', 'tomas_eng', demo.day(8, 1), demo.day(8, 31)) AS chg \gset
SELECT isms.add_input(:chg, r) FROM unnest(ARRAY[:change_req, :register]::bigint[]) AS r;
SELECT isms.start_run(:chg);
SET ROLE tomas_eng;
SELECT isms.new_record(:chg, 'change_assessment', 'Impact of hardware keys for support',
       '{"impact": "45 people, 2 hours each", "risk_if_not_done": "R1 and R4 stay above acceptance"}');
SELECT isms.new_record(:chg, 'change_record', 'Hardware keys rolled out to support',
       '{"done": true, "keys_issued": 45}') AS change_record \gset
SELECT demo.work_steps(:chg, 'tomas_eng');
SELECT demo.submit_outputs(:chg);
\echo '   The last keys are issued on day 4 of month 9: the change (due at the end of month 8) ends late.'
SELECT demo.at(9, 4);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:chg);
SET ROLE amir_ciso;
SELECT isms.complete_run(:chg);

\echo '   A duplicate change run is cancelled; the engine insists on a reason:'
SELECT isms.plan_run(:nw, '7.10', 'Change: hardware keys (duplicate)', 'tomas_eng', demo.day(8, 2), demo.day(8, 31)) AS dup \gset
\o
SELECT demo.refused('IS021', format('SELECT isms.cancel_run(%s, %L)', :dup, '')) \g (tuples_only=on)
\o /dev/null
SELECT isms.cancel_run(:dup, 'duplicate of the change for INC-1');

SELECT demo.at(9, 5);
\echo '   7.4 and 7.5 again: the change and the lessons learned update the risk register to version 2.'
SELECT isms.plan_run(:nw, '7.4', 'Risk reassessment after INC-1', 'amir_ciso', demo.day(9, 1), demo.day(9, 20)) AS ra2 \gset
SELECT isms.add_input(:ra2, r)
  FROM unnest(ARRAY[:scope, :criteria, :requirements, :assets, :lessons, :change_record, :register]::bigint[]) AS r;
SELECT isms.start_run(:ra2);
SELECT isms.new_version(:register, :ra2) AS register_v2 \gset
-- R1 is reassessed (hardware keys are in place; its acceptance is withdrawn
-- until Lena accepts the new plan), R6 is new (owner: Amir)
SELECT isms.reassess_risk(:ra2, :r1, 'INC-1: hardware keys now cover every administrator');
SELECT isms.assess_risk(:ra2, :r1, 2, 4);
SELECT isms.add_risk(:ra2, 'R6 breach notice to Alder Bank later than 24 h', 'amir_ciso',
                     'The contract with Alder Bank requires notice of a breach within 24 hours') AS r6 \gset
SELECT isms.assess_risk(:ra2, :r6, 3, 3);
SELECT isms.evaluate_risk(:ra2, r) FROM unnest(ARRAY[:r1, :r6]::bigint[]) AS r;
SELECT isms.new_record(:ra2, 'risk_assessment_report', 'Risk reassessment report',
       '{"changed": ["R1"], "new": ["R6"], "above_acceptance": ["R1", "R6"]}') AS ra2_report \gset
SELECT demo.at(9, 14);
SELECT demo.work_steps(:ra2, 'amir_ciso');
SELECT demo.submit_outputs(:ra2);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:ra2);
SET ROLE amir_ciso;
SELECT isms.complete_run(:ra2);

SELECT demo.at(9, 21);
SELECT isms.plan_run(:nw, '7.5', 'Treatment of R6', 'amir_ciso', demo.day(9, 21), demo.day(9, 30)) AS rt2 \gset
SELECT isms.add_input(:rt2, r) FROM unnest(ARRAY[:register_v2, :ra2_report, :criteria]::bigint[]) AS r;
SELECT isms.start_run(:rt2);
SELECT isms.confirm_record(:rt2, :soa);
SELECT isms.plan_treatment(:rt2, :r1, 'modify', '{A.5.17,A.8.2,A.8.5}', 1, 3);
SELECT isms.plan_treatment(:rt2, :r6, 'modify', '{A.5.24,A.5.26}', 1, 3);
SELECT isms.accept_risk(:rt2, :r6);
SET ROLE lena_cto;
SELECT isms.accept_risk(:rt2, :r1);
SET ROLE amir_ciso;
SELECT isms.new_version(:plan, :rt2) AS plan_v2 \gset
UPDATE isms.record SET content = content || '{"R6": "24 h breach notice runbook and on-call rota (A.5.24, A.5.26)"}'
 WHERE record_id = :plan_v2;
SELECT isms.new_record(:rt2, 'risk_acceptance', 'Acceptance of residual risk R6',
       '{"accepted_in_register": {"amir_ciso": ["R6"], "lena_cto": ["R1"]}, "residual": {"R1": 3, "R6": 3}}');
SELECT demo.at(9, 27);
SELECT demo.work_steps(:rt2, 'amir_ciso');
SELECT demo.submit_outputs(:rt2);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:rt2);
SET ROLE amir_ciso;
SELECT isms.complete_run(:rt2);
RESET ROLE;
COMMIT;
\set register :register_v2
\set plan :plan_v2

\o
SELECT wp.key AS document, r.version, r.state, r.author, r.approver
  FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
 WHERE r.org_id = :nw AND wp.key IN ('risk_register', 'risk_treatment_plan', 'statement_of_applicability')
 ORDER BY wp.key, r.version;
\o /dev/null
