-- The engine's rules, written in C and attached as triggers, so that the API
-- functions, plain INSERT/UPDATE/DELETE and COPY all obey them alike.

CREATE FUNCTION isms.run_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_trigger';
CREATE FUNCTION isms.run_steps_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_steps_trigger';
CREATE FUNCTION isms.step_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'step_trigger';
CREATE FUNCTION isms.record_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'record_trigger';
CREATE FUNCTION isms.record_output_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'record_output_trigger';
CREATE FUNCTION isms.run_record_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_record_trigger';
CREATE FUNCTION isms.event_guard_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'event_guard_trigger';
CREATE FUNCTION isms.organization_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'organization_trigger';
CREATE FUNCTION isms.model_changed_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'model_changed_trigger';

CREATE TRIGGER organization_opens_chain AFTER INSERT ON isms.organization
    FOR EACH ROW EXECUTE FUNCTION isms.organization_trigger();

CREATE TRIGGER run_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms.run_trigger();
CREATE TRIGGER run_creates_steps AFTER INSERT ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms.run_steps_trigger();
CREATE TRIGGER step_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.step
    FOR EACH ROW EXECUTE FUNCTION isms.step_trigger();
CREATE TRIGGER record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_trigger();
CREATE TRIGGER record_links_output AFTER INSERT ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_output_trigger();
CREATE TRIGGER run_record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run_record
    FOR EACH ROW EXECUTE FUNCTION isms.run_record_trigger();

CREATE TRIGGER event_append_only BEFORE INSERT OR UPDATE OR DELETE ON isms.event
    FOR EACH ROW EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON isms.event
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_chain_engine_only BEFORE INSERT OR UPDATE OR DELETE ON isms.event_chain
    FOR EACH ROW EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON isms.event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();

-- Every backend's model cache is dropped when the catalog or tailoring changes.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['process', 'activity', 'work_product', 'process_input', 'activity_input',
                             'process_output', 'run_transition', 'step_transition', 'record_transition',
                             'process_exclusion']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger()', t);
    END LOOP;
END
$$;
