-- Capability assessment on the ISO/IEC 33020 scale (see capability.md).
--
-- isms.derived_ratings rates PA 1.1, 2.1, 2.2, 3.1 and 3.2 of every
-- applicable process of an organisation from the evidence in the database;
-- isms.assessment_rating keeps assessors' ratings, which override derived
-- ones (each insertion is an event, written by src/assessment.c); the view
-- isms_report.capability_profile combines both into the current profile and
-- capability level of every process.

-- Assessors' ratings: an append-only history; the latest one of an
-- attribute counts.
CREATE TABLE isms.assessment_rating (
    org_id         bigint NOT NULL REFERENCES isms.organization,
    rating_id      bigint GENERATED ALWAYS AS IDENTITY,
    process_id     integer NOT NULL REFERENCES isms.process,
    attribute      text NOT NULL CHECK (attribute OPERATOR(pg_catalog.=) ANY (ARRAY[
                       'PA 1.1', 'PA 2.1', 'PA 2.2', 'PA 3.1', 'PA 3.2', 'PA 4.1', 'PA 4.2', 'PA 5.1', 'PA 5.2'])),
    period_start   date NOT NULL,
    period_end     date NOT NULL,
    rating         isms.rating NOT NULL,
    justification  text NOT NULL CHECK (justification OPERATOR(pg_catalog.~) '[^[:space:]]'),
    assessor       text NOT NULL DEFAULT CURRENT_USER,
    assessed_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, rating_id),
    CHECK (period_end OPERATOR(pg_catalog.>=) period_start)
);
CREATE INDEX assessment_rating_process_idx ON isms.assessment_rating (org_id, process_id, attribute, assessed_at);
COMMENT ON TABLE isms.assessment_rating IS
    'Assessors'' ratings of process attributes, with justification; they override derived ratings (isms.derived_ratings); each insertion is an event';
COMMENT ON COLUMN isms.assessment_rating.attribute IS 'Process attribute: PA 1.1, PA 2.1, PA 2.2, PA 3.1, PA 3.2, PA 4.1, PA 4.2, PA 5.1 or PA 5.2';
COMMENT ON COLUMN isms.assessment_rating.period_start IS 'First day of the period the rating is about';
COMMENT ON COLUMN isms.assessment_rating.period_end IS 'Last day of the period the rating is about';
COMMENT ON COLUMN isms.assessment_rating.assessor IS 'The database role that recorded the rating (the event records the actor)';
SELECT pg_catalog.pg_extension_config_dump('isms.assessment_rating', '');

CREATE FUNCTION isms.assessment_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'assessment_trigger';
CREATE TRIGGER assessment_evented AFTER INSERT ON isms.assessment_rating
    FOR EACH ROW EXECUTE FUNCTION isms.assessment_trigger();

-- Tenancy: members of the organisation only, the table owner included.
ALTER TABLE isms.assessment_rating ENABLE ROW LEVEL SECURITY;
ALTER TABLE isms.assessment_rating FORCE ROW LEVEL SECURITY;
CREATE POLICY assessment_rating_member ON isms.assessment_rating
    USING (isms.is_member(org_id)) WITH CHECK (isms.is_member(org_id));
GRANT SELECT, INSERT ON isms.assessment_rating TO isms_auditor;
GRANT SELECT ON isms.assessment_rating TO isms_manager, isms_admin;

-- Record an assessor's rating of a process attribute.
CREATE FUNCTION isms.rate_process(org bigint, process isms.clause, attribute text, rating isms.rating,
                                  justification text, period_start date DEFAULT NULL, period_end date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.assessment_rating (org_id, process_id, attribute, period_start, period_end, rating, justification)
    VALUES ($1, isms.process_id($1, $2),
            COALESCE('PA ' OPERATOR(pg_catalog.||) pg_catalog.substring(pg_catalog.upper($3), '^ *(?:PA)? *([1-5]\.[12]) *$'), $3),
            COALESCE($6, ($7 OPERATOR(pg_catalog.-) '12 months'::interval)::date,
                     (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)::date),
            COALESCE($7, CURRENT_DATE), $4, $5)
    RETURNING rating_id
$$;
COMMENT ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) IS
    'Record an assessor''s rating (with justification) of a process attribute (''PA 2.1'', ''PA2.1'' or ''2.1'') for a period (default: the 12 months up to today); it overrides the derived rating';
REVOKE ALL ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) TO isms_auditor;

-- Derived ratings of PA 1.1 .. 3.2 of every applicable process of an
-- organisation for a period (dates inclusive).  Achievement is a percentage
-- of what the evidence in the period shows:
--   PA 1.1 performance: share of the process's required outputs of which a
--          run completed in the period produced or confirmed an approved
--          record (an output never produced, e.g. because its activity is
--          always skipped, is an outcome not achieved);
--   PA 2.1 performance management: share of the runs closed (completed or
--          cancelled) in the period that were planned (owner, planned start
--          and due date) and completed by their due date;
--   PA 2.2 work product management: share of the records produced by runs
--          completed in the period that were approved by someone other than
--          their author, carry a version and are current (approved and not
--          expired, or superseded by a newer approved version);
--   PA 3.1 process definition: 50 if the organisation has a current approved
--          operating_procedure whose content names the process
--          ({"process": "7.4"}), plus 12.5 for each current approved
--          organisation-wide definition a defined process relies on: roles
--          (roles_and_responsibilities), competence (competence_requirements),
--          resources (resource_plan) and monitoring (measurement_plan);
--   PA 3.2 process deployment: mean of the share of the steps of completed
--          runs that were done (not skipped) and the share of the process's
--          activities done in at least one of them.
-- No evidence (e.g. no run in the period) is 0 %, rated N.  Ratings are
-- refined (N, P-, P+, L-, L+, F).  figures holds the numbers used.
-- Definer's rights: answers for members of the organisation only (no rows
-- otherwise), so report roles can read it without rights on the tables.
CREATE FUNCTION isms.derived_ratings(org bigint, period_start date, period_end date)
    RETURNS TABLE (process_id integer, process isms.clause, attribute text, achievement numeric,
                   rating isms.rating, figures jsonb)
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH proc AS (
    SELECT p.process_id, p.code
      FROM isms.process p
     WHERE (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) $1)
       AND isms.is_member($1)
       AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                        WHERE x.org_id OPERATOR(pg_catalog.=) $1
                          AND x.process_id OPERATOR(pg_catalog.=) p.process_id)
), closed AS (
    -- runs completed or cancelled in the period
    SELECT r.run_id, r.process_id, r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state AS completed,
           r.owner IS NOT NULL AND r.planned_start IS NOT NULL AND r.due IS NOT NULL AS planned,
           (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due AS on_time
      FROM isms.run r
     WHERE r.org_id OPERATOR(pg_catalog.=) $1
       AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['completed', 'cancelled']::isms.run_state[])
       AND r.ended_at OPERATOR(pg_catalog.>=) $2
       AND r.ended_at OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.+) 1)
), outputs AS (
    -- records produced or confirmed by the completed runs
    SELECT DISTINCT c.process_id, rc.record_id, rc.work_product_id, rc.state, rc.author, rc.approver,
           rc.version, rc.valid_until
      FROM closed c
      JOIN isms.run_record l
        ON l.org_id OPERATOR(pg_catalog.=) $1 AND l.run_id OPERATOR(pg_catalog.=) c.run_id
       AND l.role OPERATOR(pg_catalog.<>) 'input'::isms.link_role
      JOIN isms.record rc
        ON rc.org_id OPERATOR(pg_catalog.=) $1 AND rc.record_id OPERATOR(pg_catalog.=) l.record_id
     WHERE c.completed
), run_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) FILTER (WHERE c.completed) AS completed,
           pg_catalog.count(*) AS closed,
           pg_catalog.count(*) FILTER (WHERE c.planned) AS planned,
           pg_catalog.count(*) FILTER (WHERE c.planned AND c.completed AND c.on_time) AS on_plan
      FROM closed c
     GROUP BY c.process_id
), achieved AS (
    SELECT DISTINCT x.process_id, x.work_product_id
      FROM outputs x
     WHERE x.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])
), record_figures AS (
    SELECT x.process_id,
           pg_catalog.count(*) AS records,
           pg_catalog.count(*) FILTER (WHERE x.approver IS NOT NULL AND x.approver OPERATOR(pg_catalog.<>) x.author
                                         AND x.version IS NOT NULL
                                         AND (x.state OPERATOR(pg_catalog.=) 'superseded'::isms.record_state
                                              OR (x.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                                                  AND (x.valid_until IS NULL
                                                       OR x.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)))) AS managed
      FROM outputs x
     GROUP BY x.process_id
), step_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) AS steps,
           pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS done,
           pg_catalog.count(DISTINCT s.activity_no)
               FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS activities_used
      FROM closed c
      JOIN isms.step s ON s.org_id OPERATOR(pg_catalog.=) $1 AND s.run_id OPERATOR(pg_catalog.=) c.run_id
     WHERE c.completed
     GROUP BY c.process_id
), definitions AS (
    -- current approved definitions: operating procedures and the org-wide ones
    SELECT wp.key, r.content
      FROM isms.work_product wp
      JOIN isms.record r
        ON r.org_id OPERATOR(pg_catalog.=) $1 AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
       AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
       AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)
     WHERE wp.org_id IS NULL
       AND wp.key OPERATOR(pg_catalog.=) ANY (ARRAY['operating_procedure', 'roles_and_responsibilities',
                                                    'competence_requirements', 'resource_plan', 'measurement_plan'])
), org_wide AS (
    SELECT pg_catalog.jsonb_agg(DISTINCT d.key) AS keys
      FROM definitions d
     WHERE d.key OPERATOR(pg_catalog.<>) 'operating_procedure'
)
SELECT p.process_id, p.code, a.attribute, a.achievement, isms.rating_refined(a.achievement), a.figures
  FROM proc p
  LEFT JOIN run_figures rf ON rf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN record_figures wf ON wf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN step_figures sf ON sf.process_id OPERATOR(pg_catalog.=) p.process_id
 CROSS JOIN org_wide ow
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*) AS required,
               pg_catalog.count(ac.work_product_id) AS achieved,
               COALESCE(pg_catalog.jsonb_agg(wp.key ORDER BY wp.key) FILTER (WHERE ac.work_product_id IS NULL),
                        '[]') AS missing
          FROM isms.process_output po
          JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) po.work_product_id
          LEFT JOIN achieved ac
            ON ac.process_id OPERATOR(pg_catalog.=) p.process_id
           AND ac.work_product_id OPERATOR(pg_catalog.=) po.work_product_id
         WHERE po.process_id OPERATOR(pg_catalog.=) p.process_id AND po.required
           AND (po.org_id IS NULL OR po.org_id OPERATOR(pg_catalog.=) $1)) req
 CROSS JOIN LATERAL (
        SELECT EXISTS (SELECT FROM definitions d
                        WHERE d.key OPERATOR(pg_catalog.=) 'operating_procedure'
                          AND (d.content OPERATOR(pg_catalog.->>) 'process') OPERATOR(pg_catalog.=) (p.code)::text) AS procedure,
               (SELECT pg_catalog.count(DISTINCT ac.activity_no) FROM isms.activity ac
                 WHERE ac.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND (ac.org_id IS NULL OR ac.org_id OPERATOR(pg_catalog.=) $1)) AS activities) def
 CROSS JOIN LATERAL (VALUES
        ('PA 1.1',
         CASE WHEN COALESCE(rf.completed, 0) OPERATOR(pg_catalog.=) 0 THEN 0
              WHEN req.required OPERATOR(pg_catalog.=) 0 THEN 100
              ELSE 100.0 OPERATOR(pg_catalog.*) req.achieved OPERATOR(pg_catalog./) req.required END,
         pg_catalog.jsonb_build_object('runs_completed', COALESCE(rf.completed, 0), 'required_outputs', req.required,
                                       'outputs_achieved', req.achieved, 'outputs_missing', req.missing)),
        ('PA 2.1',
         CASE WHEN rf.closed IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) rf.on_plan OPERATOR(pg_catalog./) rf.closed END,
         pg_catalog.jsonb_build_object('runs_closed', COALESCE(rf.closed, 0), 'runs_planned', COALESCE(rf.planned, 0),
                                       'runs_on_plan', COALESCE(rf.on_plan, 0))),
        ('PA 2.2',
         CASE WHEN wf.records IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) wf.managed OPERATOR(pg_catalog./) wf.records END,
         pg_catalog.jsonb_build_object('output_records', COALESCE(wf.records, 0), 'records_managed', COALESCE(wf.managed, 0))),
        ('PA 3.1',
         (CASE WHEN def.procedure THEN 50 ELSE 0 END
          OPERATOR(pg_catalog.+) (12.5 OPERATOR(pg_catalog.*) COALESCE(pg_catalog.jsonb_array_length(ow.keys), 0)))::numeric,
         pg_catalog.jsonb_build_object('operating_procedure', def.procedure, 'definitions', COALESCE(ow.keys, '[]'))),
        ('PA 3.2',
         CASE WHEN sf.steps IS NULL THEN 0
              ELSE (50.0 OPERATOR(pg_catalog.*) sf.done OPERATOR(pg_catalog./) sf.steps)
                   OPERATOR(pg_catalog.+) (50.0 OPERATOR(pg_catalog.*) sf.activities_used
                                           OPERATOR(pg_catalog./) NULLIF(def.activities, 0)) END,
         pg_catalog.jsonb_build_object('steps', COALESCE(sf.steps, 0), 'steps_done', COALESCE(sf.done, 0),
                                       'activities', def.activities, 'activities_used', COALESCE(sf.activities_used, 0)))
       ) v (attribute, pct, figures)
 CROSS JOIN LATERAL (SELECT v.attribute, pg_catalog.round(v.pct, 1) AS achievement, v.figures) a
 ORDER BY p.code, a.attribute
$$;
COMMENT ON FUNCTION isms.derived_ratings(bigint, date, date) IS
    'Ratings of PA 1.1, 2.1, 2.2, 3.1 and 3.2 of every applicable process of the organization derived from the evidence of a period (dates inclusive), with the figures they come from; no rows unless the caller is a member';
REVOKE ALL ON FUNCTION isms.derived_ratings(bigint, date, date) FROM PUBLIC;

-- The current capability profile: per attribute the latest assessor rating
-- whose period ended within the last 12 months, else the rating derived from
-- the last 12 months; the level by the ISO/IEC 33020 rule.
CREATE VIEW isms_report.capability_profile AS
SELECT o.org_id,
       p.process_id,
       p.code AS process_code,
       p.key AS process_key,
       p.name AS process_name,
       prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
       prof.pa41, prof.pa42, prof.pa51, prof.pa52,
       isms.capability_level(prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
                             prof.pa41, prof.pa42, prof.pa51, prof.pa52) AS capability_level,
       prof.assessor_rated
  FROM isms.organization o
 CROSS JOIN LATERAL (
        SELECT r.process_id,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 1.1') AS pa11,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.1') AS pa21,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.2') AS pa22,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.1') AS pa31,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.2') AS pa32,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.1') AS pa41,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.2') AS pa42,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.1') AS pa51,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.2') AS pa52,
               pg_catalog.array_agg(r.attribute ORDER BY r.attribute) FILTER (WHERE r.by_assessor) AS assessor_rated
          FROM (SELECT COALESCE(ar.process_id, d.process_id) AS process_id,
                       COALESCE(ar.attribute, d.attribute) AS attribute,
                       COALESCE(ar.rating, d.rating) AS rating,
                       ar.rating IS NOT NULL AS by_assessor
                  FROM isms.derived_ratings(o.org_id, (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)::date,
                                            CURRENT_DATE) d
                  FULL JOIN (SELECT DISTINCT ON (x.process_id, x.attribute) x.process_id, x.attribute, x.rating
                               FROM isms.assessment_rating x
                              WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                                AND x.period_end OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)
                              ORDER BY x.process_id, x.attribute, x.assessed_at DESC, x.rating_id DESC) ar
                    ON ar.process_id OPERATOR(pg_catalog.=) d.process_id
                   AND ar.attribute OPERATOR(pg_catalog.=) d.attribute) r
         GROUP BY r.process_id) prof
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) prof.process_id
 WHERE isms.is_member(o.org_id)
   AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                    WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                      AND x.process_id OPERATOR(pg_catalog.=) p.process_id);
COMMENT ON VIEW isms_report.capability_profile IS
    'Current capability profile of every applicable process: per attribute the latest assessor rating whose period ended in the last 12 months, else the rating derived from the last 12 months (isms.derived_ratings); and the capability level (isms.capability_level)';
COMMENT ON COLUMN isms_report.capability_profile.pa11 IS 'PA 1.1 process performance';
COMMENT ON COLUMN isms_report.capability_profile.pa21 IS 'PA 2.1 performance management';
COMMENT ON COLUMN isms_report.capability_profile.pa22 IS 'PA 2.2 work product management';
COMMENT ON COLUMN isms_report.capability_profile.pa31 IS 'PA 3.1 process definition';
COMMENT ON COLUMN isms_report.capability_profile.pa32 IS 'PA 3.2 process deployment';
COMMENT ON COLUMN isms_report.capability_profile.pa41 IS 'PA 4.1 quantitative analysis (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa42 IS 'PA 4.2 quantitative control (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa51 IS 'PA 5.1 process innovation (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa52 IS 'PA 5.2 process innovation implementation (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.capability_level IS 'Capability level 0..5 (ISO/IEC 33020 rule; unrated attributes count as N)';
COMMENT ON COLUMN isms_report.capability_profile.assessor_rated IS 'Attributes whose rating is an assessor''s (the others are derived)';

GRANT SELECT ON isms_report.capability_profile TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
GRANT EXECUTE ON FUNCTION isms.derived_ratings(bigint, date, date),
    isms.capability_level(isms.rating, isms.rating, isms.rating, isms.rating, isms.rating,
                          isms.rating, isms.rating, isms.rating, isms.rating),
    isms.rating_smaller(isms.rating, isms.rating), isms.rating_larger(isms.rating, isms.rating),
    isms.rating_eq(isms.rating, isms.rating)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
