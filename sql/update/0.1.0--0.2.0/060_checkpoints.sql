-- Checkpoints: the organisation's chain head for an auditor to keep outside
-- the database, and verification against such a checkpoint.  A chain can
-- only prove integrity relative to something kept elsewhere: whoever can
-- rewrite every event can recompute every hash, but not the hash an auditor
-- wrote down (in a ticket, a WORM bucket, a signed e-mail) before.

CREATE FUNCTION isms.chain_head(org bigint,
    OUT org_id bigint, OUT event_no bigint, OUT hash bytea, OUT recorded_at timestamptz)
    LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SELECT c.org_id, c.last_event_no, c.last_hash, e.recorded_at
      INTO org_id, event_no, hash, recorded_at
      FROM isms.event_chain c
      LEFT JOIN LATERAL (SELECT ev.occurred_at AS recorded_at FROM isms.event ev
                          WHERE ev.org_id = c.org_id AND ev.event_no = c.last_event_no) e ON true
     WHERE c.org_id = org;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', org USING ERRCODE = 'IS015',
            DETAIL = 'No event chain of this organization is visible to the caller.',
            HINT = 'Check the organization id, and that you are a member of the organization.';
    END IF;
END $$;
COMMENT ON FUNCTION isms.chain_head(bigint) IS
    'The organization''s checkpoint (organization, last event number, its hash, its time): keep it outside the database and verify against it later';

CREATE FUNCTION isms.verify_events(org bigint, checkpoint_event_no bigint, checkpoint_hash bytea,
    OUT valid boolean, OUT events_checked bigint, OUT first_broken_event bigint, OUT problem text)
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'event_verify_checkpoint';
COMMENT ON FUNCTION isms.verify_events(bigint, bigint, bytea) IS
    'Verify the chain end to end and that it still holds the checkpoint''s event with the checkpoint''s hash: detects a removed tail, re-hashing and a restarted organization';

REVOKE ALL ON FUNCTION isms.chain_head(bigint), isms.verify_events(bigint, bigint, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.chain_head(bigint), isms.verify_events(bigint, bigint, bytea)
    TO isms_auditor, isms_manager;
