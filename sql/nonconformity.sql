-- Nonconformities and corrective actions (issue 16, item 2; ISO/IEC 27001
-- 10.2, processes 7.13 and 7.11): a run of 7.11 records its audit findings
-- as nonconformities linked to it and nothing else; each source has its
-- links (IS037); analysis needs the root cause, the plan the action, due
-- date and owner, verification a review (IS038) by someone other than who
-- implemented the action (IS039); an ineffective action goes back with a
-- reason (IS021); the engine's columns (IS020); an incident closes with a
-- linked corrective action instead of lessons learned; the reports
-- corrective_actions_overdue and nonconformities_by_source.
\i test/lib/try.sql
\i test/lib/register_runs.sql
SET search_path = isms, public;

CREATE ROLE regress_nc_lead LOGIN IN ROLE isms_admin;
CREATE ROLE regress_nc_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_nc_implementer LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_nc_verifier LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_nc_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_nc_outsider LOGIN IN ROLE isms_contributor;
SELECT pg_temp.name('organization', create_organization('Improvement Ltd', 'regress_nc_lead'), 'org') AS org \gset
SELECT add_member(:org, 'regress_nc_approver', 'manager'), add_member(:org, 'regress_nc_implementer', 'contributor'),
       add_member(:org, 'regress_nc_verifier', 'contributor'), add_member(:org, 'regress_nc_reader', 'reader');
SET regress.approver = 'regress_nc_approver';

SELECT kind, relation, work_product, maintained_by, created_outside_runs FROM register WHERE kind = 'nonconformity';
SELECT string_agg(state || CASE WHEN initial THEN ' (initial)' WHEN final THEN ' (final)' ELSE '' END,
                  ', ' ORDER BY ordinal) AS states
  FROM lifecycle_state WHERE kind = 'nonconformity';
SELECT t.from_state, t.to_state, t.action, t.guards
  FROM lifecycle_transition t
  JOIN lifecycle_state f ON f.kind = t.kind AND f.state = t.from_state
  JOIN lifecycle_state s ON s.kind = t.kind AND s.state = t.to_state
 WHERE t.kind = 'nonconformity' ORDER BY f.ordinal, s.ordinal;

-- The ISMS so far: governance, requirements, an incident run with lessons
-- learned; an audit (7.11), an improvement run (7.13) and an incident run
-- (7.9) started.
SET ROLE regress_nc_lead;
SELECT pg_temp.publish(new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.publish(new_external_record(:org, 'security_event', 'SIEM alerts')) IS NOT NULL AS events;
SELECT pg_temp.perform(:org, '6.2', '{5}') IS NOT NULL AS governance, pg_temp.perform(:org, '7.3') IS NOT NULL AS requirements,
       pg_temp.perform(:org, '7.9') IS NOT NULL AS incidents;
SELECT pg_temp.name('run', pg_temp.start(:org, '7.11', 'Internal audit'), 'audit') AS audit \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '7.13', 'Improvement'), 'ca') AS ca \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '7.9', 'Incident handling'), 'ir') AS ir \gset

-- The audit records its findings, linked to it, and nothing else (IS037).
SELECT pg_temp.name('nonconformity', raise_nonconformity(:audit, 'Access reviews not evidenced', 'audit_finding', 'A.5.18'), 'access') AS access \gset
SELECT pg_temp.try(format($$SELECT isms.raise_nonconformity(%s, 'A customer complained', 'complaint')$$, :audit));
SELECT pg_temp.try(format($$SELECT isms.analyse_nonconformity(%s, %s, 'Reviewed now', 'No owner')$$, :audit, :access));
SELECT title, source, clause, audit_run_id = :audit AS linked_to_audit, state FROM nonconformity WHERE nonconformity_id = :access;
-- outside 7.11, an audit finding names a run of 7.11 (IS037); the links fit
-- the source (IS037); the clause exists (23503); the owner is a member (IS032)
SELECT pg_temp.try(format($$SELECT isms.raise_nonconformity(%s, 'Found somewhere', 'audit_finding')$$, :ca));
SELECT pg_temp.try(format($$INSERT INTO isms.nonconformity (org_id, run_id, title, source, audit_run_id) VALUES (%s, %s, 'Not an audit', 'audit_finding', %s)$$, :org, :ca, :ca));
SELECT pg_temp.try(format($$SELECT isms.raise_nonconformity(%s, 'From an incident', 'incident')$$, :ca));
SELECT pg_temp.try(format($$INSERT INTO isms.nonconformity (org_id, run_id, title, source, audit_run_id) VALUES (%s, %s, 'A complaint', 'complaint', %s)$$, :org, :ca, :audit));
SELECT pg_temp.try(format($$SELECT isms.raise_nonconformity(%s, 'Nowhere', 'other', '99.9')$$, :ca));
SELECT pg_temp.try(format($$UPDATE isms.nonconformity SET run_id = %s, owner = 'regress_nc_outsider' WHERE nonconformity_id = %s$$, :ca, :access));
-- and only in runs of 7.13 and 7.11 (IS029)
SELECT pg_temp.try(format($$SELECT isms.raise_nonconformity(%s, 'In an incident run', 'other')$$, :ir));
RESET ROLE;
-- the engine's columns, even for the superuser (IS020)
SELECT pg_temp.try(format($$INSERT INTO isms.nonconformity (org_id, run_id, title, source, verified_by) VALUES (%s, %s, 'Verified', 'other', 'regress_nc_verifier')$$, :org, :ca));
SELECT pg_temp.try(format($$UPDATE isms.nonconformity SET run_id = %s, implemented_at = now() WHERE nonconformity_id = %s$$, :ca, :access));

-- The lifecycle in 7.13: analysis needs the root cause, the plan the
-- action, due date and owner (IS038).
SET ROLE regress_nc_lead;
SELECT pg_temp.try(format($$SELECT isms.analyse_nonconformity(%s, %s, 'Reviews done now', NULL)$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.analyse_nonconformity(%s, %s, 'Reviews done now', 'No owner for access reviews')$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.plan_corrective_action(%s, %s, ' ', current_date + 30)$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.plan_corrective_action(%s, %s, 'Quarterly reviews by the IAM owner', NULL)$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.plan_corrective_action(%s, %s, 'Quarterly reviews by the IAM owner', current_date + 30, NULL)$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.plan_corrective_action(%s, %s, 'Quarterly reviews by the IAM owner', current_date + 30, 'regress_nc_implementer')$$, :ca, :access));
-- implemented; verified by someone else (IS039) with a review (IS038)
SET ROLE regress_nc_implementer;
SELECT pg_temp.try(format('SELECT isms.implement_corrective_action(%s, %s)', :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.verify_effectiveness(%s, %s, 'I did it, it works')$$, :ca, :access));
SET ROLE regress_nc_verifier;
SELECT pg_temp.try(format($$SELECT isms.verify_effectiveness(%s, %s, NULL)$$, :ca, :access));
-- not effective: back to planning with a reason (IS021), again
SELECT pg_temp.try(format($$SELECT isms.set_nonconformity_state(%s, %s, 'action_planned')$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.set_nonconformity_state(%s, %s, 'action_planned', 'Q1 review missed two systems')$$, :ca, :access));
SET ROLE regress_nc_implementer;
SELECT pg_temp.try(format('SELECT isms.implement_corrective_action(%s, %s)', :ca, :access));
SET ROLE regress_nc_verifier;
SELECT pg_temp.try(format($$SELECT isms.close_nonconformity(%s, %s)$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.verify_effectiveness(%s, %s, 'Q2 review sampled: every system covered')$$, :ca, :access));
SELECT pg_temp.try(format($$SELECT isms.close_nonconformity(%s, %s)$$, :ca, :access));
SELECT state, root_cause, action, owner, implemented_by, verified_by, implemented_at IS NOT NULL AS implemented,
       verified_at IS NOT NULL AS verified, closed_at IS NOT NULL AS closed
  FROM nonconformity WHERE nonconformity_id = :access;
SELECT pg_temp.try(format($$UPDATE isms.nonconformity SET run_id = %s, action = 'changed' WHERE nonconformity_id = %s$$, :ca, :access));

-- An incident's corrective action lets it close without lessons learned.
SET ROLE regress_nc_lead;
SELECT pg_temp.name('incident', report_incident(:org, 'Ransomware on a file server'), 'ransom') AS ransom \gset
SELECT triage_incident(:ir, :ransom, 'critical', 'nis2'), set_incident_state(:ir, :ransom, 'contained'),
       set_incident_state(:ir, :ransom, 'resolved');
SELECT pg_temp.try(format('SELECT isms.close_incident(%s, %s)', :ir, :ransom));
SELECT pg_temp.name('nonconformity', raise_nonconformity(:ca, 'Backups reachable from the domain', 'incident', 'A.8.13',
                    'The ransomware encrypted the online backups', :ransom), 'backups') AS backups \gset
SELECT pg_temp.try(format('SELECT isms.close_incident(%s, %s)', :ir, :ransom));
SELECT state, lessons_learned FROM incident WHERE incident_id = :ransom;
SELECT detail->>'corrective_action' AS corrective_action FROM event
 WHERE org_id = :org AND object_type = 'incident' AND object_id = :ransom AND action = 'incident.close';

-- Overdue corrective actions and nonconformities by source, as the reader.
SELECT analyse_nonconformity(:ca, :backups, 'Backups taken offline', 'Backup network not segregated'),
       plan_corrective_action(:ca, :backups, 'Immutable offline backups', current_date - 10, 'regress_nc_implementer');
SELECT pg_temp.name('nonconformity', raise_nonconformity(:ca, 'Complaint about a late answer', 'complaint', '7.4'), 'late') AS late \gset
SET ROLE regress_nc_reader;
SELECT title, source, clause, state, action, owner, days_overdue FROM isms_report.corrective_actions_overdue WHERE org_id = :org;
-- what is due (240_due): the planned corrective actions, by their due date
SELECT item_type, subject, title, state, owner, process_code, CURRENT_DATE - due AS days_overdue
  FROM isms_report.due WHERE org_id = :org AND item_type = 'corrective_action' ORDER BY item_id;
SELECT source, clause, nonconformities, open, closed FROM isms_report.nonconformities_by_source WHERE org_id = :org;
RESET ROLE;

-- The register's snapshot, produced in the 7.13 run.
SET ROLE regress_nc_lead;
SELECT pg_temp.name('record', new_record(:ca, 'nonconformity_register', 'Nonconformity register'), 'snap') AS snap \gset
SELECT pg_temp.publish(:snap) = :snap AS approved;
SELECT r.state, r.content->>'register' AS register, r.content->'entry_count' AS entries,
       (SELECT string_agg((e->>'source') || ' ' || (e->>'state'), ', ' ORDER BY (e->>'nonconformity_id')::bigint)
          FROM jsonb_array_elements(r.content->'entries') e) AS nonconformities
  FROM record r WHERE r.record_id = :snap;
RESET ROLE;

SELECT action, old_state, new_state FROM event
 WHERE org_id = :org AND object_type = 'nonconformity' AND object_id = :access ORDER BY event_no;
SELECT detail->>'implemented_by' AS implemented_by, detail->>'verified_by' AS verified_by FROM event
 WHERE org_id = :org AND action = 'nonconformity.verify';
SELECT valid FROM verify_events(:org);

DROP OWNED BY regress_nc_lead, regress_nc_approver, regress_nc_implementer, regress_nc_verifier, regress_nc_reader,
    regress_nc_outsider;
DROP ROLE regress_nc_lead, regress_nc_approver, regress_nc_implementer, regress_nc_verifier, regress_nc_reader,
    regress_nc_outsider;
