-- 010_search_path_owner: the engine acts as the extension owner.
--
-- From 0.2.0 the engine's internal statements run as the owner of extension
-- isms27022 (pg_extension.extowner), with search_path pinned to pg_catalog,
-- pg_temp, as a security-restricted operation (src/util.c).  The owner of
-- schema isms may drop any object in it, so a schema isms that someone else
-- created before CREATE EXTENSION would hand that role the engine's rights:
-- refuse it.  (The only SQL function of 0.1.0 without SET search_path,
-- isms.is_descendant, names only qualified objects and must stay inlinable.)
DO $$
DECLARE
    schema_owner oid;
    ext_owner oid;
BEGIN
    SELECT n.nspowner, e.extowner INTO schema_owner, ext_owner
      FROM pg_catalog.pg_namespace n, pg_catalog.pg_extension e
     WHERE n.nspname OPERATOR(pg_catalog.=) 'isms' AND e.extname OPERATOR(pg_catalog.=) 'isms27022';
    IF schema_owner OPERATOR(pg_catalog.<>) ext_owner THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('schema isms is owned by role %s, not by the extension owner %s',
                                        schema_owner::pg_catalog.regrole, ext_owner::pg_catalog.regrole),
            DETAIL = 'The owner of schema isms can drop and replace the engine''s objects, so it must be the extension owner.',
            HINT = 'Drop the schema isms, or ALTER SCHEMA isms OWNER TO the installing superuser, before CREATE EXTENSION isms27022.';
    END IF;
END
$$;
