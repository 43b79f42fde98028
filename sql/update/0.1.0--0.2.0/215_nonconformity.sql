-- 215_nonconformity: nonconformities and their corrective actions (issue 16,
-- item 2; ISO/IEC 27001 10.2, processes 7.13 and 7.11) on the register
-- mechanism of 120/130.
--
-- A nonconformity names where it comes from (an audit finding, an incident,
-- the management review, a complaint, other), the clause or control not
-- fulfilled, the correction, the root cause, the corrective action, its due
-- date and owner.  It goes open -> analysed -> action_planned -> implemented
-- -> effectiveness_verified -> closed in runs of 7.13; an ineffective action
-- goes back from implemented to action_planned with a reason.  A run of
-- 7.11 (internal audit) records its findings as nonconformities of source
-- audit_finding, linked to that run, and changes them no further.  An
-- incident's corrective action is a nonconformity of source incident
-- linked to it; it lets the incident close without lessons learned.
-- src/nonconformity.c holds the kind's rules: the source and its links
-- (IS037), what each step of the lifecycle needs (IS038), effectiveness
-- verified by someone other than who implemented the action (IS039).

INSERT INTO isms.work_product (work_product_id, key, name, kind, origin, review_months, retention_months)
VALUES (-215, 'nonconformity_register',
        'Nonconformity register: nonconformities, their corrective actions and the review of their effectiveness',
        'record', 'process', NULL, 60);
INSERT INTO isms.work_product_reference (work_product_id, clause) VALUES (-215, '10.2');
INSERT INTO isms.process_output (process_output_id, process_id, work_product_id, required, activity_no)
SELECT -215, p.process_id, -215, false, 4
  FROM isms.process p WHERE p.code OPERATOR(isms.=) '7.13' AND p.org_id IS NULL;

CREATE TYPE isms.nonconformity_state AS ENUM
    ('open', 'analysed', 'action_planned', 'implemented', 'effectiveness_verified', 'closed');
COMMENT ON TYPE isms.nonconformity_state IS 'Lifecycle state of a nonconformity and its corrective action (ISO/IEC 27001 10.2)';
CREATE TYPE isms.nonconformity_source AS ENUM ('audit_finding', 'incident', 'management_review', 'complaint', 'other');
COMMENT ON TYPE isms.nonconformity_source IS 'Where a nonconformity was found';

CREATE SEQUENCE isms.nonconformity_id_seq;
CREATE TABLE isms.nonconformity (
    org_id               bigint NOT NULL REFERENCES isms.organization,
    nonconformity_id     bigint NOT NULL DEFAULT pg_catalog.nextval('isms.nonconformity_id_seq'),
    run_id               bigint NOT NULL,
    title                text NOT NULL CHECK (title ~ '[^[:space:]]'),
    description          text,
    source               isms.nonconformity_source NOT NULL,
    clause               isms.clause REFERENCES isms.iso27001_clause,
    audit_run_id         bigint,
    audit_record_id      bigint,
    incident_id          bigint,
    correction           text,
    root_cause           text,
    action               text,
    due_date             date,
    owner                regrole,
    implemented_by       regrole,
    implemented_at       timestamptz,
    effectiveness_review text,
    verified_by          regrole,
    verified_at          timestamptz,
    state                isms.nonconformity_state NOT NULL DEFAULT 'open',
    state_reason         text,
    closed_at            timestamptz,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, nonconformity_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id),
    FOREIGN KEY (org_id, audit_run_id) REFERENCES isms.run (org_id, run_id),
    FOREIGN KEY (org_id, audit_record_id) REFERENCES isms.record (org_id, record_id),
    FOREIGN KEY (org_id, incident_id) REFERENCES isms.incident (org_id, incident_id)
);
ALTER SEQUENCE isms.nonconformity_id_seq OWNED BY isms.nonconformity.nonconformity_id;
CREATE UNIQUE INDEX nonconformity_nonconformity_id_idx ON isms.nonconformity (nonconformity_id);
CREATE INDEX nonconformity_state_idx ON isms.nonconformity (org_id, state);
CREATE INDEX nonconformity_incident_idx ON isms.nonconformity (org_id, incident_id);
COMMENT ON TABLE isms.nonconformity IS
    'Nonconformities and their corrective actions (ISO/IEC 27001 10.2): found by audits (7.11), incidents, the management review, complaints; handled in runs of 7.13';
COMMENT ON COLUMN isms.nonconformity.run_id IS 'The run (of 7.13, or the 7.11 audit that found it) the latest change was made in';
COMMENT ON COLUMN isms.nonconformity.source IS 'Where it was found: audit_finding, incident, management_review, complaint or other';
COMMENT ON COLUMN isms.nonconformity.clause IS 'The clause or Annex A control of ISO/IEC 27001:2022 not fulfilled';
COMMENT ON COLUMN isms.nonconformity.audit_run_id IS 'Source audit_finding: the run of 7.11 whose audit found it';
COMMENT ON COLUMN isms.nonconformity.audit_record_id IS 'Source audit_finding: the audit report (record) that states the finding, if any';
COMMENT ON COLUMN isms.nonconformity.incident_id IS 'Source incident: the incident the corrective action is for';
COMMENT ON COLUMN isms.nonconformity.correction IS 'What was done to correct the nonconformity and deal with its consequences (10.2 a)';
COMMENT ON COLUMN isms.nonconformity.root_cause IS 'The cause found (10.2 b)';
COMMENT ON COLUMN isms.nonconformity.action IS 'The corrective action that removes the cause (10.2 c)';
COMMENT ON COLUMN isms.nonconformity.due_date IS 'The corrective action is to be implemented by this date';
COMMENT ON COLUMN isms.nonconformity.owner IS 'Who is responsible for the corrective action: a member of the organisation';
COMMENT ON COLUMN isms.nonconformity.implemented_by IS 'Who recorded the action as implemented (set by the engine)';
COMMENT ON COLUMN isms.nonconformity.implemented_at IS 'When the action was recorded as implemented (set by the engine)';
COMMENT ON COLUMN isms.nonconformity.effectiveness_review IS 'How the effectiveness of the action was reviewed and what was found (10.2 d)';
COMMENT ON COLUMN isms.nonconformity.verified_by IS 'Who verified the effectiveness: never who implemented the action (set by the engine)';
COMMENT ON COLUMN isms.nonconformity.verified_at IS 'When the effectiveness was verified (set by the engine)';
COMMENT ON COLUMN isms.nonconformity.state_reason IS 'Reason given for the latest return to action_planned';
COMMENT ON COLUMN isms.nonconformity.closed_at IS 'When it was closed (set by the engine)';
SELECT pg_catalog.pg_extension_config_dump('isms.nonconformity', '');
SELECT pg_catalog.pg_extension_config_dump('isms.nonconformity_id_seq', '');

INSERT INTO isms.register (kind, relation, work_product, maintained_by)
VALUES ('nonconformity', 'isms.nonconformity', 'nonconformity_register', '{7.13,7.11}');

INSERT INTO isms.lifecycle_kind VALUES ('nonconformity', 'isms.nonconformity', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('nonconformity', 'open', 1, true, false),
    ('nonconformity', 'analysed', 2, false, false),
    ('nonconformity', 'action_planned', 3, false, false),
    ('nonconformity', 'implemented', 4, false, false),
    ('nonconformity', 'effectiveness_verified', 5, false, false),
    ('nonconformity', 'closed', 6, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action, guards) VALUES
    ('nonconformity', 'open', 'analysed', 'analyse', '{analysis}'),
    ('nonconformity', 'analysed', 'action_planned', 'plan_action', '{plan}'),
    ('nonconformity', 'action_planned', 'implemented', 'implement', '{implementation}'),
    ('nonconformity', 'implemented', 'effectiveness_verified', 'verify', '{verification}'),
    ('nonconformity', 'implemented', 'action_planned', 'replan', '{reason}'),
    ('nonconformity', 'effectiveness_verified', 'closed', 'close', '{closed}');

SELECT isms.register_attach('nonconformity', '{admin,manager,contributor}');
GRANT INSERT, UPDATE (run_id, title, description, source, clause, audit_run_id, audit_record_id, incident_id,
                      correction, root_cause, action, due_date, owner, effectiveness_review, state, state_reason)
    ON isms.nonconformity TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.nonconformity_id_seq TO isms_contributor;

-- The API: plain DML under the caller's rights.
CREATE FUNCTION isms.raise_nonconformity(run bigint, title text, source isms.nonconformity_source,
                                         clause isms.clause DEFAULT NULL, description text DEFAULT NULL,
                                         incident bigint DEFAULT NULL, audit_record bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.nonconformity (org_id, run_id, title, source, clause, description, incident_id, audit_record_id)
    VALUES (isms.run_org($1), $1, $2, $3, $4, $5, $6, $7)
    RETURNING nonconformity_id
$$;
COMMENT ON FUNCTION isms.raise_nonconformity(bigint, text, isms.nonconformity_source, isms.clause, text, bigint, bigint) IS
    'Record a nonconformity in a run of 7.13, or an audit finding in a run of 7.11 (linked to it); an incident''s corrective action names the incident (IS037)';

CREATE FUNCTION isms.set_nonconformity_state(run bigint, nonconformity bigint, state isms.nonconformity_state,
                                             reason text DEFAULT NULL) RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.nonconformity n SET run_id = $1, state = $3, state_reason = COALESCE($4, n.state_reason)
     WHERE n.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('nonconformity', $2)
       AND n.nonconformity_id OPERATOR(pg_catalog.=) $2
    RETURNING n.state
$$;
COMMENT ON FUNCTION isms.set_nonconformity_state(bigint, bigint, isms.nonconformity_state, text) IS
    'Move a nonconformity to another state of its lifecycle in a run of 7.13; the lifecycle and its guards are enforced (IS038, IS039)';

CREATE FUNCTION isms.analyse_nonconformity(run bigint, nonconformity bigint, correction text, root_cause text)
    RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.nonconformity n SET run_id = $1, correction = $3, root_cause = $4, state = 'analysed'
     WHERE n.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('nonconformity', $2)
       AND n.nonconformity_id OPERATOR(pg_catalog.=) $2
    RETURNING n.state
$$;
COMMENT ON FUNCTION isms.analyse_nonconformity(bigint, bigint, text, text) IS
    'Record the correction and the root cause of an open nonconformity (IS038)';

CREATE FUNCTION isms.plan_corrective_action(run bigint, nonconformity bigint, action text, due_date date,
                                            owner regrole DEFAULT isms.current_identity())
    RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.nonconformity n SET run_id = $1, action = $3, due_date = $4, owner = $5, state = 'action_planned'
     WHERE n.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('nonconformity', $2)
       AND n.nonconformity_id OPERATOR(pg_catalog.=) $2
    RETURNING n.state
$$;
COMMENT ON FUNCTION isms.plan_corrective_action(bigint, bigint, text, date, regrole) IS
    'Plan the corrective action of an analysed nonconformity: what, by when, who (IS038, IS032)';

CREATE FUNCTION isms.implement_corrective_action(run bigint, nonconformity bigint) RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_nonconformity_state($1, $2, 'implemented') $$;
COMMENT ON FUNCTION isms.implement_corrective_action(bigint, bigint) IS
    'Record the corrective action as implemented; the engine records who and when';

CREATE FUNCTION isms.verify_effectiveness(run bigint, nonconformity bigint, review text)
    RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.nonconformity n SET run_id = $1, effectiveness_review = $3, state = 'effectiveness_verified'
     WHERE n.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('nonconformity', $2)
       AND n.nonconformity_id OPERATOR(pg_catalog.=) $2
    RETURNING n.state
$$;
COMMENT ON FUNCTION isms.verify_effectiveness(bigint, bigint, text) IS
    'Record the review that found the corrective action effective: never by who implemented it (IS038, IS039)';

CREATE FUNCTION isms.close_nonconformity(run bigint, nonconformity bigint) RETURNS isms.nonconformity_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_nonconformity_state($1, $2, 'closed') $$;
COMMENT ON FUNCTION isms.close_nonconformity(bigint, bigint) IS
    'Close a nonconformity whose corrective action was verified effective';

REVOKE ALL ON FUNCTION
    isms.raise_nonconformity(bigint, text, isms.nonconformity_source, isms.clause, text, bigint, bigint),
    isms.set_nonconformity_state(bigint, bigint, isms.nonconformity_state, text),
    isms.analyse_nonconformity(bigint, bigint, text, text),
    isms.plan_corrective_action(bigint, bigint, text, date, regrole),
    isms.implement_corrective_action(bigint, bigint), isms.verify_effectiveness(bigint, bigint, text),
    isms.close_nonconformity(bigint, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    isms.raise_nonconformity(bigint, text, isms.nonconformity_source, isms.clause, text, bigint, bigint),
    isms.set_nonconformity_state(bigint, bigint, isms.nonconformity_state, text),
    isms.analyse_nonconformity(bigint, bigint, text, text),
    isms.plan_corrective_action(bigint, bigint, text, date, regrole),
    isms.implement_corrective_action(bigint, bigint), isms.verify_effectiveness(bigint, bigint, text),
    isms.close_nonconformity(bigint, bigint)
    TO isms_contributor;
