-- Holes a hostile review found (issue 12, findings 8 and 9): each
-- statement here was accepted, or wrote an event for nothing, before.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_holes_aud LOGIN IN ROLE isms_auditor;
SELECT pg_temp.name('organization', create_organization('Holes Ltd'), 'holes') AS org \gset
INSERT INTO membership (org_id, member, org_role) VALUES (:org, 'regress_holes_aud', 'auditor');
SELECT process_id(:org, '7.9') AS p79 \gset
SELECT work_product_id(:org, 'security_event') AS wp_event \gset
SET isms.actor = 'alice';
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Event'), 'event') AS rec \gset
SELECT submit_record(:rec);
SET isms.actor = 'bob';
SELECT approve_record(:rec);
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Incident'), 'run') AS run \gset
SELECT add_input(:run, :rec);

-- 8. INSERT ... ON CONFLICT DO NOTHING that inserts nothing appends no event
SELECT count(*) AS events_before FROM event WHERE org_id = :org \gset
INSERT INTO record (org_id, record_id, work_product_id, title) VALUES (:org, :rec, :wp_event, 'Dup')
    ON CONFLICT DO NOTHING;
INSERT INTO run_record (org_id, run_id, record_id, role) VALUES (:org, :run, :rec, 'input')
    ON CONFLICT DO NOTHING;
INSERT INTO run (org_id, run_id, process_id, title) VALUES (:org, :run, :p79, 'Dup')
    ON CONFLICT DO NOTHING;
SELECT count(*) - :events_before AS phantom_events FROM event WHERE org_id = :org;
-- a confirmation that already exists: no event (and no validity extension)
SELECT start_run(:run);
SET isms.actor = 'alice';
SELECT pg_temp.name('record', new_record(:run, 'incident_record', 'Incident 1'), 'incident') AS inc \gset
SELECT submit_record(:inc);
SET isms.actor = 'bob';
SELECT approve_record(:inc);
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Review'), 'review') AS run2 \gset
SELECT add_input(:run2, :rec), start_run(:run2), confirm_record(:run2, :inc);
SELECT count(*) AS events_before FROM event WHERE org_id = :org \gset
INSERT INTO run_record (org_id, run_id, record_id, role) VALUES (:org, :run2, :inc, 'confirmed')
    ON CONFLICT DO NOTHING;
SELECT count(*) - :events_before AS phantom_events FROM event WHERE org_id = :org;
SELECT count(*) AS steps FROM step WHERE org_id = :org AND run_id = :run;
-- a row that is inserted by the same statement form has its one event
INSERT INTO record (org_id, work_product_id, title) VALUES (:org, :wp_event, 'New') ON CONFLICT DO NOTHING;
SELECT count(*) - :events_before AS events
  FROM event WHERE org_id = :org;
SELECT action, new_state FROM event WHERE org_id = :org ORDER BY event_no DESC LIMIT 1;
SELECT valid FROM verify_events(:org);

-- 9a. the reason of a state changes only with the state, in its event (IS009)
SELECT pg_temp.try('UPDATE isms.record SET state_reason = ''rewritten'' WHERE record_id = ' || :rec);
SELECT count(*) - :events_before AS events FROM event WHERE org_id = :org;

-- 9b. the assessor is the actor and the time is the engine's (IS019, IS020)
RESET isms.actor;
SET ROLE regress_holes_aud;
SELECT pg_temp.try('INSERT INTO isms.assessment_rating (org_id, process_id, attribute, period_start, period_end, rating, justification, assessor) '
                   'VALUES (' || :org || ', ' || :p79 || ', ''PA 1.1'', ''2026-01-01'', ''2026-06-30'', ''F'', ''ok'', ''lead_auditor'')');
SELECT pg_temp.try('INSERT INTO isms.assessment_rating (org_id, process_id, attribute, period_start, period_end, rating, justification, assessed_at) '
                   'VALUES (' || :org || ', ' || :p79 || ', ''PA 1.1'', ''2026-01-01'', ''2026-06-30'', ''F'', ''ok'', ''2999-01-01'')');
SELECT rate_process(:org, '7.9', 'PA 1.1', 'L', 'Interviews') IS NOT NULL AS rated;
SELECT assessor, assessed_at BETWEEN now() - interval '1 hour' AND now() AS dated_now FROM assessment_rating WHERE org_id = :org;
RESET ROLE;

-- 9c. a draft that was submitted and returned is evidence: not deleted (IS011)
SET isms.actor = 'alice';
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Returned'), 'returned') AS returned \gset
SELECT submit_record(:returned);
SET isms.actor = 'bob';
SELECT return_record(:returned, 'Incomplete');
SELECT pg_temp.try('DELETE FROM isms.record WHERE record_id = ' || :returned);
SELECT pg_temp.try('UPDATE isms.record SET submitted_at = NULL WHERE record_id = ' || :returned);
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, submitted_at) VALUES (' || :org || ', ' || :wp_event || ', ''x'', now())');
-- a draft never submitted is discarded
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Scratch'), 'scratch') AS scratch \gset
SELECT pg_temp.try('DELETE FROM isms.record WHERE record_id = ' || :scratch);
SELECT action FROM event WHERE org_id = :org AND object_id = :scratch ORDER BY event_no DESC LIMIT 1;
RESET isms.actor;

-- 9d. an external work product is never a process output (IS017)
SELECT pg_temp.try('SELECT isms.add_process_output(' || :org || ', ''7.9'', ''security_event'', true)');

-- 9e. errors echo at most 64 bytes of user-supplied text
SELECT length(pg_temp.try('SELECT isms.work_product_id(' || :org || ', repeat(''k'', 1000000))')) < 500 AS short;
SELECT pg_temp.try('SELECT isms.work_product_id(' || :org || ', repeat(''k'', 1000000))');
SET isms.actor = 'alice';
SELECT pg_temp.try('INSERT INTO isms.record (org_id, work_product_id, title, author) VALUES (' || :org || ', ' || :wp_event || ', ''x'', repeat(''a'', 1000000))');
RESET isms.actor;

DROP ROLE regress_holes_aud;
