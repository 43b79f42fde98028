-- Identities are role OIDs, not names (issue 12, findings 3 and 4).
--
-- A member, an author and an approver are role OIDs, kept in regrole
-- columns (shown, dumped and restored as names, compared as OIDs); the name
-- columns stay for display.  Dropping a role and creating another with its
-- name, or renaming a role, hands over nothing.  Only login roles can be
-- members: a group role such as isms_manager is shared by every login of
-- every tenant.  The identity of a session is the role that logged in (see
-- engine_identity in src/util.c); isms.current_identity() shows it.

CREATE FUNCTION isms.current_identity() RETURNS regrole
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'api_current_identity';
COMMENT ON FUNCTION isms.current_identity() IS
    'The role the engine attributes the session''s changes to and looks memberships up for: the login role, also after SET ROLE (a superuser session: the role it set)';
GRANT EXECUTE ON FUNCTION isms.current_identity() TO isms_reader;

-- Records: who authored and approved, as identities.  Records of 0.1.0 get
-- the OID of the role that has the name now (application users get none and
-- are compared by name); the engine's triggers do not fire for this.
ALTER TABLE isms.record
    ADD COLUMN author_oid regrole,
    ADD COLUMN author_app text,
    ADD COLUMN approver_oid regrole,
    ADD COLUMN approver_app text;
COMMENT ON COLUMN isms.record.author IS 'Display name of the author: the application user, else the role''s name when it created the record';
COMMENT ON COLUMN isms.record.author_oid IS 'The author''s identity: the login role that created the record (NULL: created before 0.2.0, compared by name)';
COMMENT ON COLUMN isms.record.author_app IS 'The application user (isms.actor) within author_oid, or NULL';
COMMENT ON COLUMN isms.record.approver IS 'Display name of the approver: the application user, else the role''s name when it approved';
COMMENT ON COLUMN isms.record.approver_oid IS 'The approver''s identity: the login role that approved the record';
COMMENT ON COLUMN isms.record.approver_app IS 'The application user (isms.actor) within approver_oid, or NULL';
ALTER TABLE isms.record DISABLE TRIGGER USER;
UPDATE isms.record r SET author_oid = a.oid
  FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) r.author;
UPDATE isms.record r SET approver_oid = a.oid
  FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) r.approver;
ALTER TABLE isms.record ENABLE TRIGGER USER;

-- Membership keyed by the member's OID.  Memberships of roles that no longer
-- exist or cannot log in are dropped.
ALTER TABLE isms.membership ADD COLUMN member_oid regrole;
UPDATE isms.membership m SET member_oid = a.oid
  FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) m.member AND a.rolcanlogin;
ALTER TABLE isms.membership DISABLE TRIGGER membership_keeps_admin;
DELETE FROM isms.membership WHERE member_oid IS NULL;
ALTER TABLE isms.membership ENABLE TRIGGER membership_keeps_admin;
ALTER TABLE isms.membership
    ALTER COLUMN member_oid SET NOT NULL,
    DROP CONSTRAINT membership_pkey,
    ADD PRIMARY KEY (org_id, member_oid);
DROP INDEX isms.membership_member_idx;
CREATE INDEX membership_member_idx ON isms.membership (member_oid, org_id);
COMMENT ON COLUMN isms.membership.member_oid IS 'The member: a login role (its identity; a role created later with the same name is not a member)';
COMMENT ON COLUMN isms.membership.member IS 'The member''s name, for display: set from member_oid on every write';

-- Either column names the member: the OID wins, the name is resolved when
-- the OID is left out (INSERT ... (org_id, member, org_role) keeps working).
-- A restored row whose role no longer exists is skipped with a warning.
CREATE FUNCTION isms.membership_identity_trigger() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.member_oid OPERATOR(pg_catalog.<>) OLD.member_oid THEN
        RAISE EXCEPTION 'the member of a membership cannot be changed'
            USING ERRCODE = 'IS023',
                  DETAIL = pg_catalog.format('Role "%s" is the member of this row of organization %s.', OLD.member, OLD.org_id),
                  HINT = 'Remove the membership and add the other role with isms.add_member(org, role, org_role).';
    END IF;
    IF NEW.member_oid IS NULL THEN
        SELECT a.oid, a.rolname, a.rolcanlogin INTO r FROM pg_catalog.pg_roles a
         WHERE a.rolname OPERATOR(pg_catalog.=) NEW.member;
    ELSE
        SELECT a.oid, a.rolname, a.rolcanlogin INTO r FROM pg_catalog.pg_roles a
         WHERE a.oid OPERATOR(pg_catalog.=) NEW.member_oid::pg_catalog.oid;
    END IF;
    IF NOT FOUND AND TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        RETURN NEW;
    ELSIF NOT FOUND AND NEW.member_oid IS NOT NULL THEN
        RAISE WARNING 'membership of dropped role % in organization % skipped', NEW.member_oid::pg_catalog.oid, NEW.org_id;
        RETURN NULL;
    ELSIF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', NEW.member
            USING ERRCODE = '42704',
                  DETAIL = 'Members are database roles.',
                  HINT = 'Create the role first, and grant it the isms_* group role that matches its org role.';
    END IF;
    IF NOT r.rolcanlogin THEN
        RAISE EXCEPTION 'role "%" cannot be a member: it cannot log in', r.rolname
            USING ERRCODE = 'IS022',
                  DETAIL = 'Only login roles are members; a group role is shared by every login granted it, in every organization.',
                  HINT = 'Add the login role of the person or application instead.';
    END IF;
    NEW.member_oid := r.oid;
    NEW.member := r.rolname;
    RETURN NEW;
END
$$;
CREATE TRIGGER membership_identity BEFORE INSERT OR UPDATE ON isms.membership
    FOR EACH ROW EXECUTE FUNCTION isms.membership_identity_trigger();

-- Everyone sees its own memberships: by identity, not by CURRENT_USER.
ALTER POLICY select_admin_manager_auditor ON isms.membership
    USING (member_oid OPERATOR(pg_catalog.=) isms.current_identity()
           OR isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY ('{admin,manager,auditor}'::text[]));

-- add_member and remove_member: the member is resolved to its OID.
CREATE OR REPLACE FUNCTION isms.add_member(org bigint, member name, org_role text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    IF $3 IS NULL OR $3 OPERATOR(pg_catalog.<>) ALL ('{admin,manager,contributor,auditor,reader}'::text[]) THEN
        RAISE EXCEPTION 'invalid org role "%"', $3
            USING ERRCODE = '22023',
                  DETAIL = 'An org role is one of admin, manager, contributor, auditor, reader.',
                  HINT = 'Pass one of the org roles listed.';
    END IF;
    -- isms.membership_identity_trigger resolves the name (42704, IS022)
    INSERT INTO isms.membership AS m (org_id, member, org_role) VALUES ($1, $2, $3)
        ON CONFLICT (org_id, member_oid) DO UPDATE
        SET org_role = excluded.org_role, granted_by = excluded.granted_by, granted_at = excluded.granted_at;
END
$$;
COMMENT ON FUNCTION isms.add_member(bigint, name, text) IS
    'Make a login role a member of the organization with an org role (admin, manager, contributor, auditor, reader), or change its org role';

-- A name that belongs to no role any more removes the memberships its
-- dropped role left.
CREATE OR REPLACE FUNCTION isms.remove_member(org bigint, member name) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    DELETE FROM isms.membership m
     WHERE m.org_id OPERATOR(pg_catalog.=) $1
       AND (m.member_oid::pg_catalog.oid OPERATOR(pg_catalog.=)
                (SELECT a.oid FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) $2)
            OR (m.member OPERATOR(pg_catalog.=) $2
                AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles a
                                 WHERE a.oid OPERATOR(pg_catalog.=) m.member_oid::pg_catalog.oid)));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not a member of organization %', $2, $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'There is no membership to remove.',
                  HINT = pg_catalog.format('List the members with: SELECT * FROM isms.membership WHERE org_id = %s.', $1);
    END IF;
END
$$;

-- An organisation keeps an admin that exists: compared by identity.
CREATE OR REPLACE FUNCTION isms.membership_keeps_admin_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF OLD.org_role OPERATOR(pg_catalog.=) 'admin'
       AND (TG_OP OPERATOR(pg_catalog.=) 'DELETE' OR NEW.org_role OPERATOR(pg_catalog.<>) 'admin') THEN
        PERFORM FROM isms.organization o WHERE o.org_id OPERATOR(pg_catalog.=) OLD.org_id FOR NO KEY UPDATE;
        IF FOUND AND NOT EXISTS (SELECT FROM isms.membership m JOIN pg_catalog.pg_roles a
                                     ON a.oid OPERATOR(pg_catalog.=) m.member_oid::pg_catalog.oid
                                  WHERE m.org_id OPERATOR(pg_catalog.=) OLD.org_id
                                    AND m.org_role OPERATOR(pg_catalog.=) 'admin'
                                    AND m.member_oid::pg_catalog.oid OPERATOR(pg_catalog.<>) OLD.member_oid::pg_catalog.oid) THEN
            RAISE EXCEPTION 'organization % must keep an admin', OLD.org_id
                USING ERRCODE = '23514',
                      DETAIL = pg_catalog.format('Role "%s" is its only admin.', OLD.member),
                      HINT = 'Make another member admin first with isms.add_member(org, role, ''admin'').';
        END IF;
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
