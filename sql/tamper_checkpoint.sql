-- Verification against a checkpoint kept outside the database: each
-- tampering a superuser can do with triggers off leaves a chain that
-- isms.verify_events(org) alone may still call valid, and that
-- isms.verify_events(org, checkpoint_event_no, checkpoint_hash) refuses.
SET client_min_messages = warning;
SET search_path = pg_catalog;

-- An organisation with a few events: creation, three runs planned, one cancelled.
CREATE FUNCTION pg_temp.fresh(name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    org bigint := isms.create_organization(name);
    run bigint;
BEGIN
    PERFORM isms.plan_run(org, '7.9', 'First incident');
    run := isms.plan_run(org, '7.9', 'Second incident');
    PERFORM isms.cancel_run(run, 'duplicate report');
    PERFORM isms.plan_run(org, '7.9', 'Third incident');
    RETURN org;
END $$;
-- Verification against the checkpoint cp_<org>, as an auditor's script would call it.
CREATE FUNCTION pg_temp.check(org bigint, cp_no bigint, cp_hash bytea) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN v.valid THEN 'valid' ELSE 'BROKEN: ' || v.problem END
      FROM isms.verify_events(org, cp_no, cp_hash) v
$$;
-- The same chain checked without a checkpoint.
CREATE FUNCTION pg_temp.alone(org bigint) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN v.valid THEN 'valid' ELSE 'BROKEN: ' || v.problem END FROM isms.verify_events(org) v
$$;

-- The checkpoint names the organisation, its last event and that event's hash and time.
SELECT pg_temp.fresh('Checkpoint Ltd') AS org \gset
SELECT org_id = :org AS same_org, event_no, length(hash) AS hash_bytes, recorded_at IS NOT NULL AS has_time
  FROM isms.chain_head(:org);
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SELECT pg_temp.check(:org, :cp_no, :'cp_hash') AS untouched;
-- the chain goes on after the checkpoint: still valid against it
SELECT isms.plan_run(:org, '7.9', 'Later incident') IS NOT NULL AS later_run;
SELECT pg_temp.check(:org, :cp_no, :'cp_hash') AS after_more_work;
-- a checkpoint of the wrong shape is refused
\set VERBOSITY sqlstate
SELECT pg_temp.check(:org, 0, :'cp_hash');
SELECT pg_temp.check(:org, :cp_no, '\x00');
\set VERBOSITY default

-- 1. The tail removed and the chain head moved back to the new last event.
SELECT pg_temp.fresh('Truncated Ltd') AS org \gset
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SET session_replication_role = replica;
DELETE FROM isms.event WHERE org_id = :org AND event_no > :cp_no - 2;
UPDATE isms.event_chain c SET last_event_no = e.event_no, last_hash = e.hash
  FROM isms.event e WHERE c.org_id = :org AND e.org_id = :org AND e.event_no = :cp_no - 2;
RESET session_replication_role;
SELECT pg_temp.alone(:org) AS without_checkpoint, pg_temp.check(:org, :cp_no, :'cp_hash') AS with_checkpoint;

-- 2. The organisation's chain restarted: every event deleted and a new,
-- self-consistent chain written by the engine (the same as rewriting events
-- and recomputing every later hash).
SELECT pg_temp.fresh('Restarted Ltd') AS org \gset
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SET session_replication_role = replica;
DELETE FROM isms.event WHERE org_id = :org;
UPDATE isms.event_chain SET last_event_no = 0, last_hash = NULL WHERE org_id = :org;
RESET session_replication_role;
SELECT count(*) > 0 AS rewritten FROM (SELECT isms.plan_run(:org, '7.9', 'Rewritten ' || i) FROM generate_series(1, 5) i) x;
SELECT pg_temp.alone(:org) AS without_checkpoint, pg_temp.check(:org, :cp_no, :'cp_hash') AS with_checkpoint;

-- 3. One event rewritten (without re-hashing): both checks name it.
SELECT pg_temp.fresh('Rewritten Ltd') AS org \gset
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SET session_replication_role = replica;
UPDATE isms.event SET actor = 'someone else' WHERE org_id = :org AND event_no = 2;
RESET session_replication_role;
SELECT pg_temp.alone(:org) AS without_checkpoint, pg_temp.check(:org, :cp_no, :'cp_hash') AS with_checkpoint;

-- 4. The whole organisation deleted: verification says it does not exist.
SELECT pg_temp.fresh('Deleted Ltd') AS org \gset
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SET session_replication_role = replica;
DELETE FROM isms.event WHERE org_id = :org;
DELETE FROM isms.event_chain WHERE org_id = :org;
DELETE FROM isms.organization WHERE org_id = :org;
RESET session_replication_role;
\set VERBOSITY sqlstate
SELECT pg_temp.check(:org, :cp_no, :'cp_hash');
SELECT * FROM isms.chain_head(:org);
\set VERBOSITY default

-- 5. An approved record's content, title and approver rewritten: no event
-- changed, but the approval event's content hash no longer matches the row.
SELECT pg_temp.fresh('Content Ltd') AS org \gset
SET isms.actor = 'alice';
SELECT isms.new_external_record(:org, 'security_event', 'Phishing report', '{"mailbox": "finance"}') AS rec \gset
SELECT isms.submit_record(:rec);
SET isms.actor = 'bob';
SELECT isms.approve_record(:rec);
RESET isms.actor;
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SELECT pg_temp.check(:org, :cp_no, :'cp_hash') AS before_rewrite;
SET session_replication_role = replica;
UPDATE isms.record SET content = '{"mailbox": "nobody"}', title = 'Nothing happened', approver = 'mallory'
 WHERE record_id = :rec;
RESET session_replication_role;
SELECT regexp_replace(pg_temp.alone(:org), '\d+', 'N', 'g') AS without_checkpoint,
       regexp_replace(pg_temp.check(:org, :cp_no, :'cp_hash'), '\d+', 'N', 'g') AS with_checkpoint;

-- 6. An approved record deleted: the events that vouch for it remain, and
-- no event discarded or disposed of it.
SELECT pg_temp.fresh('Vanished Ltd') AS org \gset
SET isms.actor = 'alice';
SELECT isms.new_external_record(:org, 'security_event', 'Lost laptop') AS rec \gset
SELECT isms.submit_record(:rec);
SET isms.actor = 'bob';
SELECT isms.approve_record(:rec);
RESET isms.actor;
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SET session_replication_role = replica;
DELETE FROM isms.run_record WHERE record_id = :rec;
DELETE FROM isms.record WHERE record_id = :rec;
RESET session_replication_role;
SELECT regexp_replace(pg_temp.alone(:org), '\d+', 'N', 'g') AS without_checkpoint,
       regexp_replace(pg_temp.check(:org, :cp_no, :'cp_hash'), '\d+', 'N', 'g') AS with_checkpoint;

-- 7. An assessment rating rewritten (a better rating), then deleted.
SELECT pg_temp.fresh('Rated Ltd') AS org \gset
SELECT isms.rate_process(:org, '7.9', 'PA 1.1', 'P', 'Two of five incidents closed on time') AS rating \gset
SELECT event_no AS cp_no, hash AS cp_hash FROM isms.chain_head(:org) \gset
SELECT pg_temp.check(:org, :cp_no, :'cp_hash') AS before_rewrite;
SET session_replication_role = replica;
UPDATE isms.assessment_rating SET rating = 'F', justification = 'All incidents closed on time' WHERE rating_id = :rating;
RESET session_replication_role;
SELECT regexp_replace(pg_temp.check(:org, :cp_no, :'cp_hash'), '\d+', 'N', 'g') AS rewritten;
SET session_replication_role = replica;
DELETE FROM isms.assessment_rating WHERE rating_id = :rating;
RESET session_replication_role;
SELECT regexp_replace(pg_temp.check(:org, :cp_no, :'cp_hash'), '\d+', 'N', 'g') AS deleted;
