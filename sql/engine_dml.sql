-- The same rules through plain INSERT, UPDATE, DELETE and COPY: the engine
-- lives in triggers, so no client can go around the API.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_isms_dml LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_dml2 LOGIN IN ROLE isms_manager;
SELECT pg_temp.name('organization', create_organization('DML Ltd'), 'dml') AS org \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org, 'regress_isms_dml', 'manager'), (:org, 'regress_isms_dml2', 'manager');
SELECT process_id(:org, '7.9') AS p79 \gset
SELECT work_product_id(:org, 'security_event') AS wp_event \gset
SELECT work_product_id(:org, 'incident_record') AS wp_incident \gset
-- As a superuser: privileges and row-level security do not apply (tenant
-- roles are stopped earlier by them, see security_matrix), the engine does.

-- Runs are born planned (IS001); engine columns are the engine's (IS020).
SELECT pg_temp.try('INSERT INTO isms.run (org_id, process_id, title, state) VALUES (' || :org || ', ' || :p79 || ', ''Jump start'', ''active'')');
SELECT pg_temp.try('INSERT INTO isms.run (org_id, process_id, title, started_at) VALUES (' || :org || ', ' || :p79 || ', ''Backdated'', now())');
INSERT INTO run (org_id, process_id, title) VALUES (:org, :p79, 'Plain insert') RETURNING pg_temp.name('run', run_id, 'plain') AS run \gset
SELECT count(*) AS steps_created FROM step WHERE run_id = :run;
SELECT pg_temp.try('UPDATE isms.run SET state = ''active'' WHERE run_id = ' || :run);
SELECT pg_temp.try('UPDATE isms.run SET process_id = process_id + 1 WHERE run_id = ' || :run);

-- Steps are the engine's: no insert (IS020), no jump from pending to done (IS001).
SELECT pg_temp.try('INSERT INTO isms.step (org_id, run_id, activity_no) VALUES (' || :org || ', ' || :run || ', 6)');
SELECT pg_temp.try('UPDATE isms.step SET state = ''done'' WHERE activity_no = 1 AND run_id = ' || :run);
SELECT pg_temp.try('UPDATE isms.step SET finished_at = now() WHERE activity_no = 1 AND run_id = ' || :run);

-- Records: drafts by their author, engine columns untouched, content an object.
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, state) VALUES (' || :org || ', ' || :wp_event || ', ''Pre-approved'', ''approved'')');
SET ROLE regress_isms_dml;
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, author) VALUES (' || :org || ', ' || :wp_event || ', ''Ghost-written'', ''regress_isms_dml2'')');
RESET ROLE;
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, approver) VALUES (' || :org || ', ' || :wp_event || ', ''Self-approved'', ''regress_isms_dml2'')');
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, content) VALUES (' || :org || ', ' || :wp_event || ', ''Array'', ''[1, 2]'')');
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, evidence_uri) VALUES (' || :org || ', ' || :wp_event || ', ''No hash'', ''s3://bucket/x.pdf'')');
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, version) VALUES (' || :org || ', ' || :wp_event || ', ''Version 7'', 7)');

-- COPY of external records: every row checked and evented; one bad row and nothing lands.
SELECT count(*) AS events_before FROM event WHERE org_id = :org \gset
SELECT current_setting('data_directory') || '/isms_engine_dml_good.copy' AS good,
       current_setting('data_directory') || '/isms_engine_dml_bad.copy' AS bad \gset
COPY (SELECT :org, :wp_event, 'Imported event ' || g, jsonb_build_object('n', g) FROM generate_series(1, 100) g)
  TO :'good';
COPY record (org_id, work_product_id, title, content) FROM :'good';
SELECT count(*) AS imported, count(*) FILTER (WHERE author = current_user AND state = 'draft' AND version = 1) AS drafts
  FROM record WHERE org_id = :org;
SELECT count(*) - :events_before AS new_events FROM event WHERE org_id = :org;
COPY (SELECT :org, :wp_event, 'Event ' || g, '{}' FROM generate_series(1, 5) g
      UNION ALL SELECT :org, :wp_incident, 'Forged incident', '{}') TO :'bad';
SELECT pg_temp.try('COPY isms.record (org_id, work_product_id, title, content) FROM ' || quote_literal(:'bad'));
SELECT count(*) AS still FROM record WHERE org_id = :org;
SELECT count(*) - :events_before AS still_events FROM event WHERE org_id = :org;

-- Multi-row UPDATE: each row goes through the rules and gets its event.
SELECT count(pg_temp.name('record', record_id, 'imported')) AS to_review FROM record
 WHERE org_id = :org AND title LIKE 'Imported event 1_';
UPDATE record SET state = 'in_review' WHERE org_id = :org AND title LIKE 'Imported event 1_';
SELECT count(*) AS submitted_events FROM event WHERE org_id = :org AND action = 'submit';
-- approving them all at once as their author is refused, and nothing is approved
SELECT pg_temp.try('UPDATE isms.record SET state = ''approved'' WHERE state = ''in_review'' AND org_id = ' || :org);
SELECT count(*) FILTER (WHERE state = 'approved') AS approved FROM record WHERE org_id = :org;
SET ROLE regress_isms_dml2;
UPDATE record SET state = 'approved' WHERE state = 'in_review' AND org_id = :org;
SELECT count(*) FILTER (WHERE state = 'approved') AS approved, count(DISTINCT approver) AS approvers
  FROM record WHERE org_id = :org;

-- Links: inputs by plain INSERT obey the input rule; outputs are the engine's; links never change.
SELECT record_id AS ev FROM record WHERE org_id = :org AND state = 'approved' ORDER BY record_id LIMIT 1 \gset
SELECT record_id AS draft FROM record WHERE org_id = :org AND state = 'draft' ORDER BY record_id LIMIT 1 \gset
SELECT pg_temp.name('record', :ev, 'approved_event') AS ignored, pg_temp.name('record', :draft, 'draft_event') AS ignored \gset
SELECT pg_temp.try('INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (' || :org || ', ' || :run || ', ' || :draft || ', ''input'')');
SELECT pg_temp.try('INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (' || :org || ', ' || :run || ', ' || :ev || ', ''output'')');
INSERT INTO run_record (org_id, run_id, record_id, role) VALUES (:org, :run, :ev, 'input');
RESET ROLE;
SELECT pg_temp.try('UPDATE isms.run_record SET role = ''confirmed'' WHERE run_id = ' || :run);
SET ROLE regress_isms_dml2;
UPDATE run SET state = 'active' WHERE run_id = :run;
SELECT state FROM run WHERE run_id = :run;

-- A record produced by plain INSERT with produced_by_run is linked as the run's output.
UPDATE step SET state = 'active' WHERE run_id = :run AND activity_no = 1;
UPDATE step SET state = 'done' WHERE run_id = :run AND activity_no = 1;
UPDATE step SET state = 'active' WHERE run_id = :run AND activity_no = 2;
INSERT INTO record (org_id, work_product_id, title, produced_by_run)
VALUES (:org, :wp_incident, 'INC by DML', :run) RETURNING pg_temp.name('record', record_id, 'dml_incident') AS inc \gset
SELECT role FROM run_record WHERE record_id = :inc;
-- the event chain is intact after all of it
RESET ROLE;
SELECT valid, problem FROM verify_events(:org);
-- a record of an organisation that does not exist is refused without a
-- foreign key (170_perf): its create event finds no chain head (IS015)
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title) SELECT -1, work_product_id, ''orphan'' FROM isms.work_product WHERE org_id IS NULL AND key = ''security_event''');
-- the API answers a repeated lookup from memory only while nothing can
-- have changed the answer: not after a write of the same transaction
BEGIN;
SELECT isms.record_org(:draft) = :org AS draft_visible;
DELETE FROM isms.record WHERE record_id = :draft;
SELECT pg_temp.try('SELECT isms.record_org(' || :draft || ')');
ROLLBACK;

DROP OWNED BY regress_isms_dml, regress_isms_dml2;
DROP ROLE regress_isms_dml, regress_isms_dml2;
