-- 150_authority: approval authority (issue 15, item 6).
--
-- "Any manager but the author" is not enough for every approval.  An
-- organisation designates some of its members -- top management, internal
-- auditors -- and a work product or a lifecycle transition may require a
-- designation of whoever approves it or makes it (src/authority.c):
--   * isms.work_product.approval_designation: approving a record of the
--     work product needs a member holding that designation (IS024);
--   * isms.work_product.approval_independent: the approver must also be
--     independent of what the record's run audited (IS025, see
--     docs/guide.md "Approval authority" for the exact definition);
--   * isms.lifecycle_transition.required_designation: making the transition
--     needs the designation, for every kind (IS024).
-- The PRM requires top management for the information security policy
-- (5.2) and the management review results (9.3), and an independent
-- internal auditor for the internal audit results (9.2.2, A.5.35).  The
-- PRM's requirements are not tailorable (the PRM is read-only); an
-- organisation's own work products carry their own.

CREATE TABLE isms.designation_kind (
    designation text PRIMARY KEY CHECK (designation ~ '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL CHECK (name ~ '[^[:space:]]'),
    description text NOT NULL
);
COMMENT ON TABLE isms.designation_kind IS
    'The designations an organisation gives its members (top management, internal auditor): the authorities approvals can require';
INSERT INTO isms.designation_kind VALUES
    ('top_management', 'Top management',
     'The person or group who directs and controls the organisation at the highest level (ISO/IEC 27001 5.1, 5.2, 9.3): approves the information security policy and the management review results'),
    ('internal_auditor', 'Internal auditor',
     'A member the organisation has selected to conduct internal audits objectively and impartially (ISO/IEC 27001 9.2.2, A.5.35): approves internal audit results of work he or she is independent of');
GRANT SELECT ON isms.designation_kind TO isms_reader;
CREATE TRIGGER designation_kind_no_truncate BEFORE TRUNCATE ON isms.designation_kind
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();

-- Transitions may now require a designation: the engine checks it.
ALTER TABLE isms.lifecycle_transition
    DROP CONSTRAINT lifecycle_transition_designation_unchecked,
    ADD CONSTRAINT lifecycle_transition_required_designation_fkey
        FOREIGN KEY (required_designation) REFERENCES isms.designation_kind;
COMMENT ON COLUMN isms.lifecycle_transition.required_designation IS
    'Only a member holding this designation in the object''s organisation makes the transition (IS024); NULL: no designation needed';

-- Work products may require a designation, and independence, of the approver.
ALTER TABLE isms.work_product
    ADD COLUMN approval_designation text REFERENCES isms.designation_kind,
    ADD COLUMN approval_independent boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN isms.work_product.approval_designation IS
    'A record of this work product is approved only by a member holding this designation (IS024); NULL: any approver but the author';
COMMENT ON COLUMN isms.work_product.approval_independent IS
    'The approver must be independent of the work the record''s run took as input: not its author, approver, run owner or step performer (IS025)';
UPDATE isms.work_product SET approval_designation = 'top_management'
 WHERE org_id IS NULL AND key OPERATOR(pg_catalog.=) ANY ('{security_policy,management_review_results}'::text[]);
UPDATE isms.work_product SET approval_designation = 'internal_auditor', approval_independent = true
 WHERE org_id IS NULL AND key OPERATOR(pg_catalog.=) 'audit_report';

-- The designations of an organisation's members.  A designee is a member:
-- when the membership ends, its designations end with it (the cascade's
-- deletes append their revocation events).  Rows are granted and revoked,
-- never changed; who granted and when is set by the engine.
CREATE TABLE isms.designation (
    org_id      bigint NOT NULL,
    member_oid  regrole NOT NULL,
    designation text NOT NULL REFERENCES isms.designation_kind,
    granted_by  regrole NOT NULL DEFAULT isms.current_identity(),
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, designation, member_oid),
    FOREIGN KEY (org_id, member_oid) REFERENCES isms.membership (org_id, member_oid) ON DELETE CASCADE
);
CREATE INDEX designation_member_idx ON isms.designation (org_id, member_oid);
COMMENT ON TABLE isms.designation IS
    'Members an organisation has designated (top management, internal auditors): the authorities the engine checks on approvals';
COMMENT ON COLUMN isms.designation.member_oid IS 'The designee: a member of the organisation (login role identity)';
COMMENT ON COLUMN isms.designation.granted_by IS 'The administrator who designated the member (set by the engine)';
COMMENT ON COLUMN isms.designation.granted_at IS 'When the member was designated (set by the engine)';
SELECT pg_catalog.pg_extension_config_dump('isms.designation', '');

-- Before insert: who designates and when; before update: refused (IS009);
-- after insert and delete: the event.
CREATE FUNCTION isms.designation_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'authority_designation_trigger';
CREATE TRIGGER designation_rules BEFORE INSERT OR UPDATE ON isms.designation
    FOR EACH ROW EXECUTE FUNCTION isms.designation_trigger();
CREATE TRIGGER designation_events AFTER INSERT OR DELETE ON isms.designation
    FOR EACH ROW EXECUTE FUNCTION isms.designation_trigger();
CREATE TRIGGER designation_no_truncate BEFORE TRUNCATE ON isms.designation
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();

-- Tenancy: members see their organisation's designations; only its
-- administrators grant and revoke them.  granted_by and granted_at are
-- granted for their defaults (Citus names every defaulted column in the
-- shard's INSERT); the trigger records the engine's values whatever is given.
CREATE POLICY select_member ON isms.designation FOR SELECT
    USING (isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY ('{admin,manager,contributor,auditor}'::text[]));
CREATE POLICY insert_admin ON isms.designation FOR INSERT
    WITH CHECK (isms.member_role(org_id) OPERATOR(pg_catalog.=) 'admin');
CREATE POLICY delete_admin ON isms.designation FOR DELETE
    USING (isms.member_role(org_id) OPERATOR(pg_catalog.=) 'admin');
ALTER TABLE isms.designation ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
GRANT SELECT ON isms.designation TO isms_contributor, isms_auditor;
GRANT INSERT (org_id, member_oid, designation, granted_by, granted_at), DELETE ON isms.designation TO isms_admin;

-- Designate a member (administrators of the organisation).
CREATE FUNCTION isms.designate(org bigint, member name, designation text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    who pg_catalog.oid;
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    IF NOT EXISTS (SELECT FROM isms.designation_kind k WHERE k.designation OPERATOR(pg_catalog.=) $3) THEN
        RAISE EXCEPTION 'designation "%" does not exist', pg_catalog.left($3, 64)
            USING ERRCODE = '22023',
                  DETAIL = 'The designations are listed in isms.designation_kind.',
                  HINT = 'Pass one of: SELECT designation FROM isms.designation_kind.';
    END IF;
    SELECT m.member_oid::pg_catalog.oid INTO who FROM isms.membership m
     WHERE m.org_id OPERATOR(pg_catalog.=) $1
       AND m.member_oid::pg_catalog.oid OPERATOR(pg_catalog.=)
           (SELECT a.oid FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) $2);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not a member of organization %', $2, $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'Only members of an organization can be designated.',
                  HINT = 'Add the role first with isms.add_member(org, role, org_role).';
    END IF;
    INSERT INTO isms.designation (org_id, member_oid, designation) VALUES ($1, who, $3)
        ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION isms.designate(bigint, name, text) IS
    'Designate a member of the organization (top_management, internal_auditor); administrators only';

-- Revoke a designation (administrators of the organisation).
CREATE FUNCTION isms.revoke_designation(org bigint, member name, designation text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    DELETE FROM isms.designation d
     WHERE d.org_id OPERATOR(pg_catalog.=) $1 AND d.designation OPERATOR(pg_catalog.=) $3
       AND d.member_oid::pg_catalog.oid OPERATOR(pg_catalog.=)
           (SELECT a.oid FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) $2);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not designated % in organization %', $2, pg_catalog.left($3, 64), $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'There is no designation to revoke.',
                  HINT = 'The organization''s designations are the rows of isms.designation.';
    END IF;
END
$$;
COMMENT ON FUNCTION isms.revoke_designation(bigint, name, text) IS
    'Revoke a designation of a member of the organization; administrators only';

-- Whether the caller holds a designation in an organisation.
CREATE FUNCTION isms.has_designation(org bigint, designation text) RETURNS boolean
    LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.is_member($1) AND EXISTS (
        SELECT FROM isms.designation d
         WHERE d.org_id OPERATOR(pg_catalog.=) $1 AND d.designation OPERATOR(pg_catalog.=) $2
           AND d.member_oid OPERATOR(pg_catalog.=) isms.current_identity())
$$;
COMMENT ON FUNCTION isms.has_designation(bigint, text) IS
    'Whether the caller (isms.current_identity()) holds the designation in the organization';

REVOKE ALL ON FUNCTION isms.designate(bigint, name, text), isms.revoke_designation(bigint, name, text),
    isms.has_designation(bigint, text), isms.designation_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.designate(bigint, name, text), isms.revoke_designation(bigint, name, text)
    TO isms_admin;
GRANT EXECUTE ON FUNCTION isms.has_designation(bigint, text) TO isms_reader;

-- The strict rule made workable: whoever founds an organisation is its
-- first admin and its first top management designee (and can designate
-- others, and revoke this one).  A superuser gets neither.
CREATE OR REPLACE FUNCTION isms.create_organization(name text, admin name DEFAULT CURRENT_USER) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint;
    superuser boolean;
    first pg_catalog.oid;
BEGIN
    SELECT r.rolsuper, r.oid INTO superuser, first FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', $2
            USING ERRCODE = '42704',
                  DETAIL = 'The first admin of an organization is a database role.',
                  HINT = 'Leave "admin" out to become the admin yourself.';
    END IF;
    org := isms.organization_open($1);
    IF NOT superuser THEN
        INSERT INTO isms.membership (org_id, member, org_role, granted_by) VALUES (org, $2, 'admin', $2);
        INSERT INTO isms.designation (org_id, member_oid, designation) VALUES (org, first, 'top_management');
    END IF;
    RETURN org;
END
$$;
COMMENT ON FUNCTION isms.create_organization(text, name) IS
    'Create an organization (tenant), open its event chain and make the caller (or the role named) its first admin and top management designee';
