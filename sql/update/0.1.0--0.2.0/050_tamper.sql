-- Tamper evidence (issue 13): TRUNCATE guards.
-- TRUNCATE skips row triggers, so retention and the rows that events refer
-- to would be lost without a check: every engine table that has no
-- TRUNCATE guard yet refuses it (IS026), for the superuser too.

CREATE FUNCTION isms.truncate_guard_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'truncate_guard_trigger';

DO $$
DECLARE
    t text;
BEGIN
    -- every table of schema isms but event and event_chain, whose
    -- append-only guard refuses TRUNCATE already (IS012); a later piece that
    -- adds a table gives it a guard of its own
    FOR t IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace OPERATOR(pg_catalog.=) 'isms'::pg_catalog.regnamespace
                AND c.relkind OPERATOR(pg_catalog.=) 'r'
                AND c.relname OPERATOR(pg_catalog.<>) ALL ('{event,event_chain}'::pg_catalog.name[])
              ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger()',
            t || '_no_truncate', t);
    END LOOP;
END
$$;
