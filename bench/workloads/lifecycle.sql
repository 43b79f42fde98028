-- bench/workloads/lifecycle.sql -- pgbench script: one whole incident
-- (process 7.9) through the API in ONE transaction, as an application
-- handling an incident would: the reported event is recorded and approved,
-- the run is planned, gets the event as input, starts, its five steps are
-- worked (4, optional, skipped), both required outputs are written,
-- submitted and approved by another person, and the run completes.
-- The connection's role names its users (alice works, bob approves).
-- Variables: orgbase (first organisation), orgs (how many the clients
-- share: client c works in orgbase + c % orgs); client_id.
\set org :orgbase + :client_id % :orgs
\set n random(1, 1000000000)
BEGIN;
SET LOCAL isms.actor = 'alice';
SELECT isms.new_external_record(:org, 'security_event', 'Event ' || :n, '{"source": "soc"}') AS ev \gset
SELECT isms.submit_record(:ev);
SET LOCAL isms.actor = 'bob';
SELECT isms.approve_record(:ev);
SET LOCAL isms.actor = 'alice';
SELECT isms.plan_run(:org, '7.9', 'Incident ' || :n, 'alice', CURRENT_DATE, CURRENT_DATE + 30) AS run \gset
SELECT isms.add_input(:run, :ev);
SELECT isms.start_run(:run);
SELECT isms.start_step(:run, 1);
SELECT isms.finish_step(:run, 1);
SELECT isms.start_step(:run, 2);
SELECT isms.new_record(:run, 'incident_record', 'Incident ' || :n, '{"severity": "medium"}') AS inc \gset
SELECT isms.submit_record(:inc);
SELECT isms.finish_step(:run, 2);
SELECT isms.start_step(:run, 3);
SELECT isms.finish_step(:run, 3);
SELECT isms.skip_step(:run, 4, 'no legal follow-up needed');
SELECT isms.start_step(:run, 5);
SELECT isms.new_record(:run, 'lessons_learned', 'Lessons ' || :n, '{"actions": 2}') AS ll \gset
SELECT isms.submit_record(:ll);
SELECT isms.finish_step(:run, 5);
SET LOCAL isms.actor = 'bob';
SELECT isms.approve_record(:inc);
SELECT isms.approve_record(:ll);
SELECT isms.complete_run(:run);
COMMIT;
