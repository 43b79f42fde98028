-- The register mechanism, the risk criteria and the risk register (issue 15,
-- items 2 and 3): changes only in active runs of the maintaining processes
-- (IS029), entries closed and never deleted (IS011, IS026), fixed keys
-- (IS009), owners are members (IS032), control codes name controls (IS033),
-- valid criteria and values on their scales (IS027), the risk lifecycle and
-- acceptance by the risk owner alone (IS028); for the API and for plain DML,
-- as tenant roles.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_risk_lead LOGIN IN ROLE isms_admin;
CREATE ROLE regress_risk_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_risk_assessor LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_risk_owner LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_risk_nobody LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_risk_other LOGIN IN ROLE isms_admin;
SELECT pg_temp.name('organization', create_organization('Risk Ltd', 'regress_risk_lead'), 'org') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Risk Ltd', 'regress_risk_other'), 'other') AS other \gset
SELECT add_member(:org, 'regress_risk_approver', 'manager'), add_member(:org, 'regress_risk_assessor', 'contributor'),
       add_member(:org, 'regress_risk_owner', 'contributor');

-- Publish a record (the writer submits, the approver approves), start and
-- perform runs: test/lib/register_runs.sql.
SET regress.approver = regress_risk_approver;
\i test/lib/register_runs.sql

-- The ISMS so far: context, requirements and a first risk assessment done.
SET ROLE regress_risk_lead;
SELECT pg_temp.publish(new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.name('run', pg_temp.perform(:org, '6.2', '{5}'), 'done') AS done \gset
SELECT pg_temp.perform(:org, '7.3') IS NOT NULL AS requirements, pg_temp.perform(:org, '7.4') IS NOT NULL AS assessed;
SELECT pg_temp.name('run', pg_temp.start(:org, '6.2', 'Governance'), 'gov') AS gov \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '7.4', 'Risk assessment'), 'ra') AS ra \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '7.5', 'Risk treatment'), 'rt') AS rt \gset
SELECT pg_temp.name('run', plan_run(:org, '7.4', 'Next assessment'), 'planned') AS planned \gset
RESET ROLE;

-- The registers and the processes that maintain them.
SELECT kind, relation, work_product, maintained_by FROM register ORDER BY kind;
SELECT kind, string_agg(state || CASE WHEN initial THEN ' (initial)' WHEN final THEN ' (final)' ELSE '' END,
                        ', ' ORDER BY ordinal) AS states
  FROM lifecycle_state WHERE kind = 'risk' GROUP BY kind;
SELECT t.from_state, t.to_state, t.action, t.guards
  FROM lifecycle_transition t
  JOIN lifecycle_state f ON f.kind = t.kind AND f.state = t.from_state
  JOIN lifecycle_state s ON s.kind = t.kind AND s.state = t.to_state
 WHERE t.kind = 'risk' ORDER BY f.ordinal, s.ordinal;

-- Risk criteria: labels non-blank and distinct, a matrix of the scales'
-- shape with levels >= 1 that never decrease, a threshold that is a
-- possible level (IS027); only in an active run of 6.2 or 7.4 (IS029).
SET ROLE regress_risk_lead;
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible," "}', '{minor,major,severe}', 3)$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major,major}', 3)$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major,severe}', 3, '{1,2,3,2,3,4,3,4,5}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 3, '{{1,2},{2,3}}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 3, '{{1,2},{2,1},{3,4}}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 3, '{{1,2},{3,3},{2,4}}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 3, '{{0,2},{2,3},{3,4}}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 7)$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 5, '{{2,2},{2,3},{3,4}}')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{rare,possible,likely}', '{minor,major}', 1, '{{2,2},{2,3},{3,4}}')$$, :gov));
-- the run: completed, planned, of a process that does not maintain the
-- criteria, of no organisation's (plain DML)
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{low,high}', '{low,high}', 2)$$, :done));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{low,high}', '{low,high}', 2)$$, :planned));
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{low,high}', '{low,high}', 2)$$, :rt));
SELECT pg_temp.try(format($$INSERT INTO isms.risk_criteria (org_id, run_id, likelihood_levels, impact_levels, acceptance_threshold) VALUES (%s, -1, '{low,high}', '{low,high}', 2)$$, :org));
SELECT count(*) AS criteria FROM risk_criteria WHERE org_id = :org;
RESET ROLE;

-- A risk needs criteria before it is rated (IS027, with a hint).
SET ROLE regress_risk_assessor;
SELECT pg_temp.name('risk', add_risk(:ra, 'Phishing leads to account takeover', 'regress_risk_owner'), 'phishing') AS phishing \gset
SELECT pg_temp.try(format('SELECT isms.assess_risk(%s, %s, 2, 3)', :ra, :phishing));
RESET ROLE;

-- The tutorial (docs/registers.md): criteria of 5 x 5 levels, level =
-- likelihood x impact, appetite 6; a risk identified, rated, evaluated,
-- treated with an Annex A control and an own control, accepted by its owner.
SET ROLE regress_risk_lead;
SELECT set_risk_criteria(:gov, '{rare,unlikely,possible,likely,almost certain}',
                         '{negligible,minor,moderate,major,severe}', 6);
SELECT likelihood_levels, impact_levels, level_rule, acceptance_threshold FROM risk_criteria WHERE org_id = :org;
RESET ROLE;
SET ROLE regress_risk_assessor;
SELECT assess_risk(:ra, :phishing, 4, 4);
SELECT evaluate_risk(:ra, :phishing);
SELECT likelihood, impact, level, state FROM risk WHERE risk_id = :phishing;
-- own controls are rows of the SoA, maintained in 7.5 (or 7.6) runs
INSERT INTO soa (org_id, control, title, run_id, applicable, justification)
VALUES (:org, 'ACME-MFA', 'Phishing-resistant MFA for every login', :rt, true, 'Treats the phishing risk');
SELECT plan_treatment(:rt, :phishing, 'modify', '{A.5.17,A.8.5,ACME-MFA}', 2, 2);
SELECT treatment, controls, residual_level, state FROM risk WHERE risk_id = :phishing;
RESET ROLE;
SET ROLE regress_risk_owner;
SELECT accept_risk(:rt, :phishing);
SELECT state, accepted_by, accepted_at IS NOT NULL AS accepted FROM risk WHERE risk_id = :phishing;
RESET ROLE;
-- every change is an event
SELECT action, old_state, new_state, detail - 'risk_id' - 'run_id' AS detail
  FROM event WHERE org_id = :org AND object_type = 'risk' AND object_id = :phishing ORDER BY event_no;

-- Changes only in an active run of 7.4 or 7.5 (IS029), API and plain DML.
SET ROLE regress_risk_assessor;
SELECT pg_temp.try(format($$SELECT isms.add_risk(%s, 'Lost laptop')$$, :gov));
SELECT pg_temp.try(format($$SELECT isms.add_risk(%s, 'Lost laptop')$$, :done));
SELECT pg_temp.try(format($$SELECT isms.add_risk(%s, 'Lost laptop')$$, :planned));
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner) VALUES (%s, -1, 'Lost laptop', 'regress_risk_owner')$$, :org));
SELECT pg_temp.name('risk', add_risk(:ra, 'Lost laptop', 'regress_risk_owner', 'Unencrypted disks', 'Sales laptops'), 'laptop') AS laptop \gset
SELECT pg_temp.try(format('UPDATE isms.risk SET run_id = %s, description = %L WHERE risk_id = %s', :done, 'again', :laptop));
-- a change that does not name a run is made in the run named last, if it is still active
SELECT pg_temp.try(format('UPDATE isms.risk SET description = %L WHERE risk_id = %s', 'Credential phishing', :phishing));

-- The owner is a member (IS032): not a non-member login, not a group role.
SELECT pg_temp.try(format($$SELECT isms.add_risk(%s, 'Fire', 'regress_risk_nobody')$$, :ra));
SELECT pg_temp.try(format($$SELECT isms.add_risk(%s, 'Fire', 'isms_contributor')$$, :ra));
SELECT pg_temp.try(format($$UPDATE isms.risk SET owner = 'regress_risk_other' WHERE risk_id = %s$$, :laptop));

-- The engine's columns (IS020) and the initial state (IS001) on INSERT.
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner, likelihood, impact, level) VALUES (%s, %s, 'Fire', 'regress_risk_owner', 1, 1, 1)$$, :org, :ra));
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner, accepted_by) VALUES (%s, %s, 'Fire', 'regress_risk_owner', 'regress_risk_owner')$$, :org, :ra));
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner, state) VALUES (%s, %s, 'Fire', 'regress_risk_owner', 'accepted')$$, :org, :ra));

-- Values on the scales (IS027), by the API and plain DML; nothing is
-- half-written.
SELECT pg_temp.try(format('SELECT isms.assess_risk(%s, %s, 6, 2)', :ra, :laptop));
SELECT pg_temp.try(format('SELECT isms.assess_risk(%s, %s, 2, 0)', :ra, :laptop));
SELECT pg_temp.try(format('UPDATE isms.risk SET residual_impact = 9 WHERE risk_id = %s', :laptop));
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner, likelihood) VALUES (%s, %s, 'Fire', 'regress_risk_owner', 7)$$, :org, :ra));
SELECT likelihood, impact, residual_impact, level, state FROM risk WHERE risk_id = :laptop;

-- The lifecycle: analysed needs both values (IS027), no skipping (IS001).
SELECT pg_temp.try(format('UPDATE isms.risk SET likelihood = 2, state = %L WHERE risk_id = %s', 'analysed', :laptop));
SELECT pg_temp.try(format('UPDATE isms.risk SET state = %L WHERE risk_id = %s', 'evaluated', :laptop));
SELECT likelihood, impact, level, state FROM risk WHERE risk_id = :laptop;
SELECT assess_risk(:ra, :laptop, 2, 2);
SELECT level, state FROM risk WHERE risk_id = :laptop;
SELECT pg_temp.try(format('SELECT isms.accept_risk(%s, %s)', :rt, :laptop));
SELECT evaluate_risk(:ra, :laptop);

-- Treatment: an option and residual values (IS027), controls for modify and
-- share (IS027), known controls (IS033), residual not above inherent (IS027).
SELECT pg_temp.try(format('UPDATE isms.risk SET state = %L WHERE risk_id = %s', 'treatment_planned', :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'modify', '{A.8.1}')$$, :rt, :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'share', '{}', 1, 1)$$, :rt, :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'modify', '{A.8.1,A.99.1}', 1, 1)$$, :rt, :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'modify', '{A.8.1,ACME-DLP}', 1, 1)$$, :rt, :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'modify', '{A.8.1,NULL}', 1, 1)$$, :rt, :laptop));
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'modify', '{A.8.1}', 3, 2)$$, :rt, :laptop));
SELECT pg_temp.try(format($$UPDATE isms.risk SET controls = '{a.8.24}' WHERE risk_id = %s$$, :laptop));
SELECT treatment, controls, residual_likelihood, residual_impact, residual_level, state FROM risk WHERE risk_id = :laptop;
-- retaining within the appetite (4 <= 6) is anyone's plan; the residual is the inherent risk
SELECT plan_treatment(:rt, :laptop, 'retain');
SELECT treatment, residual_likelihood, residual_impact, residual_level, state FROM risk WHERE risk_id = :laptop;

-- Acceptance only by the risk owner (IS028): not the assessor, not the
-- organisation's admin, not by making oneself the owner in the same change.
SELECT pg_temp.try(format('SELECT isms.accept_risk(%s, %s)', :rt, :laptop));
RESET ROLE;
SET ROLE regress_risk_lead;
SELECT pg_temp.try(format('SELECT isms.accept_risk(%s, %s)', :rt, :laptop));
SELECT pg_temp.try(format($$UPDATE isms.risk SET owner = 'regress_risk_lead', state = 'accepted' WHERE risk_id = %s$$, :laptop));
RESET ROLE;
SET ROLE regress_risk_owner;
SELECT accept_risk(:rt, :laptop);
RESET ROLE;

-- Retaining above the appetite is the owner's decision (IS028).
SET ROLE regress_risk_assessor;
SELECT pg_temp.name('risk', add_risk(:ra, 'Ransomware', 'regress_risk_owner'), 'ransomware') AS ransomware \gset
SELECT assess_risk(:ra, :ransomware, 3, 5), evaluate_risk(:ra, :ransomware);
SELECT pg_temp.try(format($$SELECT isms.plan_treatment(%s, %s, 'retain')$$, :rt, :ransomware));
RESET ROLE;
SET ROLE regress_risk_owner;
SELECT plan_treatment(:rt, :ransomware, 'retain');
SELECT level, residual_level, treatment, state FROM risk WHERE risk_id = :ransomware;
RESET ROLE;

-- An accepted risk stays as accepted (IS009) until reassessed with a
-- reason (IS021), which withdraws the acceptance; closing needs a reason,
-- a closed risk never changes.
SET ROLE regress_risk_assessor;
SELECT pg_temp.try(format('UPDATE isms.risk SET likelihood = 1 WHERE risk_id = %s', :phishing));
SELECT pg_temp.try(format($$UPDATE isms.risk SET controls = '{A.5.17}' WHERE risk_id = %s$$, :phishing));
SELECT pg_temp.try(format('SELECT isms.reassess_risk(%s, %s, NULL)', :ra, :phishing));
SELECT pg_temp.try(format($$SELECT isms.reassess_risk(%s, %s, ' ')$$, :ra, :phishing));
SELECT reassess_risk(:ra, :phishing, 'MFA rollout slipped a quarter');
SELECT state, accepted_by, accepted_at, state_reason FROM risk WHERE risk_id = :phishing;
SELECT pg_temp.try(format('UPDATE isms.risk SET state = %L WHERE risk_id = %s', 'closed', :ransomware));
SELECT close_risk(:rt, :ransomware, 'Business line sold');
SELECT pg_temp.try(format('UPDATE isms.risk SET description = %L WHERE risk_id = %s', 'after closing', :ransomware));
SELECT pg_temp.try(format('SELECT isms.reassess_risk(%s, %s, %L)', :ra, :ransomware, 'reopen'));

RESET ROLE;
-- Entries are never deleted (IS011; tenants have no DELETE privilege, so
-- the table owner tries) nor truncated (IS026).
SELECT pg_temp.try(format('DELETE FROM isms.risk WHERE risk_id = %s', :laptop));
SELECT pg_temp.try(format('DELETE FROM isms.risk_criteria WHERE org_id = %s', :org));
SELECT pg_temp.try('TRUNCATE isms.risk');
SELECT pg_temp.try('TRUNCATE isms.soa');
SELECT pg_temp.try('TRUNCATE isms.risk_criteria');
-- The key and the organisation are fixed (IS009), even for a superuser.
SELECT pg_temp.try(format('UPDATE isms.risk SET risk_id = risk_id + 1000000 WHERE risk_id = %s', :laptop));
SELECT pg_temp.try(format('UPDATE isms.risk SET org_id = %s WHERE risk_id = %s', :other, :laptop));
SELECT pg_temp.try(format($$UPDATE isms.soa SET control = 'ACME-2FA' WHERE org_id = %s AND control = 'ACME-MFA'$$, :org));
-- The engine's columns are the engine's (IS020).
SELECT pg_temp.try(format('UPDATE isms.risk SET level = 1 WHERE risk_id = %s', :laptop));

-- The SoA's controls (IS033): an Annex A code must be in the catalog; own
-- codes are defined by their row.  The SoA's owner is a member (IS032).
SET ROLE regress_risk_assessor;
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification) VALUES (%s, 'A.99.1', %s, true, 'x')$$, :org, :rt));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification, owner) VALUES (%s, 'A.5.1', %s, true, 'Policies', 'regress_risk_nobody')$$, :org, :rt));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification, owner) VALUES (%s, 'A.5.1', %s, true, 'Policies', 'regress_risk_owner')$$, :org, :rt));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification) VALUES (%s, 'A.5.2', %s, true, 'Roles')$$, :org, :ra));
RESET ROLE;
SELECT pg_temp.try(format($$DELETE FROM isms.soa WHERE org_id = %s AND control = 'A.5.1'$$, :org));
SELECT action, detail - 'run_id' AS detail FROM event WHERE org_id = :org AND object_type = 'soa' ORDER BY event_no;

-- Scales cannot shrink under open risks (IS027); closed risks do not count.
SET ROLE regress_risk_lead;
SELECT pg_temp.try(format($$SELECT isms.set_risk_criteria(%s, '{low,medium,high}', '{negligible,minor,moderate,major,severe}', 6)$$, :ra));
SELECT set_risk_criteria(:ra, '{rare,unlikely,possible,likely,almost certain}', '{negligible,minor,moderate,major,severe}', 8);
RESET ROLE;
SELECT action, detail - 'run_id' AS detail FROM event WHERE org_id = :org AND object_type = 'risk_criteria' ORDER BY event_no;

-- Another tenant sees nothing and changes nothing (IS015).
SET ROLE regress_risk_other;
SELECT count(*) AS risks FROM risk WHERE org_id = :org;
SELECT pg_temp.try(format('SELECT isms.close_risk(%s, %s, %L)', :ra, :laptop, 'not mine'));
SELECT pg_temp.try(format($$INSERT INTO isms.risk (org_id, run_id, title, owner) VALUES (%s, %s, 'Planted', 'regress_risk_other')$$, :org, :ra));
RESET ROLE;

SELECT title, owner, likelihood, impact, level, treatment, residual_level, state, accepted_by
  FROM risk WHERE org_id = :org ORDER BY risk_id;
SELECT valid FROM verify_events(:org);

DROP OWNED BY regress_risk_lead, regress_risk_approver, regress_risk_assessor, regress_risk_owner,
    regress_risk_nobody, regress_risk_other;
DROP ROLE regress_risk_lead, regress_risk_approver, regress_risk_assessor, regress_risk_owner,
    regress_risk_nobody, regress_risk_other;
