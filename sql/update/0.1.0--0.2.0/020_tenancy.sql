-- 020_tenancy: tenants see nothing of each other (issue 12, findings 2, 5, 6, 7).
--
-- Reporting views are security barriers, so no caller predicate (a failing
-- cast, a leaky function) sees a row before the membership filter; leakproof
-- predicates such as "org_id = n" are still pushed down to the indexes.
-- Organisation names are unique per tenant only as far as the tenant cares:
-- a global UNIQUE would tell anyone which names other tenants use.
-- Run and record ids are unique across tenants, so an id names one object
-- (a collision reveals no more than nextval on the same sequence does).
-- Notifications go to a per-organisation channel whose name only members
-- can learn (LISTEN itself cannot be access-controlled).

ALTER VIEW isms_report.process_status SET (security_barrier = true);
ALTER VIEW isms_report.work_product_currency SET (security_barrier = true);
ALTER VIEW isms_report.run_blockers SET (security_barrier = true);
ALTER VIEW isms_report.pending_approvals SET (security_barrier = true);
ALTER VIEW isms_report.iso27001_readiness SET (security_barrier = true);
ALTER VIEW isms_report.management_review_inputs SET (security_barrier = true);
ALTER VIEW isms_report.cycle_time SET (security_barrier = true);
ALTER VIEW isms_report.event_timeline SET (security_barrier = true);
ALTER VIEW isms_report.capability_profile SET (security_barrier = true);

ALTER TABLE isms.organization DROP CONSTRAINT organization_name_key;

DROP INDEX isms.run_run_id_idx;
CREATE UNIQUE INDEX run_run_id_idx ON isms.run (run_id);
DROP INDEX isms.record_record_id_idx;
CREATE UNIQUE INDEX record_record_id_idx ON isms.record (record_id);

-- The database's notification secret: readable by the extension owner only.
CREATE TABLE isms.notify_secret (
    secret  text NOT NULL
);
INSERT INTO isms.notify_secret (secret) VALUES (pg_catalog.md5(pg_catalog.gen_random_uuid()::text));
REVOKE ALL ON isms.notify_secret FROM PUBLIC;
COMMENT ON TABLE isms.notify_secret IS
    'Secret from which the notification channel names of the organisations are derived (one row)';

-- The channel of an organisation, for the engine.
CREATE FUNCTION isms.event_channel_name(org bigint) RETURNS text
    LANGUAGE sql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT 'isms_event_' OPERATOR(pg_catalog.||)
           pg_catalog.md5(s.secret OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) $1::text)
      FROM isms.notify_secret s
$$;
REVOKE ALL ON FUNCTION isms.event_channel_name(bigint) FROM PUBLIC;
COMMENT ON FUNCTION isms.event_channel_name(bigint) IS
    'The notification channel of an organization (engine only; members use isms.event_channel)';

-- The channel of an organisation, for its members (IS015 for anyone else).
CREATE FUNCTION isms.event_channel(org bigint) RETURNS text
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT isms.is_member($1) THEN
        RAISE EXCEPTION 'organization % does not exist', $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'Only members of an organization learn its notification channel.',
                  HINT = 'Check the organization id, and that you are a member of the organization.';
    END IF;
    RETURN isms.event_channel_name($1);
END
$$;
REVOKE ALL ON FUNCTION isms.event_channel(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.event_channel(bigint)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
COMMENT ON FUNCTION isms.event_channel(bigint) IS
    'The channel to LISTEN on for the events of one of the caller''s organizations (IS015 otherwise)';
COMMENT ON COLUMN isms.organization.notify_events IS
    'When true, every event of the organisation is also sent as NOTIFY on its channel, isms.event_channel(org_id)';
