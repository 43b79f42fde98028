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
    FOREACH t IN ARRAY ARRAY['organization', 'membership', 'run', 'step', 'record', 'run_record',
                             'assessment_rating', 'process_exclusion', 'iso27001_clause',
                             'work_product', 'process', 'activity', 'process_input', 'activity_input',
                             'process_output', 'process_reference', 'activity_reference',
                             'work_product_reference', 'run_transition', 'step_transition',
                             'record_transition']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger()',
            t || '_no_truncate', t);
    END LOOP;
END
$$;
