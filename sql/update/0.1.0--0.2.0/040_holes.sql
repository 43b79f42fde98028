-- 040_holes: events only for rows really written; submission recorded;
-- assessor and rating time set by the engine.
--
-- Events of inserted rows come from AFTER ROW triggers, so an INSERT ... ON
-- CONFLICT DO NOTHING that inserts nothing appends nothing (the BEFORE
-- triggers only check).  AFTER triggers fire in name order: run_creates_steps
-- before run_planned, record_created before record_links_output.

CREATE FUNCTION isms.run_planned_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_planned_trigger';
CREATE TRIGGER run_planned AFTER INSERT ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms.run_planned_trigger();
CREATE FUNCTION isms.record_created_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'record_created_trigger';
CREATE TRIGGER record_created AFTER INSERT ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_created_trigger();
CREATE FUNCTION isms.run_record_added_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_record_added_trigger';
CREATE TRIGGER run_record_added AFTER INSERT ON isms.run_record
    FOR EACH ROW EXECUTE FUNCTION isms.run_record_added_trigger();

-- The first submission for review makes a record evidence: from then on it
-- is kept until its retention ends, even when it is returned to draft.
-- Records of an upgraded database that left draft, or were returned to it
-- (they carry the return's reason), count as submitted when they were created.
ALTER TABLE isms.record ADD COLUMN submitted_at timestamptz;
COMMENT ON COLUMN isms.record.submitted_at IS
    'When the record was first submitted for review (set by the engine); a submitted record is kept until its retention ends';
ALTER TABLE isms.record DISABLE TRIGGER record_rules;
UPDATE isms.record SET submitted_at = created_at
 WHERE state OPERATOR(pg_catalog.<>) 'draft' OR state_reason IS NOT NULL;
ALTER TABLE isms.record ENABLE TRIGGER record_rules;

-- An assessor's rating is recorded by the acting identity, at the time it is
-- recorded: both are set by the engine, not by the client.
ALTER TABLE isms.assessment_rating ALTER COLUMN assessor DROP DEFAULT;
ALTER TABLE isms.assessment_rating ALTER COLUMN assessed_at DROP DEFAULT;
COMMENT ON COLUMN isms.assessment_rating.assessor IS 'The acting identity that recorded the rating (set by the engine)';
COMMENT ON COLUMN isms.assessment_rating.assessed_at IS 'When the rating was recorded (set by the engine)';
CREATE FUNCTION isms.assessment_rules_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'assessment_rules_trigger';
CREATE TRIGGER assessment_rules BEFORE INSERT ON isms.assessment_rating
    FOR EACH ROW EXECUTE FUNCTION isms.assessment_rules_trigger();
