-- Events chained at commit (issue 14) and organisations that only the
-- engine creates and nobody deletes (issue 13).
--
-- The engine appends a transaction's events when it commits, one statement
-- per organisation and batch (src/event.c).  What the row triggers and the
-- foreign key of isms.event checked per row is guaranteed by the engine
-- instead: only the engine writes events (checked once per statement), and
-- it writes them only for an organisation whose chain head exists, which
-- references the organisation, which is never deleted.

ALTER TABLE isms.event DROP CONSTRAINT event_org_id_fkey;

DROP TRIGGER event_append_only ON isms.event;
CREATE TRIGGER event_append_only BEFORE INSERT OR UPDATE OR DELETE ON isms.event
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();

-- An organisation's chain is retained for good, and so is the organisation
-- (IS011); its rows come only from isms.create_organization (IS020), so a
-- restore with triggers enabled cannot open fresh chains for organisations
-- whose events it has not restored.
CREATE FUNCTION isms.organization_guard_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'organization_guard_trigger';
CREATE TRIGGER organization_retained BEFORE DELETE ON isms.organization
    FOR EACH ROW EXECUTE FUNCTION isms.organization_guard_trigger();

CREATE FUNCTION isms.organization_open(name text) RETURNS bigint
    LANGUAGE c AS 'MODULE_PATHNAME', 'api_organization_open';
REVOKE ALL ON FUNCTION isms.organization_open(text) FROM PUBLIC;
COMMENT ON FUNCTION isms.organization_open(text) IS
    'The insert of isms.create_organization, as the engine''s own write (engine only)';

CREATE OR REPLACE FUNCTION isms.create_organization(name text, admin name DEFAULT CURRENT_USER) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint;
    superuser boolean;
BEGIN
    SELECT r.rolsuper INTO superuser FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', $2
            USING ERRCODE = '42704',
                  DETAIL = 'The first admin of an organization is a database role.',
                  HINT = 'Leave "admin" out to become the admin yourself.';
    END IF;
    org := isms.organization_open($1);
    IF NOT superuser THEN
        INSERT INTO isms.membership (org_id, member, org_role, granted_by) VALUES (org, $2, 'admin', $2);
    END IF;
    RETURN org;
END
$$;

-- A record not produced by a run has no output link to make: the trigger
-- is not even called for it (bulk imports of external records).
DROP TRIGGER record_links_output ON isms.record;
CREATE TRIGGER record_links_output AFTER INSERT ON isms.record
    FOR EACH ROW WHEN (NEW.produced_by_run IS NOT NULL) EXECUTE FUNCTION isms.record_output_trigger();
