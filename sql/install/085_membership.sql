-- Membership: which database roles work for which organisations, and as
-- what.  Row-level security and the reporting views filter on
-- isms.is_member(org_id).

CREATE TABLE isms.membership (
    org_id      bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    member      name NOT NULL,
    org_role    text NOT NULL CHECK (org_role IN ('admin', 'manager', 'contributor', 'auditor', 'reader')),
    granted_by  text NOT NULL DEFAULT current_user,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, member)
);
CREATE INDEX membership_member_idx ON isms.membership (member, org_id);
COMMENT ON TABLE isms.membership IS
    'Database roles that belong to an organization, with their role in it';
SELECT pg_catalog.pg_extension_config_dump('isms.membership', '');

-- The caller's role in an organisation, and whether it is a member.  The
-- caller is the role logged in and set with SET ROLE, also inside SECURITY
-- DEFINER functions; answers are cached per backend (see src/model.c) and
-- dropped when isms.membership changes.
CREATE FUNCTION isms.member_role(org bigint) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'api_member_role';
CREATE FUNCTION isms.is_member(org bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'api_is_member';
COMMENT ON FUNCTION isms.member_role(bigint) IS
    'The current role''s role in the organization (admin, manager, contributor, auditor, reader), or NULL';
COMMENT ON FUNCTION isms.is_member(bigint) IS 'Whether the current role is a member of the organization';

CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.membership
    FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger();
