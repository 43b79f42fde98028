-- Bounded, targeted model cache (issue 14): a change to an organisation's
-- tailoring or memberships invalidates what backends cache about that
-- organisation only (src/model_cache.c).  The statement triggers of 0.1.0
-- on these tables become row triggers, which name the organisation of the
-- old and the new row; a row of the PRM (org_id NULL), a TRUNCATE and the
-- transition tables' statement triggers still invalidate everything.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['process', 'activity', 'work_product', 'process_input', 'activity_input',
                             'process_output', 'process_exclusion', 'membership']
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER model_changed ON isms.%I', t);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE ON isms.%I '
            'FOR EACH ROW EXECUTE FUNCTION isms.model_changed_trigger()', t);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER model_truncated AFTER TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger()', t);
    END LOOP;
END
$$;

-- Whether an organisation has tailored is read once per organisation and
-- backend (src/model.c, model_read_org): an index on org_id for the tables
-- whose unique keys do not lead with it.  They also serve the cascade when
-- an organisation is deleted.
CREATE INDEX activity_org_idx ON isms.activity (org_id) WHERE org_id IS NOT NULL;
CREATE INDEX process_input_org_idx ON isms.process_input (org_id) WHERE org_id IS NOT NULL;
CREATE INDEX activity_input_org_idx ON isms.activity_input (org_id) WHERE org_id IS NOT NULL;
CREATE INDEX process_output_org_idx ON isms.process_output (org_id) WHERE org_id IS NOT NULL;
