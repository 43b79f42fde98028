-- engine_rules.sql -- one pgTAP test per engine rule site that the rest of
-- the suite left untested (the survivors of the 0.1.0 mutation test), each
-- named after its rule (src/engine.h RULE_ON names), through the API and,
-- where the rule lives in a trigger, through plain DML.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(55);
SET LOCAL client_min_messages = warning;

CREATE ROLE tap_rules_a LOGIN IN ROLE isms_manager;
CREATE ROLE tap_rules_b LOGIN IN ROLE isms_manager;
SELECT isms.create_organization('tap rules org', 'tap_rules_a') AS org \gset
SELECT isms.create_organization('tap rules other', 'tap_rules_b') AS other \gset
SELECT isms.add_member(:org, 'tap_rules_b', 'manager');

-- approved security events: one current, one expired
SET ROLE tap_rules_a;
SELECT isms.new_external_record(:org, 'security_event', 'current event') AS ev \gset
SELECT isms.new_external_record(:org, 'security_event', 'expired event') AS ev_old \gset
SELECT isms.submit_record(:ev), isms.submit_record(:ev_old);
SET ROLE tap_rules_b;
SELECT isms.approve_record(:ev), isms.approve_record(:ev_old);
RESET ROLE;
SET LOCAL session_replication_role = replica;
UPDATE isms.record SET valid_until = current_date - 1 WHERE record_id = :ev_old;
SET LOCAL session_replication_role = origin;

SET ROLE tap_rules_a;
SELECT isms.plan_run(:org, '7.9', 'active run') AS run \gset
SELECT isms.plan_run(:org, '7.9', 'planned run') AS planned \gset
SELECT isms.plan_run(:org, '7.9', 'cancelled run') AS closed \gset
SELECT isms.cancel_run(:closed, 'not needed');

SELECT throws_ok(format('SELECT isms.add_input(%s, %s)', :run, :ev_old), 'IS013',
                 NULL, 'IS013_EXPIRED_INPUT: an expired record is not an input (API)');
SELECT throws_ok(format($$INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%s, %s, %s, 'input')$$,
                        :org, :run, :ev_old), 'IS013',
                 NULL, 'IS013_EXPIRED_INPUT: an expired record is not an input (DML)');
SELECT throws_ok(format('SELECT isms.add_input(%s, %s)', :closed, :ev), 'IS004',
                 NULL, 'IS004_INPUT_CLOSED_RUN: no input is added to a closed run (API)');
SELECT throws_ok(format($$INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%s, %s, %s, 'input')$$,
                        :org, :closed, :ev), 'IS004',
                 NULL, 'IS004_INPUT_CLOSED_RUN: no input is added to a closed run (DML)');
SELECT throws_ok(format('SELECT isms.confirm_record(%s, %s)', :planned, :ev), 'IS004',
                 NULL, 'IS004_CONFIRM_RUN_ACTIVE: a run that is not active confirms nothing (API)');
SELECT throws_ok(format($$INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%s, %s, %s, 'confirmed')$$,
                        :org, :planned, :ev), 'IS004',
                 NULL, 'IS004_CONFIRM_RUN_ACTIVE: a run that is not active confirms nothing (DML)');
SELECT throws_ok(format($$SELECT isms.new_record(%s, 'incident_record', 'too early')$$, :planned), 'IS004',
                 NULL, 'IS004_OUTPUT_RUN_ACTIVE: a run that is not active produces nothing (API)');
SELECT throws_ok(format($$INSERT INTO isms.record (org_id, work_product_id, title, produced_by_run) VALUES (%s, %s, 'too early', %s)$$,
                        :org, isms.work_product_id(:org, 'incident_record'), :planned), 'IS004',
                 NULL, 'IS004_OUTPUT_RUN_ACTIVE: a run that is not active produces nothing (DML)');

-- IS001: only the lifecycle's transitions, also by plain DML
SELECT throws_ok(format($$INSERT INTO isms.run (org_id, process_id, title, state) VALUES (%s, %s, 'born active', 'active')$$,
                        :org, isms.process_id(:org, '7.9')), 'IS001',
                 NULL, 'IS001_RUN_BORN_PLANNED: a run is born planned');
SELECT throws_ok(format($$UPDATE isms.run SET state = 'completed' WHERE run_id = %s$$, :planned), 'IS001',
                 NULL, 'IS001_RUN_TRANSITION: planned to completed is refused');
SELECT throws_ok(format($$UPDATE isms.step SET state = 'done' WHERE run_id = %s AND activity_no = 2$$, :run), 'IS001',
                 NULL, 'IS001_STEP_TRANSITION: pending to done is refused');
SELECT throws_ok(format($$INSERT INTO isms.record (org_id, work_product_id, title, state) VALUES (%s, %s, 'born approved', 'approved')$$,
                        :org, isms.work_product_id(:org, 'security_event')), 'IS001',
                 NULL, 'IS001_RECORD_BORN_DRAFT: a record is born a draft');
SELECT throws_ok(format($$UPDATE isms.record SET state = 'draft' WHERE record_id = %s$$, :ev), 'IS001',
                 NULL, 'IS001_RECORD_TRANSITION: approved to draft is refused');
SELECT throws_ok(format($$UPDATE isms.record SET state = 'superseded' WHERE record_id = %s$$, :ev), 'IS001',
                 NULL, 'IS001_SUPERSEDE_DIRECTLY: a record is superseded only by a newer approved version');

-- IS018: a new version keeps the work product of its document
SELECT throws_ok(format($$INSERT INTO isms.record (org_id, work_product_id, title, document_id) VALUES (%s, %s, 'other kind', %s)$$,
                        :org, isms.work_product_id(:org, 'business_context'), :ev), 'IS018',
                 NULL, 'IS018_OTHER_WORK_PRODUCT: a new version of another work product is refused (DML)');

-- IS009: a finished step does not change
SELECT isms.add_input(:run, :ev);
SELECT isms.start_run(:run);
SELECT isms.start_step(:run, 1);
SELECT isms.finish_step(:run, 1);
SELECT throws_ok(format('SELECT isms.finish_step(%s, 1)', :run), 'IS009',
                 NULL, 'IS009_FINISHED_STEP: a finished step cannot change (API)');
SELECT throws_ok(format($$UPDATE isms.step SET performer = 'someone else' WHERE run_id = %s AND activity_no = 1$$, :run), 'IS009',
                 NULL, 'IS009_FINISHED_STEP: a finished step cannot change (DML)');

-- IS014: an excluded process is neither planned nor started
SELECT isms.plan_run(:org, '8.5', 'before the exclusion') AS excluded_run \gset
RESET ROLE;
SELECT isms.exclude_process(:org, '8.5', 'no external customers');
SET ROLE tap_rules_a;
SELECT throws_ok(format('SELECT isms.start_run(%s)', :excluded_run), 'IS014',
                 NULL, 'IS014_EXCLUDED_START: a run of an excluded process does not start (API)');
SELECT throws_ok(format($$UPDATE isms.run SET state = 'active' WHERE run_id = %s$$, :excluded_run), 'IS014',
                 NULL, 'IS014_EXCLUDED_START: a run of an excluded process does not start (DML)');
SELECT throws_ok(format($$SELECT isms.plan_run(%s, '8.5', 'after the exclusion')$$, :org), 'IS014',
                 NULL, 'IS014_EXCLUDED_PLAN: an excluded process is not planned');
RESET ROLE;

-- IS017: tailoring rows stay in their organisation
SELECT isms.add_work_product(:other, 'tap_other_wp', 'Other''s own', 'record', 'external') AS other_wp \gset
SELECT throws_ok(format($$INSERT INTO isms.process_input (org_id, process_id, work_product_id, requirement) VALUES (%s, %s, %s, 'optional')$$,
                        :org, isms.process_id(:org, '7.9'), :other_wp), 'IS017',
                 NULL, 'IS017_OTHER_ORG_WORK_PRODUCT: no tailoring with another organisation''s work product');
SELECT throws_ok(format('UPDATE isms.work_product SET org_id = %s WHERE work_product_id = %s', :org, :other_wp), 'IS017',
                 NULL, 'IS017_MOVE_ORG: tailoring rows do not move between organisations');

-- plain DML as the superuser: the triggers hold for the table owner too
SELECT throws_ok(format($$UPDATE isms.run SET process_id = isms.process_id(%s, '8.5') WHERE run_id = %s$$, :org, :planned), 'IS009',
                 NULL, 'IS009_RUN_IDENTITY: the process of a run is fixed');
SELECT throws_ok(format($$UPDATE isms.run SET title = 'renamed' WHERE run_id = %s$$, :closed), 'IS009',
                 NULL, 'IS009_CLOSED_RUN: a closed run does not change');
SELECT throws_ok(format($$UPDATE isms.step SET activity_no = 99 WHERE run_id = %s AND activity_no = 2$$, :run), 'IS009',
                 NULL, 'IS009_STEP_IDENTITY: a step belongs to one activity');
SELECT throws_ok(format($$UPDATE isms.record SET version = 7 WHERE record_id = %s$$, :ev), 'IS009',
                 NULL, 'IS009_RECORD_IDENTITY: the version of a record is fixed');
SELECT throws_ok(format($$UPDATE isms.record SET title = 'changed' WHERE record_id = %s$$, :ev), 'IS009',
                 NULL, 'IS009_FROZEN_CONTENT: approved content does not change');
SELECT throws_ok(format($$INSERT INTO isms.run (org_id, process_id, title, started_at) VALUES (%s, isms.process_id(%s, '7.9'), 'forged', now())$$, :org, :org), 'IS020',
                 NULL, 'IS020_NEW_RUN_TIMES: a new run has no start time');
SELECT throws_ok(format($$UPDATE isms.run SET started_at = now() WHERE run_id = %s$$, :planned), 'IS020',
                 NULL, 'IS020_RUN_TIMES: run times are the engine''s');
SELECT throws_ok(format($$UPDATE isms.step SET started_at = now() WHERE run_id = %s AND activity_no = 2$$, :run), 'IS020',
                 NULL, 'IS020_STEP_TIMES: step times are the engine''s');
SELECT throws_ok(format($$INSERT INTO isms.step (org_id, run_id, activity_no) VALUES (%s, %s, 99)$$, :org, :planned), 'IS020',
                 NULL, 'IS020_STEP_INSERT: steps are created by the engine');
SELECT throws_ok(format($$INSERT INTO isms.record (org_id, work_product_id, title, approver) VALUES (%s, isms.work_product_id(%s, 'security_event'), 'forged', 'tap_rules_b')$$, :org, :org), 'IS020',
                 NULL, 'IS020_NEW_RECORD_APPROVAL: a new record has no approver');
SELECT throws_ok(format($$UPDATE isms.record SET approver = 'tap_rules_a' WHERE record_id = %s$$, :ev), 'IS020',
                 NULL, 'IS020_RECORD_APPROVAL: approval fields are the engine''s');
SELECT throws_ok(format($$INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%s, %s, %s, 'output')$$, :org, :run, :ev_old), 'IS020',
                 NULL, 'IS020_OUTPUT_LINK: output links are the engine''s');
SELECT throws_ok(format($$UPDATE isms.run_record SET linked_by = 'tap_rules_b' WHERE run_id = %s$$, :run), 'IS020',
                 NULL, 'IS020_LINK_UPDATE: links do not change');
SELECT throws_ok(format($$DELETE FROM isms.run WHERE run_id = %s$$, :closed), 'IS011',
                 NULL, 'IS011_RUN_DELETE: runs are not deleted');
SELECT throws_ok(format($$DELETE FROM isms.step WHERE run_id = %s$$, :run), 'IS011',
                 NULL, 'IS011_STEP_DELETE: steps are not deleted');
SELECT throws_ok(format($$DELETE FROM isms.run_record WHERE run_id = %s$$, :run), 'IS011',
                 NULL, 'IS011_LINK_DELETE: inputs of a started run stay linked');
SELECT throws_ok(format($$DELETE FROM isms.record WHERE record_id = %s$$, :ev), 'IS011',
                 NULL, 'IS011_RECORD_DELETE: an approved record is retained');
-- IS011: a document's first version stays while it has other versions
-- (drafts never submitted, which may otherwise be deleted)
SET ROLE tap_rules_a;
SELECT isms.new_external_record(:org, 'security_event', 'first version') AS v1 \gset
INSERT INTO isms.record (org_id, work_product_id, document_id, title)
VALUES (:org, isms.work_product_id(:org, 'security_event'), :v1, 'second version') RETURNING record_id AS v2 \gset
SELECT throws_ok(format($$DELETE FROM isms.record WHERE record_id = %s$$, :v1), 'IS011',
                 NULL, 'IS011_FIRST_VERSION: the first version of a document with other versions stays');
SELECT lives_ok(format($$DELETE FROM isms.record WHERE record_id = %s$$, :v2), 'the later draft version is deleted');
SELECT lives_ok(format($$DELETE FROM isms.record WHERE record_id = %s$$, :v1), 'then the first version is deleted');
RESET ROLE;
SELECT throws_ok(format($$UPDATE isms.run SET state = 'cancelled' WHERE run_id = %s$$, :planned), 'IS021',
                 NULL, 'IS021_CANCEL_REASON: cancelling needs a reason');
SELECT throws_ok(format($$UPDATE isms.run SET state = 'suspended' WHERE run_id = %s$$, :run), 'IS021',
                 NULL, 'IS021_SUSPEND_REASON: suspending needs a reason');
SELECT throws_ok(format($$UPDATE isms.event SET action = 'forged' WHERE org_id = %s$$, :org), 'IS012',
                 NULL, 'IS012_APPEND_ONLY: events are not updated, even by a superuser');
SELECT throws_ok(format($$INSERT INTO isms.record (org_id, work_product_id, title, author) VALUES (%s, isms.work_product_id(%s, 'security_event'), 'forged', 'tap_rules_b')$$, :org, :org), 'IS019',
                 NULL, 'IS019_AUTHOR_NOT_ACTOR: the author is whoever creates the record');

SELECT throws_ok(format($$UPDATE isms.step SET state = 'skipped', skip_reason = 'busy' WHERE run_id = %s AND activity_no = 2$$, :run), 'IS005',
                 NULL, 'IS005_SKIP_MANDATORY: a mandatory step is not skipped');

-- IS006: an activity with an input of its own is done only with it linked
SELECT isms.add_activity_input(:org, '7.9', 2, 'risk_register');
SELECT isms.plan_run(:org, '7.9', 'needs the register') AS act_run \gset
SELECT isms.add_input(:act_run, :ev);
SELECT isms.start_run(:act_run);
SELECT isms.start_step(:act_run, 1), isms.finish_step(:act_run, 1), isms.start_step(:act_run, 2);
SELECT throws_ok(format('SELECT isms.finish_step(%s, 2)', :act_run), 'IS006',
                 NULL, 'IS006_ACTIVITY_INPUTS: an activity is done only with its own inputs (API)');
SELECT throws_ok(format($$UPDATE isms.step SET state = 'done' WHERE run_id = %s AND activity_no = 2$$, :act_run), 'IS006',
                 NULL, 'IS006_ACTIVITY_INPUTS: an activity is done only with its own inputs (DML)');

-- IS017: tailoring names no other organisation's own process
RESET ROLE;
SELECT isms.add_process(:other, '11.7', 'their_own', 'Their own process', 'support', 'Another tenant''s') AS their_process \gset
SELECT throws_ok(format($$INSERT INTO isms.activity (process_id, org_id, activity_no, name) VALUES (%s, %s, 1, 'hijacked')$$,
                        :their_process, :org), 'IS017',
                 NULL, 'IS017_OTHER_ORG_PROCESS: a tailoring row names no other organization''s process');
-- IS017: an external work product is no process output
SELECT throws_ok(format($$SELECT isms.add_process_output(%s, '7.9', 'security_event')$$, :org), 'IS017',
                 NULL, 'IS017_EXTERNAL_OUTPUT: an external work product is not a process output');

-- ratings: the assessor and the time are the engine's
SELECT throws_ok(format($$INSERT INTO isms.assessment_rating (org_id, process_id, attribute, rating, justification, period_start, period_end, assessor)
                          VALUES (%s, isms.process_id(%s, '7.9'), 'PA 1.1', 'F', 'forged', current_date - 30, current_date, 'someone_else')$$, :org, :org), 'IS019',
                 NULL, 'IS019_ASSESSOR_NOT_ACTOR: the assessor is whoever records the rating');
SELECT throws_ok(format($$INSERT INTO isms.assessment_rating (org_id, process_id, attribute, rating, justification, period_start, period_end, assessed_at)
                          VALUES (%s, isms.process_id(%s, '7.9'), 'PA 1.1', 'F', 'future', current_date - 30, current_date, now() + interval '900 years')$$, :org, :org), 'IS020',
                 NULL, 'IS020_ASSESSED_AT: a rating is dated by the engine');

-- a state reason changes only with the state
SELECT throws_ok(format($$UPDATE isms.record SET state_reason = 'rewritten' WHERE record_id = %s$$, :ev), 'IS009',
                 NULL, 'IS009_REASON_WITH_STATE: a reason changes only with the state');

-- TRUNCATE is refused, for the superuser too
SELECT throws_ok('TRUNCATE isms.run_record', 'IS026', NULL, 'IS026_TRUNCATE: engine tables are not truncated');

SELECT * FROM finish();
ROLLBACK;
