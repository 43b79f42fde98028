-- The incident register (issue 16, item 1; A.5.24-A.5.28, process 7.9):
-- any member reports an incident outside a run (isms.register's
-- created_outside_runs); triage, containment, resolution and closing only
-- in runs of 7.9 (IS029); the engine's columns (IS020); detection no later
-- than the report, personal data means GDPR, a triage verdict with
-- severity and regime, only real incidents contained and closed, closed
-- with lessons learned (IS036); "not an incident" closed with a reason
-- (IS021); the deadlines GDPR 72 h, NIS2 24 h / 72 h; the 7.9 catalog (Learn
-- optional); the reports
-- open_incidents and notification_deadlines.
\i test/lib/try.sql
\i test/lib/register_runs.sql
SET search_path = isms, public;

CREATE ROLE regress_inc_lead LOGIN IN ROLE isms_admin;
CREATE ROLE regress_inc_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_inc_handler LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_inc_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_inc_other LOGIN IN ROLE isms_admin;
SELECT pg_temp.name('organization', create_organization('Incident Ltd', 'regress_inc_lead'), 'org') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Incident Ltd', 'regress_inc_other'), 'other') AS other \gset
SELECT add_member(:org, 'regress_inc_approver', 'manager'), add_member(:org, 'regress_inc_handler', 'contributor'),
       add_member(:org, 'regress_inc_reader', 'reader');
SET regress.approver = 'regress_inc_approver';

-- The register, its lifecycle, and the 7.9 catalog.
SELECT kind, relation, work_product, maintained_by, created_outside_runs FROM register WHERE kind = 'incident';
SELECT string_agg(state || CASE WHEN initial THEN ' (initial)' WHEN final THEN ' (final)' ELSE '' END,
                  ', ' ORDER BY ordinal) AS states
  FROM lifecycle_state WHERE kind = 'incident';
SELECT t.from_state, t.to_state, t.action, t.guards
  FROM lifecycle_transition t
  JOIN lifecycle_state f ON f.kind = t.kind AND f.state = t.from_state
  JOIN lifecycle_state s ON s.kind = t.kind AND s.state = t.to_state
 WHERE t.kind = 'incident' ORDER BY f.ordinal, s.ordinal;
SELECT a.activity_no, a.name, a.optional,
       (SELECT string_agg(r.clause::text, ',' ORDER BY r.clause) FROM activity_reference r WHERE r.activity_id = a.activity_id) AS refs,
       (SELECT string_agg(w.key || CASE WHEN o.required THEN '' ELSE ' (optional)' END, ', ' ORDER BY w.key)
          FROM process_output o JOIN work_product w USING (work_product_id)
         WHERE o.process_id = a.process_id AND o.activity_no = a.activity_no AND o.org_id IS NULL) AS outputs
  FROM activity a WHERE a.process_id = process_id(:org, '7.9') AND a.org_id IS NULL ORDER BY a.activity_no;

-- The ISMS so far: context, governance and requirements; an event was
-- reported as a security event record; runs of 7.9 and 6.2 started.
SET ROLE regress_inc_lead;
SELECT pg_temp.publish(new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.publish(new_external_record(:org, 'security_event', 'SIEM alerts')) IS NOT NULL AS events;
SELECT pg_temp.perform(:org, '6.2', '{5}') IS NOT NULL AS governance;
SELECT pg_temp.name('run', pg_temp.start(:org, '7.9', 'Incident handling'), 'ir') AS ir \gset
SELECT pg_temp.name('run', pg_temp.start(:org, '6.2', 'Governance'), 'gov') AS gov \gset
RESET ROLE;

-- Any member reports, outside a run: the engine records who and when, and
-- the time of the report is the time of detection unless given.
SET ROLE regress_inc_reader;
SELECT pg_temp.name('incident', report_incident(:org, 'Phishing mail opened', 'A user clicked a link',
                    now() - interval '960 hours', 'phishing', true, '{mail server}'), 'phish') AS phish \gset
SELECT pg_temp.name('incident', report_incident(:org, 'Laptop left on a train'), 'laptop') AS laptop \gset
SELECT pg_temp.name('incident', report_incident(:org, 'Odd login at night', NULL, now() - interval '1 hour'), 'login') AS login \gset
SELECT title, run_id, state, reported_by, reported_at = created_at AS reported_now,
       detected_at = reported_at AS detected_when_reported, early_warning_due, notification_due
  FROM incident WHERE org_id = :org ORDER BY incident_id;
-- not detected after the report (IS036); a reader changes nothing (RLS)
SELECT pg_temp.try(format($$SELECT isms.report_incident(%s, 'Tomorrow', NULL, now() + interval '1 day')$$, :org));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :ir, :phish, 'high', 'gdpr'));
-- a report is born reported (IS001), at the engine's time whatever it names
SELECT pg_temp.try(format($$INSERT INTO isms.incident (org_id, title, state) VALUES (%s, 'Closed at once', 'closed')$$, :org));
BEGIN;
INSERT INTO isms.incident (org_id, title, created_at, updated_at) VALUES (:org, 'Backdated', '2001-01-01', '2001-01-01')
RETURNING created_at = now() AS created_now, updated_at = now() AS updated_now;
ROLLBACK;
-- a non-member reports nothing (RLS)
SET ROLE regress_inc_other;
SELECT pg_temp.try(format($$SELECT isms.report_incident(%s, 'Planted')$$, :org));
SELECT count(*) AS visible FROM incident WHERE org_id = :org;
RESET ROLE;

-- The engine's columns, even for the superuser (IS020); outside a run only
-- a report (IS029); changes in runs of 7.9 only (IS029); no DELETE (IS011).
SELECT pg_temp.try(format($$INSERT INTO isms.incident (org_id, title, reported_at) VALUES (%s, 'Backdated', now() - interval '1 day')$$, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.incident (org_id, title, notification_due) VALUES (%s, 'Deadline', now())$$, :org));
SELECT pg_temp.try(format($$UPDATE isms.incident SET run_id = %s, closed_at = now() WHERE incident_id = %s$$, :ir, :laptop));
SET ROLE regress_inc_handler;
SELECT pg_temp.try(format($$UPDATE isms.incident SET category = 'loss' WHERE incident_id = %s$$, :laptop));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :gov, :laptop, 'low', 'none'));
RESET ROLE;
SELECT pg_temp.try(format('DELETE FROM isms.incident WHERE incident_id = %s', :laptop));
SET ROLE regress_inc_handler;

-- Triage: a verdict (IS036); an incident with severity and regime (IS036);
-- personal data means GDPR (IS036); the deadlines follow from detection.
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L)', :ir, :phish, 'triaged'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, NULL, %L)', :ir, :phish, 'gdpr'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, NULL)', :ir, :phish, 'high'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :ir, :phish, 'high', 'nis2'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :ir, :phish, 'high', 'none'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :ir, :phish, 'high', 'gdpr_nis2'));
SELECT pg_temp.try(format('SELECT isms.triage_incident(%s, %s, %L, %L)', :ir, :login, 'medium', 'nis2'));
SELECT title, state, severity, is_incident, notification_regime,
       early_warning_due - detected_at AS early_warning_after, notification_due - detected_at AS notification_after
  FROM incident WHERE org_id = :org AND state <> 'reported' ORDER BY incident_id;
-- a later change of the regime moves the deadlines
SELECT pg_temp.try(format($$UPDATE isms.incident SET run_id = %s, notification_regime = 'gdpr' WHERE incident_id = %s$$, :ir, :phish));
SELECT early_warning_due, notification_due - detected_at AS notification_after FROM incident WHERE incident_id = :phish;

-- Not an incident: closed with a reason (IS021), never contained (IS036);
-- a real incident is not dismissed (IS036).
SELECT pg_temp.try(format('SELECT isms.dismiss_incident(%s, %s, NULL)', :ir, :laptop));
SELECT state FROM incident WHERE incident_id = :laptop;
SELECT pg_temp.try(format($$UPDATE isms.incident SET run_id = %s, is_incident = false, notification_regime = 'none', state = 'triaged' WHERE incident_id = %s$$, :ir, :laptop));
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L)', :ir, :laptop, 'contained'));
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L, %L)', :ir, :laptop, 'closed', '   '));
SELECT pg_temp.try(format('SELECT isms.dismiss_incident(%s, %s, %L)', :ir, :phish, 'looks harmless'));
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L, %L)', :ir, :laptop, 'closed', 'The laptop was in the bag; encrypted anyway'));
SELECT state, state_reason, closed_at IS NOT NULL AS closed FROM incident WHERE incident_id = :laptop;
SELECT pg_temp.try(format($$UPDATE isms.incident SET run_id = %s, category = 'loss' WHERE incident_id = %s$$, :ir, :laptop));

-- A real incident: contained, resolved, closed only with lessons learned
-- (IS036), in order (IS001).
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L)', :ir, :phish, 'resolved'));
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L)', :ir, :phish, 'contained'));
SELECT pg_temp.try(format('SELECT isms.set_incident_state(%s, %s, %L)', :ir, :phish, 'resolved'));
SELECT pg_temp.try(format('SELECT isms.close_incident(%s, %s)', :ir, :phish));
SELECT pg_temp.try(format('SELECT isms.close_incident(%s, %s, %L)', :ir, :phish, ' '));
SELECT state, closed_at IS NULL AS open FROM incident WHERE incident_id = :phish;

-- The reports, as the reader: open incidents by age and severity, and which
-- are open after 30 days; the deadlines not met (the NIS2 early warning of
-- the night login is due in 23 hours; the phishing notification is overdue).
SET ROLE regress_inc_reader;
SELECT title, severity, severity_value, state, is_incident, personal_data, notification_regime, age_days, affected_assets
  FROM isms_report.open_incidents WHERE org_id = :org;
SELECT title, age_days FROM isms_report.open_incidents WHERE age_days > 30;
SELECT title, deadline, notification_regime, round(hours_left) AS hours_left, overdue FROM isms_report.notification_deadlines WHERE org_id = :org;
SET ROLE regress_inc_handler;
SELECT pg_temp.try(format($$UPDATE isms.incident SET run_id = %s, early_warning_at = now() WHERE incident_id = %s$$, :ir, :login));
SELECT title, deadline FROM isms_report.notification_deadlines WHERE org_id = :org;
SELECT pg_temp.try(format('SELECT isms.close_incident(%s, %s, %L)', :ir, :phish, 'Report-phishing button; MFA on webmail'));
SELECT title, state FROM isms_report.open_incidents WHERE org_id = :org;

-- A 7.9 run whose triage found no incident skips Learn (now optional) and
-- completes without lessons learned.
SET ROLE regress_inc_lead;
SELECT pg_temp.name('run', pg_temp.start(:org, '7.9', 'False alarm'), 'fa') AS fa \gset
SELECT pg_temp.name('incident', report_incident(:org, 'Alarm of the door sensor'), 'door') AS door \gset
SELECT pg_temp.try(format('SELECT isms.dismiss_incident(%s, %s, %L)', :fa, :door, 'Sensor fault, nothing entered'));
SELECT pg_temp.finish(:org, :fa, 1, '{4,5}') = :fa AS completed;
SELECT w.key FROM run_record l JOIN record r USING (org_id, record_id) JOIN work_product w USING (work_product_id)
 WHERE l.run_id = :fa AND l.role = 'output' ORDER BY w.key;
RESET ROLE;

-- The register's snapshot: a record of incident_register produced in a 7.9
-- run holds every incident as it stood at submission.
SET ROLE regress_inc_lead;
SELECT pg_temp.name('record', new_record(:ir, 'incident_register', 'Incident register'), 'snap') AS snap \gset
SELECT pg_temp.publish(:snap) = :snap AS approved;
SELECT r.state, r.content->>'register' AS register, r.content->'entry_count' AS entries,
       (SELECT string_agg(e->>'title' || ' ' || (e->>'state'), ', ' ORDER BY (e->>'incident_id')::bigint)
          FROM jsonb_array_elements(r.content->'entries') e) AS incidents
  FROM record r WHERE r.record_id = :snap;
RESET ROLE;

-- Every change is an event; the chain is intact.
SELECT object_type, action, old_state, new_state, detail->>'run_id' IS NOT NULL AS in_run
  FROM event WHERE org_id = :org AND object_type = 'incident' AND object_id = :phish ORDER BY event_no;
SELECT detail->>'reason' AS reason FROM event WHERE org_id = :org AND action = 'incident.dismiss' ORDER BY event_no;
SELECT valid FROM verify_events(:org);

DROP OWNED BY regress_inc_lead, regress_inc_approver, regress_inc_handler, regress_inc_reader, regress_inc_other;
DROP ROLE regress_inc_lead, regress_inc_approver, regress_inc_handler, regress_inc_reader, regress_inc_other;
