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

-- Is the current role a member of the organisation?
CREATE FUNCTION isms.is_member(org bigint) RETURNS boolean
    LANGUAGE sql STABLE STRICT SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT EXISTS (SELECT FROM isms.membership m
                    WHERE m.org_id OPERATOR(pg_catalog.=) $1
                      AND m.member OPERATOR(pg_catalog.=) CURRENT_USER)
$$;
COMMENT ON FUNCTION isms.is_member(bigint) IS 'Whether the current role is a member of the organization';
