-- Tamper evidence: TRUNCATE of every engine table is refused for everybody,
-- the superuser included, while triggers are enabled (IS026; events IS012).
\i test/lib/try.sql
SET client_min_messages = warning;
SELECT c.relname AS "table", pg_temp.try(pg_catalog.format('TRUNCATE isms.%I CASCADE', c.relname)) AS result
FROM pg_class c
WHERE c.relnamespace = 'isms'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname;
-- The statement from the issue, as one TRUNCATE of several tables.
SELECT pg_temp.try('TRUNCATE isms.run, isms.step, isms.record, isms.run_record');

-- Verification of an organisation without a chain head says it does not
-- exist (IS015) instead of "valid, 0 events": an unknown id, and a whole
-- organisation deleted by a superuser with triggers off.
SELECT pg_temp.try('SELECT isms.verify_events(-1)');
SELECT isms.create_organization('Tamper Ltd') AS org \gset
SELECT valid, events_checked > 0 AS has_events FROM isms.verify_events(:org);
SET session_replication_role = replica;
DELETE FROM isms.event WHERE org_id = :org;
DELETE FROM isms.event_chain WHERE org_id = :org;
DELETE FROM isms.membership WHERE org_id = :org;
DELETE FROM isms.organization WHERE org_id = :org;
RESET session_replication_role;
SELECT pg_temp.try('SELECT isms.verify_events(' || :org || ')') ~ '^IS015: organization \d+ does not exist' AS deleted_org_refused;

-- An organisation is never deleted (IS011: its chain is retained), and only
-- the engine creates one (IS020): a row restored with triggers enabled would
-- open a fresh chain while its events are missing.
SELECT isms.create_organization('Kept Ltd') AS kept \gset
SELECT regexp_replace(pg_temp.try('DELETE FROM isms.organization WHERE org_id = ' || :kept), 'organization \d+', 'organization N') AS deleted;
SELECT pg_temp.try($$INSERT INTO isms.organization (org_id, name) OVERRIDING SYSTEM VALUE VALUES (-7, 'Restored Ltd')$$) AS restored;
SELECT pg_temp.try($$INSERT INTO isms.organization (name) VALUES ('Direct Ltd')$$) ~ '^IS020' AS direct_insert_refused;

-- No event, and so no change, for an organisation whose chain head is gone
-- (a restore that lost it): refused at the change itself, not at commit.
SET session_replication_role = replica;
DELETE FROM isms.event_chain WHERE org_id = :kept;
RESET session_replication_role;
BEGIN;
SELECT pg_temp.try(pg_catalog.format('SELECT isms.plan_run(%s, %L, %L)', :kept, '7.9', 'no chain'))
       ~ '^IS015: organization \d+ does not exist' AS refused_at_the_change;
COMMIT;
