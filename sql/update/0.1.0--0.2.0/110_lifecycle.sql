-- 110_lifecycle: one lifecycle mechanism for every kind of object (issue 15,
-- item 1).
--
-- A kind (run, step, record, and the registers to come) keeps its objects in
-- a table whose state column is an enum; its states and allowed transitions
-- are rows of the three tables below, and one C module (src/lifecycle.c)
-- checks every transition against them.  The kind's own rules are guards: C
-- functions a transition names, registered by name in the kind's guard
-- table in C, run in the order named.  A new state or transition is
-- catalog data; a new rule is a guard and its name here.
--
-- The 0.1.0 tables isms.run_transition, isms.step_transition and
-- isms.record_transition become read-only views of isms.lifecycle_transition,
-- so that they keep showing what the engine reads; their rows, changed or
-- not, are carried over first.

CREATE TABLE isms.lifecycle_kind (
    kind         text PRIMARY KEY,
    relation     regclass NOT NULL UNIQUE,
    state_column name NOT NULL
);
COMMENT ON TABLE isms.lifecycle_kind IS
    'Kinds of objects with a lifecycle: the table that holds them and its state column (an enum)';

CREATE TABLE isms.lifecycle_state (
    kind    text NOT NULL REFERENCES isms.lifecycle_kind,
    state   text NOT NULL,
    ordinal smallint NOT NULL,
    initial boolean NOT NULL DEFAULT false,
    final   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (kind, state),
    UNIQUE (kind, ordinal),
    CHECK (NOT (initial AND final))
);
CREATE UNIQUE INDEX lifecycle_state_one_initial ON isms.lifecycle_state (kind) WHERE initial;
COMMENT ON TABLE isms.lifecycle_state IS
    'The states of each kind: a label of the state column''s enum, in the order they are listed';
COMMENT ON COLUMN isms.lifecycle_state.initial IS 'Objects of the kind are created in this state (one per kind)';
COMMENT ON COLUMN isms.lifecycle_state.final IS 'The object is closed: it changes no more';

CREATE TABLE isms.lifecycle_transition (
    kind                 text NOT NULL,
    from_state           text NOT NULL,
    to_state             text NOT NULL,
    action               text NOT NULL,
    guards               text[] NOT NULL DEFAULT '{}',
    required_designation text,
    PRIMARY KEY (kind, from_state, to_state),
    FOREIGN KEY (kind, from_state) REFERENCES isms.lifecycle_state,
    FOREIGN KEY (kind, to_state) REFERENCES isms.lifecycle_state,
    CHECK (from_state OPERATOR(pg_catalog.<>) to_state),
    CONSTRAINT lifecycle_transition_designation_unchecked CHECK (required_designation IS NULL)
);
COMMENT ON TABLE isms.lifecycle_transition IS
    'The only allowed state transitions of each kind, the action their events name and the guards they run';
COMMENT ON COLUMN isms.lifecycle_transition.guards IS
    'Guards of the kind (C functions of the engine, by name) that check the transition, in this order';
COMMENT ON COLUMN isms.lifecycle_transition.required_designation IS
    'Reserved for approval authority: NULL until the engine checks designations';

-- A guard a transition names must exist (42883); every backend reloads the
-- lifecycles when one of the tables changes; TRUNCATE is refused (IS026).
CREATE FUNCTION isms.lifecycle_transition_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'lifecycle_transition_trigger';
CREATE FUNCTION isms.lifecycle_changed_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'lifecycle_changed_trigger';
CREATE TRIGGER lifecycle_transition_guards BEFORE INSERT OR UPDATE ON isms.lifecycle_transition
    FOR EACH ROW EXECUTE FUNCTION isms.lifecycle_transition_trigger();
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['lifecycle_kind', 'lifecycle_state', 'lifecycle_transition']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER lifecycle_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.lifecycle_changed_trigger()', t);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger()', t || '_no_truncate', t);
    END LOOP;
END
$$;

INSERT INTO isms.lifecycle_kind VALUES
    ('run', 'isms.run', 'state'),
    ('step', 'isms.step', 'state'),
    ('record', 'isms.record', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('run', 'planned', 1, true, false),
    ('run', 'active', 2, false, false),
    ('run', 'suspended', 3, false, false),
    ('run', 'completed', 4, false, true),
    ('run', 'cancelled', 5, false, true),
    ('step', 'pending', 1, true, false),
    ('step', 'active', 2, false, false),
    ('step', 'done', 3, false, true),
    ('step', 'skipped', 4, false, true),
    ('record', 'draft', 1, true, false),
    ('record', 'in_review', 2, false, false),
    ('record', 'approved', 3, false, false),
    ('record', 'superseded', 4, false, true),
    ('record', 'withdrawn', 5, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action)
SELECT 'run', from_state::text, to_state::text, action FROM isms.run_transition
UNION ALL
SELECT 'step', from_state::text, to_state::text, action FROM isms.step_transition
UNION ALL
SELECT 'record', from_state::text, to_state::text, action FROM isms.record_transition;

-- The guards, attached where 0.1.0's C code applied the same rules: by kind
-- and target state, and for three of them the source.
UPDATE isms.lifecycle_transition SET guards = COALESCE(
    CASE kind OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) to_state
    WHEN 'run:active' THEN CASE WHEN from_state OPERATOR(pg_catalog.=) 'planned' THEN '{applicable,inputs}' END
    WHEN 'run:completed' THEN '{completion}'
    WHEN 'run:cancelled' THEN '{cancel_reason}'
    WHEN 'run:suspended' THEN '{suspend_reason}'
    WHEN 'step:active' THEN '{order}'
    WHEN 'step:skipped' THEN CASE WHEN from_state OPERATOR(pg_catalog.=) 'pending'
                                  THEN '{order,optional,skip_reason}' ELSE '{optional,skip_reason}' END
    WHEN 'step:done' THEN '{activity_inputs}'
    WHEN 'record:in_review' THEN '{submission}'
    WHEN 'record:approved' THEN '{approval}'
    WHEN 'record:withdrawn' THEN '{reason}'
    WHEN 'record:draft' THEN CASE WHEN from_state OPERATOR(pg_catalog.=) 'in_review' THEN '{reason}' END
    END, '{}')::text[];

-- The 0.1.0 transition tables, as views of the one the engine reads.
DROP TABLE isms.run_transition, isms.step_transition, isms.record_transition;
CREATE VIEW isms.run_transition AS
SELECT from_state::isms.run_state AS from_state, to_state::isms.run_state AS to_state, action
  FROM isms.lifecycle_transition WHERE kind OPERATOR(pg_catalog.=) 'run';
CREATE VIEW isms.step_transition AS
SELECT from_state::isms.step_state AS from_state, to_state::isms.step_state AS to_state, action
  FROM isms.lifecycle_transition WHERE kind OPERATOR(pg_catalog.=) 'step';
CREATE VIEW isms.record_transition AS
SELECT from_state::isms.record_state AS from_state, to_state::isms.record_state AS to_state, action
  FROM isms.lifecycle_transition WHERE kind OPERATOR(pg_catalog.=) 'record';
COMMENT ON VIEW isms.run_transition IS 'Allowed state transitions of a run (isms.lifecycle_transition)';
COMMENT ON VIEW isms.step_transition IS 'Allowed state transitions of a step (isms.lifecycle_transition)';
COMMENT ON VIEW isms.record_transition IS 'Allowed state transitions of a record (isms.lifecycle_transition)';

GRANT SELECT ON isms.lifecycle_kind, isms.lifecycle_state, isms.lifecycle_transition,
    isms.run_transition, isms.step_transition, isms.record_transition
    TO isms_contributor, isms_auditor;
