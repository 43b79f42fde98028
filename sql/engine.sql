-- The engine's rules, each both ways: allowed, and refused with its exact
-- SQLSTATE, through the API.  (engine_dml.sql does the same through plain
-- DML and COPY; engine_e2e.sql runs all 17 processes.)
\i test/lib/try.sql
SET search_path = isms, public;

-- People: alice writes, bob approves, carol works for another organisation.
CREATE ROLE regress_isms_alice LOGIN;
CREATE ROLE regress_isms_bob LOGIN;
CREATE ROLE regress_isms_carol LOGIN;
GRANT isms_manager TO regress_isms_alice, regress_isms_bob, regress_isms_carol;

SELECT pg_temp.name('organization', create_organization('Engine Test Ltd'), 'acme') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Corp'), 'other') AS other \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org, 'regress_isms_alice', 'manager'), (:org, 'regress_isms_bob', 'manager'),
    (:other, 'regress_isms_carol', 'manager');

SET ROLE regress_isms_alice;

-- 1. External and process records: origin rules (IS007).
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Phishing mail reported',
                                                  '{"reported_by": "helpdesk"}'), 'event') AS ev \gset
SELECT pg_temp.try($$SELECT isms.new_external_record($$ || :org || $$, 'risk_register', 'Forged register')$$);
SELECT pg_temp.try($$SELECT isms.new_external_record($$ || :org || $$, 'no_such_thing', 'x')$$);

-- 2. A run of 7.9 (incident management) cannot start without its input (IS002).
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Phishing incident', due => current_date + 7), 'incident') AS run \gset
SELECT activity_no, state FROM step WHERE run_id = :run ORDER BY activity_no;
SELECT * FROM run_blockers(:run);
SELECT pg_temp.try('SELECT isms.start_run(' || :run || ')');

-- Inputs must be approved (IS013) ...
SELECT pg_temp.try('SELECT isms.add_input(' || :run || ', ' || :ev || ')');
SELECT submit_record(:ev);
-- ... and not approved by their author (IS010).
SELECT pg_temp.try('SELECT isms.approve_record(' || :ev || ')');
SET ROLE regress_isms_bob;
SELECT approve_record(:ev);
SELECT state, author, approver, valid_until IS NULL AS never_expires,
       retain_until = (current_date + interval '36 months')::date AS retained_36_months
  FROM record WHERE record_id = :ev;

-- ... and of a work product the process accepts (IS013).
SELECT pg_temp.name('record', new_external_record(:org, 'business_context', 'Strategy'), 'strategy') AS bc \gset
SELECT submit_record(:bc);
SET ROLE regress_isms_alice;
SELECT approve_record(:bc);
SELECT pg_temp.try('SELECT isms.add_input(' || :run || ', ' || :bc || ')');
SELECT add_input(:run, :ev);
SELECT * FROM run_blockers(:run);

-- 3. Lifecycle (IS001): planned cannot jump to completed.
SELECT pg_temp.try('SELECT isms.complete_run(' || :run || ')');
SELECT start_run(:run);
-- starting an active run again changes nothing
SELECT pg_temp.try('SELECT isms.start_run(' || :run || ')');

-- 4. Steps: in order (IS003), in an active run (IS004), skip only optional with a reason (IS005, IS021).
SELECT pg_temp.try('SELECT isms.start_step(' || :run || ', 2)');
SELECT pg_temp.try('SELECT isms.start_step(' || :run || ', 9)');
SELECT start_step(:run, 1);
SELECT pg_temp.try('SELECT isms.suspend_run(' || :run || ', NULL)');
SELECT suspend_run(:run, 'waiting for the forensic image');
SELECT pg_temp.try('SELECT isms.finish_step(' || :run || ', 1)');
SELECT resume_run(:run);
SELECT finish_step(:run, 1);
SELECT start_step(:run, 2);
SELECT pg_temp.try('SELECT isms.skip_step(' || :run || ', 3, ''not needed'')');

-- 5. Outputs: only of a work product the process outputs (IS007), as drafts.
SELECT pg_temp.try('SELECT isms.new_record(' || :run || ', ''risk_register'', ''Not mine'')');
SELECT pg_temp.name('record', new_record(:run, 'incident_record', 'INC-1 phishing', '{"severity": "medium"}'), 'inc') AS inc \gset
SELECT role, linked_by FROM run_record WHERE record_id = :inc;
-- a draft is editable; once submitted it is frozen (IS009)
UPDATE record SET content = '{"severity": "high"}' WHERE record_id = :inc;
SELECT submit_record(:inc);
SELECT pg_temp.try('UPDATE isms.record SET content = ''{"severity": "low"}'' WHERE record_id = ' || :inc);
-- sent back with a reason (IS021 without one), edited, resubmitted
SET ROLE regress_isms_bob;
SELECT pg_temp.try('SELECT isms.return_record(' || :inc || ', '''')');
SELECT return_record(:inc, 'add the timeline');
SET ROLE regress_isms_alice;
UPDATE record SET content = content || '{"timeline": ["09:00 reported"]}' WHERE record_id = :inc;
SELECT submit_record(:inc);
SET ROLE regress_isms_bob;
SELECT approve_record(:inc);
SELECT pg_temp.try('UPDATE isms.record SET title = ''rewritten'' WHERE record_id = ' || :inc);
-- tenants may not even try (42501); the engine refuses superusers too (IS020)
SELECT pg_temp.try('UPDATE isms.record SET valid_until = current_date + 1000 WHERE record_id = ' || :inc);
RESET ROLE;
SELECT pg_temp.try('UPDATE isms.record SET valid_until = current_date + 1000 WHERE record_id = ' || :inc);
SET ROLE regress_isms_bob;
SELECT pg_temp.try('UPDATE isms.record SET state = ''superseded'' WHERE record_id = ' || :inc);
SELECT pg_temp.try('DELETE FROM isms.record WHERE record_id = ' || :inc);
SET ROLE regress_isms_alice;
SELECT finish_step(:run, 2);

-- 6. Completion needs every step finished and required outputs approved (IS008).
SELECT pg_temp.try('SELECT isms.complete_run(' || :run || ')');
SELECT start_step(:run, 3);
SELECT finish_step(:run, 3);
SELECT pg_temp.try('SELECT isms.skip_step(' || :run || ', 4, NULL)');
SELECT skip_step(:run, 4, 'no legal follow-up expected');
SELECT start_step(:run, 5);
SELECT pg_temp.name('record', new_record(:run, 'lessons_learned', 'Lessons from INC-1'), 'lessons') AS ll \gset
SELECT finish_step(:run, 5);
SELECT * FROM run_blockers(:run);
SELECT pg_temp.try('SELECT isms.complete_run(' || :run || ')');
SELECT submit_record(:ll);
SET ROLE regress_isms_bob;
SELECT approve_record(:ll);
SELECT complete_run(:run);
SELECT state, started_at IS NOT NULL AS started, ended_at IS NOT NULL AS ended FROM run WHERE run_id = :run;
-- a closed run is evidence: no change, no new input, no deletion
SELECT pg_temp.try('UPDATE isms.run SET title = ''renamed'' WHERE run_id = ' || :run);
SELECT pg_temp.try('SELECT isms.cancel_run(' || :run || ', ''oops'')');
SELECT pg_temp.try('DELETE FROM isms.run WHERE run_id = ' || :run);
RESET ROLE;
SELECT pg_temp.try('DELETE FROM isms.run WHERE run_id = ' || :run);
SELECT pg_temp.try('DELETE FROM isms.step WHERE run_id = ' || :run);
SET ROLE regress_isms_bob;
SELECT pg_temp.try('DELETE FROM isms.run_record WHERE run_id = ' || :run);

-- 7. Versions: a new version supersedes the approved one when approved.
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Second incident'), 'incident2') AS run2 \gset
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Lost laptop'), 'event2') AS ev2 \gset
SELECT submit_record(:ev2);
SET ROLE regress_isms_alice;
SELECT approve_record(:ev2);
SELECT add_input(:run2, :ev2);
SELECT start_run(:run2);
SELECT start_step(:run2, 1);
SELECT finish_step(:run2, 1);
SELECT start_step(:run2, 2);
SELECT pg_temp.try('SELECT isms.new_version(' || :inc || ')');
SELECT pg_temp.name('record', new_version(:inc, :run2), 'inc_v2') AS inc2 \gset
SELECT version, state, document_id = :inc AS same_document FROM record WHERE record_id = :inc2;
UPDATE record SET content = content || '{"reopened": true}' WHERE record_id = :inc2;
SELECT submit_record(:inc2);
SET ROLE regress_isms_bob;
SELECT approve_record(:inc2);
SELECT pg_temp.named('record ' || record_id) AS record, version, state FROM record
 WHERE document_id = :inc ORDER BY version;
-- withdrawal needs a reason
SELECT pg_temp.try('SELECT isms.withdraw_record(' || :inc2 || ', NULL)');

-- 8. Confirmation: an approved output confirmed by a later run, without a new version.
SET ROLE regress_isms_alice;
SELECT pg_temp.try('SELECT isms.confirm_record(' || :run2 || ', ' || :ev || ')');
SELECT confirm_record(:run2, :ll);
SELECT action, pg_temp.named(detail::text) AS detail FROM event
 WHERE org_id = :org AND object_type = 'record' AND object_id = :ll ORDER BY event_no DESC LIMIT 1;

-- 9. A discarded draft leaves an event; a submitted one cannot be deleted (IS011).
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Duplicate report'), 'dup') AS dup \gset
DELETE FROM record WHERE record_id = :dup;
SELECT pg_temp.named(action || ' record ' || object_id) FROM event WHERE org_id = :org ORDER BY event_no DESC LIMIT 1;

-- 10. Tenancy of rules: another organisation's records cannot be linked (IS015).
SET ROLE regress_isms_carol;
SELECT pg_temp.try('SELECT isms.add_input(' || :run2 || ', ' || :ev || ')');
RESET ROLE;

-- 11. Not applicable processes cannot be run (IS014).
SELECT exclude_process(:other, '8.5', 'We have no external customers');
SELECT pg_temp.try('SELECT isms.plan_run(' || :other || ', ''8.5'', ''Customer care'')');
SELECT pg_temp.try('SELECT isms.plan_run(' || :other || ', ''9.9'', ''No such process'')');

-- 12. The actor: only isms_app members may name an application user (IS019).
SET ROLE regress_isms_alice;
SET isms.actor = 'mallory';
SELECT pg_temp.try($$SELECT isms.new_external_record($$ || :org || $$, 'security_event', 'Posing')$$);
RESET isms.actor;
RESET ROLE;
CREATE ROLE regress_isms_app LOGIN IN ROLE isms_app, isms_manager;
INSERT INTO membership (org_id, member, org_role) VALUES (:org, 'regress_isms_app', 'contributor');
SET ROLE regress_isms_app;
SET isms.actor = 'dave@example.com';
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Via the app'), 'app') AS app \gset
SELECT author FROM record WHERE record_id = :app;
RESET isms.actor;
RESET ROLE;

-- 13. Events are append-only (IS012) and the chain verifies.
SELECT pg_temp.try('UPDATE isms.event SET actor = ''nobody'' WHERE org_id = ' || :org);
SELECT pg_temp.try('DELETE FROM isms.event WHERE org_id = ' || :org);
SELECT pg_temp.try('TRUNCATE isms.event');
SELECT pg_temp.try('INSERT INTO isms.event (org_id, event_no, occurred_at, actor, object_type, action, hash) VALUES (' || :org || ', 999, now(), ''x'', ''run'', ''forged'', ''\x00'')');
SELECT * FROM verify_events(:org);
SELECT * FROM verify_events(:other);
SELECT pg_temp.named(CASE object_type WHEN 'step' THEN 'run ' || object_id || ' step ' || (detail->>'activity_no')
                                      ELSE object_type || ' ' || object_id END) AS object,
       action, old_state, new_state, actor
  FROM event WHERE org_id = :org ORDER BY event_no;

DROP OWNED BY regress_isms_alice, regress_isms_bob, regress_isms_carol, regress_isms_app;
DROP ROLE regress_isms_alice, regress_isms_bob, regress_isms_carol, regress_isms_app;
