-- Group roles of the extension (NOLOGIN; grant them to login roles).
-- Roles are cluster-wide: they are created if missing and survive
-- DROP EXTENSION.  What each may do is granted in 090_security.sql.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['isms_admin', 'isms_manager', 'isms_contributor', 'isms_auditor', 'isms_reader', 'isms_app']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;
