-- 235_objective_training: objectives and their measurements (6.2, 9.1) and
-- awareness and training (7.2, 7.3) as registers (issue 16, items 4 and 5).
--
-- Registers of the generic mechanism (src/register.c), as 230_asset_supplier:
--   objective            set in 6.2 (activity 4) and planned for measurement
--                        in 7.12; target, unit, direction (at_least or
--                        at_most the target), period (month, quarter, year),
--                        owner; active until retired.  Snapshot: the work
--                        product measurement_plan (what is measured, how and
--                        when, 9.1 a-e).
--   measurement          one value per objective and period, in a 7.12 run;
--                        the engine records the target in force and whether
--                        the value is on target (src/objective.c, IS042).
--                        Snapshot: measurement_results.
--   course               an awareness or training course of 7.8: title,
--                        audience (org roles), validity in months; active
--                        until retired.  Snapshot: awareness_programme.
--   training_completion  a member completed a course on a day, in a 7.8
--                        run; the engine sets when it is due again
--                        (src/training.c, IS043).  Snapshot:
--                        competence_evidence.

CREATE TYPE isms.objective_direction AS ENUM ('at_least', 'at_most');
COMMENT ON TYPE isms.objective_direction IS 'Whether an objective is met by a value at least or at most its target';
CREATE TYPE isms.objective_period AS ENUM ('month', 'quarter', 'year');
COMMENT ON TYPE isms.objective_period IS 'How often an objective is measured: one value per calendar month, quarter or year';
CREATE TYPE isms.objective_state AS ENUM ('active', 'retired');
COMMENT ON TYPE isms.objective_state IS 'Lifecycle state of an objective: active (measured), or retired';
CREATE TYPE isms.course_state AS ENUM ('active', 'retired');
COMMENT ON TYPE isms.course_state IS 'Lifecycle state of a course: active (completions recorded), or retired';

CREATE SEQUENCE isms.objective_id_seq;
CREATE TABLE isms.objective (
    org_id          bigint NOT NULL REFERENCES isms.organization,
    objective_id    bigint NOT NULL DEFAULT pg_catalog.nextval('isms.objective_id_seq'),
    run_id          bigint NOT NULL,
    title           text NOT NULL CHECK (title ~ '[^[:space:]]'),
    description     text,
    target          numeric NOT NULL,
    unit            text NOT NULL CHECK (unit ~ '[^[:space:]]'),
    direction       isms.objective_direction NOT NULL DEFAULT 'at_least',
    period          isms.objective_period NOT NULL DEFAULT 'quarter',
    owner           regrole NOT NULL,
    state           isms.objective_state NOT NULL DEFAULT 'active',
    state_reason    text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, objective_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.objective_id_seq OWNED BY isms.objective.objective_id;
CREATE UNIQUE INDEX objective_objective_id_idx ON isms.objective (objective_id);
COMMENT ON TABLE isms.objective IS
    'Information security objectives (ISO/IEC 27001 6.2) as measured (9.1): target, unit, direction and period of measurement, owner';
COMMENT ON COLUMN isms.objective.run_id IS 'The run (of 6.2 or 7.12) the latest change was made in';
COMMENT ON COLUMN isms.objective.title IS 'The objective';
COMMENT ON COLUMN isms.objective.target IS 'The target value, in unit';
COMMENT ON COLUMN isms.objective.unit IS 'Unit of the target and the measured values (%, days, count, ...)';
COMMENT ON COLUMN isms.objective.direction IS 'at_least: met by a value at or above the target; at_most: at or below it';
COMMENT ON COLUMN isms.objective.period IS 'How often it is measured: one value per calendar month, quarter or year';
COMMENT ON COLUMN isms.objective.owner IS 'Who is responsible for the objective (6.2 h): a member of the organisation';
COMMENT ON COLUMN isms.objective.state_reason IS 'Reason given for retiring the objective';

CREATE TABLE isms.measurement (
    org_id          bigint NOT NULL,
    objective_id    bigint NOT NULL,
    period_start    date NOT NULL,
    run_id          bigint NOT NULL,
    value           numeric NOT NULL,
    target          numeric,
    on_target       boolean,
    note            text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, objective_id, period_start),
    FOREIGN KEY (org_id, objective_id) REFERENCES isms.objective (org_id, objective_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
COMMENT ON TABLE isms.measurement IS
    'Monitoring and measurement results (ISO/IEC 27001 9.1): the value of an objective for one of its periods, with the target in force and whether it was met';
COMMENT ON COLUMN isms.measurement.objective_id IS 'The objective measured';
COMMENT ON COLUMN isms.measurement.period_start IS 'First day of the period measured (a calendar month, quarter or year, by the objective''s period)';
COMMENT ON COLUMN isms.measurement.run_id IS 'The run (of 7.12) the latest change was made in';
COMMENT ON COLUMN isms.measurement.value IS 'The value measured, in the objective''s unit';
COMMENT ON COLUMN isms.measurement.target IS 'The objective''s target when the value was recorded (set by the engine)';
COMMENT ON COLUMN isms.measurement.on_target IS 'Whether the value meets that target in the objective''s direction (set by the engine)';
COMMENT ON COLUMN isms.measurement.note IS 'How the value was obtained, or what explains it';

CREATE SEQUENCE isms.course_id_seq;
CREATE TABLE isms.course (
    org_id          bigint NOT NULL REFERENCES isms.organization,
    course_id       bigint NOT NULL DEFAULT pg_catalog.nextval('isms.course_id_seq'),
    run_id          bigint NOT NULL,
    title           text NOT NULL CHECK (title ~ '[^[:space:]]'),
    description     text,
    audience        text[] NOT NULL DEFAULT '{admin,manager,contributor,auditor,reader}'
                    CHECK (pg_catalog.cardinality(audience) OPERATOR(pg_catalog.>) 0
                           AND audience OPERATOR(pg_catalog.<@) '{admin,manager,contributor,auditor,reader}'::text[]),
    validity_months integer NOT NULL DEFAULT 12 CHECK (validity_months BETWEEN 1 AND 120),
    owner           regrole,
    state           isms.course_state NOT NULL DEFAULT 'active',
    state_reason    text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, course_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.course_id_seq OWNED BY isms.course.course_id;
CREATE UNIQUE INDEX course_course_id_idx ON isms.course (course_id);
COMMENT ON TABLE isms.course IS
    'Awareness, education and training courses (ISO/IEC 27001 7.2, 7.3, A.6.3): who must take them and how long a completion counts';
COMMENT ON COLUMN isms.course.run_id IS 'The run (of 7.8) the latest change was made in';
COMMENT ON COLUMN isms.course.title IS 'Title of the course';
COMMENT ON COLUMN isms.course.audience IS 'The org roles of the members who must complete it (admin, manager, contributor, auditor, reader)';
COMMENT ON COLUMN isms.course.validity_months IS 'Months a completion counts; the course is due again after them';
COMMENT ON COLUMN isms.course.owner IS 'Who is responsible for the course: a member of the organisation';
COMMENT ON COLUMN isms.course.state_reason IS 'Reason given for retiring the course';

CREATE TABLE isms.training_completion (
    org_id          bigint NOT NULL,
    course_id       bigint NOT NULL,
    member          regrole NOT NULL,
    completed_at    date NOT NULL,
    run_id          bigint NOT NULL,
    evidence        text,
    due_again       date,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, course_id, member, completed_at),
    FOREIGN KEY (org_id, course_id) REFERENCES isms.course (org_id, course_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
COMMENT ON TABLE isms.training_completion IS
    'Evidence of competence and awareness (ISO/IEC 27001 7.2 d, 7.3): a member completed a course on a day, due again after the course''s validity';
COMMENT ON COLUMN isms.training_completion.course_id IS 'The course completed';
COMMENT ON COLUMN isms.training_completion.member IS 'Who completed it: a member of the organisation (login role)';
COMMENT ON COLUMN isms.training_completion.completed_at IS 'The day it was completed; not in the future';
COMMENT ON COLUMN isms.training_completion.run_id IS 'The run (of 7.8) the latest change was made in';
COMMENT ON COLUMN isms.training_completion.evidence IS 'Where the evidence is (certificate, quiz result, attendance list)';
COMMENT ON COLUMN isms.training_completion.due_again IS 'When the course is due again: completed_at plus the course''s validity (set by the engine)';

SELECT pg_catalog.pg_extension_config_dump('isms.objective', '');
SELECT pg_catalog.pg_extension_config_dump('isms.objective_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.measurement', '');
SELECT pg_catalog.pg_extension_config_dump('isms.course', '');
SELECT pg_catalog.pg_extension_config_dump('isms.course_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.training_completion', '');

INSERT INTO isms.register (kind, relation, work_product, maintained_by) VALUES
    ('objective', 'isms.objective', 'measurement_plan', '{6.2,7.12}'),
    ('measurement', 'isms.measurement', 'measurement_results', '{7.12}'),
    ('course', 'isms.course', 'awareness_programme', '{7.8}'),
    ('training_completion', 'isms.training_completion', 'competence_evidence', '{7.8}');

SELECT isms.register_attach('objective', '{admin,manager,contributor}'),
       isms.register_attach('measurement', '{admin,manager,contributor}'),
       isms.register_attach('course', '{admin,manager,contributor}'),
       isms.register_attach('training_completion', '{admin,manager,contributor}');
GRANT INSERT, UPDATE (run_id, title, description, target, unit, direction, period, owner, state, state_reason)
    ON isms.objective TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.objective_id_seq TO isms_contributor;
-- created_at and updated_at for their defaults, as for incidents: the engine sets them.
GRANT INSERT (org_id, objective_id, period_start, run_id, value, note, created_at, updated_at), UPDATE (run_id, value, note)
    ON isms.measurement TO isms_contributor;
GRANT INSERT, UPDATE (run_id, title, description, audience, validity_months, owner, state, state_reason)
    ON isms.course TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.course_id_seq TO isms_contributor;
GRANT INSERT (org_id, course_id, member, completed_at, run_id, evidence, created_at, updated_at), UPDATE (run_id, evidence)
    ON isms.training_completion TO isms_contributor;

INSERT INTO isms.lifecycle_kind VALUES ('objective', 'isms.objective', 'state'), ('course', 'isms.course', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('objective', 'active', 1, true, false),
    ('objective', 'retired', 2, false, true),
    ('course', 'active', 1, true, false),
    ('course', 'retired', 2, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action, guards) VALUES
    ('objective', 'active', 'retired', 'retire', '{reason}'),
    ('course', 'active', 'retired', 'retire', '{reason}');

-- The API: plain DML under the caller's rights, in the run named.
CREATE FUNCTION isms.add_objective(run bigint, title text, target numeric, unit text,
                                   direction isms.objective_direction DEFAULT 'at_least',
                                   period isms.objective_period DEFAULT 'quarter',
                                   owner regrole DEFAULT isms.current_identity()) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.objective (org_id, run_id, title, target, unit, direction, period, owner)
    VALUES (isms.run_org($1), $1, $2, $3, $4, $5, $6, $7)
    RETURNING objective_id
$$;
COMMENT ON FUNCTION isms.add_objective(bigint, text, numeric, text, isms.objective_direction, isms.objective_period, regrole) IS
    'Set a measurable objective in a run of 6.2 or 7.12: target, unit, at_least or at_most, period of measurement, owner (IS029, IS032)';

CREATE FUNCTION isms.measure(run bigint, objective bigint, period_start date, value numeric, note text DEFAULT NULL)
    RETURNS boolean
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.measurement AS m (org_id, objective_id, period_start, run_id, value, note)
    VALUES (isms.run_org($1), $2, $3, $1, $4, $5)
    ON CONFLICT (org_id, objective_id, period_start) DO UPDATE
       SET run_id = excluded.run_id, value = excluded.value, note = COALESCE(excluded.note, m.note)
    RETURNING m.on_target
$$;
COMMENT ON FUNCTION isms.measure(bigint, bigint, date, numeric, text) IS
    'Record (or correct) the value of an objective for the period starting on period_start, in a run of 7.12; returns whether it is on target (IS029, IS042)';

CREATE FUNCTION isms.add_course(run bigint, title text, validity_months integer DEFAULT 12,
                                audience text[] DEFAULT '{admin,manager,contributor,auditor,reader}',
                                owner regrole DEFAULT NULL) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.course (org_id, run_id, title, validity_months, audience, owner)
    VALUES (isms.run_org($1), $1, $2, $3, $4, $5)
    RETURNING course_id
$$;
COMMENT ON FUNCTION isms.add_course(bigint, text, integer, text[], regrole) IS
    'Add an awareness or training course in a run of 7.8: how long a completion counts, the org roles that must take it (IS029)';

CREATE FUNCTION isms.complete_training(run bigint, course bigint, member regrole, completed_at date,
                                       evidence text DEFAULT NULL) RETURNS date
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.training_completion (org_id, course_id, member, completed_at, run_id, evidence)
    VALUES (isms.run_org($1), $2, $3, $4, $1, $5)
    RETURNING due_again
$$;
COMMENT ON FUNCTION isms.complete_training(bigint, bigint, regrole, date, text) IS
    'Record that a member completed a course on a day, in a run of 7.8; returns when it is due again (IS029, IS032, IS043)';

REVOKE ALL ON FUNCTION isms.add_objective(bigint, text, numeric, text, isms.objective_direction, isms.objective_period, regrole),
    isms.measure(bigint, bigint, date, numeric, text), isms.add_course(bigint, text, integer, text[], regrole),
    isms.complete_training(bigint, bigint, regrole, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.add_objective(bigint, text, numeric, text, isms.objective_direction, isms.objective_period, regrole),
    isms.measure(bigint, bigint, date, numeric, text), isms.add_course(bigint, text, integer, text[], regrole),
    isms.complete_training(bigint, bigint, regrole, date, text) TO isms_contributor;
