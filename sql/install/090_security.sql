-- Tenancy and security: what each group role may do, the row-level security
-- that confines it to its organisations, and the admin functions that manage
-- organisations and their members.
--
-- Two layers decide what a login role may do:
--   * its group roles (GRANT isms_manager TO alice) decide which statements
--     it may run at all: table and function privileges;
--   * its org_role in isms.membership decides, per organisation, which rows
--     those statements see and may write: row-level security policies.
-- The group roles nest: isms_reader < isms_contributor < isms_manager <
-- isms_admin, and isms_reader < isms_auditor.  Org roles nest the same way.
-- Superusers (the extension owner among them) bypass row-level security;
-- nobody else does, FORCE included.  The C triggers run for everyone.

-- The group roles nest (roles are cluster-wide: grant only what is missing).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT * FROM (VALUES ('isms_reader', 'isms_contributor'), ('isms_reader', 'isms_auditor'),
                                   ('isms_contributor', 'isms_manager'), ('isms_manager', 'isms_admin'))
                           AS v (granted, grantee)
    LOOP
        IF NOT pg_catalog.pg_has_role(g.grantee, g.granted, 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO %I', g.granted, g.grantee);
        END IF;
    END LOOP;
END
$$;

-- Organisations are created by isms_admin members; the first admin is the
-- caller (the default is evaluated in the caller's context, where
-- CURRENT_USER is still the caller) or the role named.  Naming another role
-- only chooses who administers a new, empty organisation.  A superuser
-- needs no membership and gets none.  This replaces the invoker definition
-- of 080_api.sql, which a tenant role could not use under row-level
-- security.
DROP FUNCTION isms.create_organization(text);
CREATE FUNCTION isms.create_organization(name text, admin name DEFAULT CURRENT_USER) RETURNS bigint
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
    INSERT INTO isms.organization (name) VALUES ($1) RETURNING org_id INTO org;
    IF NOT superuser THEN
        INSERT INTO isms.membership (org_id, member, org_role, granted_by) VALUES (org, $2, 'admin', $2);
    END IF;
    RETURN org;
END
$$;
COMMENT ON FUNCTION isms.create_organization(text, name) IS
    'Create an organization (tenant), open its event chain and make the caller (or the role named) its first admin';

-- Add a member to an organisation, or change its org role.  These two run
-- with the caller's rights: row-level security confines them to the
-- organisations the caller is admin of, and granted_by is the caller.
CREATE FUNCTION isms.add_member(org bigint, member name, org_role text) RETURNS void
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
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $2) THEN
        RAISE EXCEPTION 'role "%" does not exist', $2
            USING ERRCODE = '42704',
                  DETAIL = 'Members are database roles.',
                  HINT = 'Create the role first, and grant it the isms_* group role that matches its org role.';
    END IF;
    INSERT INTO isms.membership AS m (org_id, member, org_role) VALUES ($1, $2, $3)
        ON CONFLICT (org_id, member) DO UPDATE
        SET org_role = excluded.org_role, granted_by = excluded.granted_by, granted_at = excluded.granted_at;
END
$$;
COMMENT ON FUNCTION isms.add_member(bigint, name, text) IS
    'Make a role a member of the organization with an org role (admin, manager, contributor, auditor, reader), or change its org role';

-- Remove a member from an organisation (admins only).
CREATE FUNCTION isms.remove_member(org bigint, member name) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    DELETE FROM isms.membership m
     WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.member OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not a member of organization %', $2, $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'There is no membership to remove.',
                  HINT = pg_catalog.format('List the members with: SELECT * FROM isms.membership WHERE org_id = %s.', $1);
    END IF;
END
$$;
COMMENT ON FUNCTION isms.remove_member(bigint, name) IS 'Remove a role from the organization (admins only)';

-- An organisation keeps at least one admin.  Changes to one organisation's
-- admins are serialised on its row, so two admins cannot remove each other.
CREATE FUNCTION isms.membership_keeps_admin_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF OLD.org_role OPERATOR(pg_catalog.=) 'admin'
       AND (TG_OP OPERATOR(pg_catalog.=) 'DELETE' OR NEW.org_role OPERATOR(pg_catalog.<>) 'admin') THEN
        PERFORM FROM isms.organization o WHERE o.org_id OPERATOR(pg_catalog.=) OLD.org_id FOR NO KEY UPDATE;
        IF FOUND AND NOT EXISTS (SELECT FROM isms.membership m
                                  WHERE m.org_id OPERATOR(pg_catalog.=) OLD.org_id
                                    AND m.org_role OPERATOR(pg_catalog.=) 'admin'
                                    AND m.member OPERATOR(pg_catalog.<>) OLD.member) THEN
            RAISE EXCEPTION 'organization % must keep an admin', OLD.org_id
                USING ERRCODE = '23514',
                      DETAIL = pg_catalog.format('Role "%s" is its only admin.', OLD.member),
                      HINT = 'Make another member admin first with isms.add_member(org, role, ''admin'').';
        END IF;
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER membership_keeps_admin BEFORE UPDATE OR DELETE ON isms.membership
    FOR EACH ROW EXECUTE FUNCTION isms.membership_keeps_admin_trigger();

-- Row-level security: one permissive policy per table, command and set of
-- org roles (isms.member_role is the caller's role in the row's
-- organisation, from the per-backend cache); a few add a condition on the
-- row.  UPDATE policies check the new row as well.
DO $$
DECLARE
    p record;
    cond text;
BEGIN
    FOR p IN SELECT * FROM (VALUES
        -- table            command   org roles                                extra condition on the row
        ('organization',    'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('organization',    'UPDATE', '{admin}',                             NULL),
        -- everyone sees its own memberships
        ('membership',      'SELECT', '{admin,manager,auditor}',             NULL),
        ('membership',      'INSERT', '{admin}',                             NULL),
        ('membership',      'UPDATE', '{admin}',                             NULL),
        ('membership',      'DELETE', '{admin}',                             NULL),
        ('process_exclusion', 'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('process_exclusion', 'INSERT', '{admin}',                           NULL),
        ('process_exclusion', 'UPDATE', '{admin}',                           NULL),
        ('process_exclusion', 'DELETE', '{admin}',                           NULL),
        ('run',             'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('run',             'INSERT', '{admin,manager}',                     NULL),
        ('run',             'UPDATE', '{admin,manager}',                     NULL),
        ('step',            'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('step',            'UPDATE', '{admin,manager,contributor}',         NULL),
        ('record',          'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('record',          'INSERT', '{admin,manager,contributor}',         NULL),
        -- contributors edit and submit drafts; approving and withdrawing is for managers
        ('record',          'UPDATE', '{admin,manager}',                     NULL),
        ('record',          'UPDATE', '{contributor}',                       'state OPERATOR(pg_catalog.=) ANY (''{draft,in_review}''::isms.record_state[])'),
        ('record',          'DELETE', '{admin,manager}',                     NULL),
        ('record',          'DELETE', '{contributor}',                       'state OPERATOR(pg_catalog.=) ''draft''::isms.record_state'),
        -- contributors link inputs; confirming an output is for managers
        ('run_record',      'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('run_record',      'INSERT', '{admin,manager}',                     NULL),
        ('run_record',      'INSERT', '{contributor}',                       'role OPERATOR(pg_catalog.=) ''input''::isms.link_role'),
        ('run_record',      'DELETE', '{admin,manager,contributor}',         NULL),
        ('event',           'SELECT', '{admin,manager,auditor}',             NULL),
        ('event_chain',     'SELECT', '{admin,manager,auditor}',             NULL)
      ) AS v (tab, cmd, org_roles, extra)
    LOOP
        cond := pg_catalog.format('isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY (%L::text[])', p.org_roles);
        IF p.extra IS NOT NULL THEN
            cond := cond || ' AND ' || p.extra;
        END IF;
        IF p.tab OPERATOR(pg_catalog.=) 'membership' AND p.cmd OPERATOR(pg_catalog.=) 'SELECT' THEN
            cond := 'member OPERATOR(pg_catalog.=) CURRENT_USER OR ' || cond;
        END IF;
        EXECUTE pg_catalog.format('CREATE POLICY %I ON isms.%I FOR %s %s (%s)%s',
            pg_catalog.lower(p.cmd) || '_' || pg_catalog.array_to_string(p.org_roles::text[], '_'),
            p.tab, p.cmd, CASE p.cmd WHEN 'INSERT' THEN 'WITH CHECK' ELSE 'USING' END, cond,
            CASE p.cmd WHEN 'UPDATE' THEN pg_catalog.format(' WITH CHECK (%s)', cond) ELSE '' END);
    END LOOP;

    FOREACH cond IN ARRAY ARRAY['organization', 'membership', 'process_exclusion', 'run', 'step', 'record',
                                'run_record', 'event', 'event_chain']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE isms.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', cond);
    END LOOP;

    -- the catalog: the PRM and the tailoring of one's own organisations
    FOREACH cond IN ARRAY ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                                'process_output']
    LOOP
        EXECUTE pg_catalog.format('CREATE POLICY select_prm_or_member ON isms.%I FOR SELECT '
                                  'USING (org_id IS NULL OR isms.is_member(org_id))', cond);
        EXECUTE pg_catalog.format('ALTER TABLE isms.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', cond);
    END LOOP;
END
$$;
-- the view reads the catalog as its caller, so that the policies apply
ALTER VIEW isms.process_flow SET (security_invoker = true);

-- Nothing in schema isms is executable by PUBLIC but the functions of the
-- clause and rating types (operators, aggregates, the capability rule).
-- The roles below get what they need.  Install pieces after this one
-- revoke and grant their own functions.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'isms'::pg_catalog.regnamespace
                AND p.prokind OPERATOR(pg_catalog.<>) 'a'
                AND p.proname OPERATOR(pg_catalog.!~) '^(clause_|rating|capability_level|is_descendant$)'
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;

-- isms_reader (and every other role, which all include it): the membership
-- checks that the reporting views use.
GRANT USAGE ON SCHEMA isms TO isms_reader;
GRANT EXECUTE ON FUNCTION isms.is_member(bigint), isms.member_role(bigint) TO isms_reader;

-- isms_contributor and isms_auditor read the catalog, the operational
-- tables and use the id lookups.
GRANT SELECT ON isms.iso27001_clause, isms.work_product, isms.process, isms.activity, isms.process_input,
    isms.activity_input, isms.process_output, isms.process_reference, isms.activity_reference,
    isms.work_product_reference, isms.run_transition, isms.step_transition, isms.record_transition,
    isms.process_flow, isms.organization, isms.membership, isms.process_exclusion, isms.run, isms.step,
    isms.record, isms.run_record
    TO isms_contributor, isms_auditor;
GRANT EXECUTE ON FUNCTION isms.run_org(bigint), isms.record_org(bigint), isms.step_org(bigint, integer),
    isms.process_id(bigint, isms.clause), isms.work_product_id(bigint, text), isms.run_blockers(bigint),
    isms.require_org_role(bigint, text[])
    TO isms_contributor, isms_auditor;

-- isms_auditor: the audit trail too.
GRANT SELECT ON isms.event, isms.event_chain TO isms_auditor;
GRANT EXECUTE ON FUNCTION isms.verify_events(bigint) TO isms_auditor;

-- isms_contributor: steps, draft records, inputs.
GRANT UPDATE (state, performer, skip_reason) ON isms.step TO isms_contributor;
GRANT INSERT, DELETE, UPDATE (title, content, evidence_uri, evidence_sha256, state, state_reason)
    ON isms.record TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.record_id_seq TO isms_contributor;
GRANT INSERT, DELETE ON isms.run_record TO isms_contributor;
GRANT EXECUTE ON FUNCTION
    isms.add_input(bigint, bigint), isms.remove_input(bigint, bigint),
    isms.set_step_state(bigint, integer, isms.step_state, text, text),
    isms.start_step(bigint, integer, text), isms.finish_step(bigint, integer), isms.skip_step(bigint, integer, text),
    isms.new_record(bigint, text, text, jsonb, text, text),
    isms.new_external_record(bigint, text, text, jsonb, text, text), isms.new_version(bigint, bigint),
    isms.set_record_state(bigint, isms.record_state, text), isms.submit_record(bigint)
    TO isms_contributor;

-- isms_manager: runs, review and approval, confirmation, the audit trail.
GRANT SELECT ON isms.event, isms.event_chain TO isms_manager;
GRANT INSERT, UPDATE (title, owner, planned_start, due, state, state_reason) ON isms.run TO isms_manager;
GRANT USAGE ON SEQUENCE isms.run_id_seq TO isms_manager;
GRANT EXECUTE ON FUNCTION
    isms.plan_run(bigint, isms.clause, text, text, date, date), isms.set_run_state(bigint, isms.run_state, text),
    isms.start_run(bigint), isms.complete_run(bigint), isms.suspend_run(bigint, text), isms.resume_run(bigint),
    isms.cancel_run(bigint, text),
    isms.approve_record(bigint), isms.return_record(bigint, text), isms.withdraw_record(bigint, text),
    isms.confirm_record(bigint, bigint), isms.verify_events(bigint)
    TO isms_manager;

-- isms_admin: organisations, members, tailoring.
GRANT UPDATE (name, notify_events) ON isms.organization TO isms_admin;
GRANT INSERT, DELETE, UPDATE (org_role, granted_by, granted_at) ON isms.membership TO isms_admin;
GRANT INSERT, DELETE, UPDATE (justification) ON isms.process_exclusion TO isms_admin;
GRANT EXECUTE ON FUNCTION
    isms.create_organization(text, name), isms.add_member(bigint, name, text), isms.remove_member(bigint, name),
    isms.exclude_process(bigint, isms.clause, text), isms.include_process(bigint, isms.clause)
    TO isms_admin;
-- the tailoring functions of 087_tailoring.sql (they check the org role themselves)
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'isms'::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.=) ANY ('{add_work_product,add_process,add_activity,add_process_input,add_process_output,add_activity_input}'::name[])
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO isms_admin', f);
    END LOOP;
END
$$;
