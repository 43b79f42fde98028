-- 210_incident: the incident register (issue 16, item 1; ISO/IEC 27001
-- A.5.24-A.5.28, process 7.9) on the register mechanism of 120/130.
--
-- A register may let entries be created outside a run
-- (isms.register.created_outside_runs): any member then reports an entry
-- with run_id NULL, and every later change is made in a run of a
-- maintaining process as for every register.  Incidents are such a
-- register: anyone in the organisation reports one; triage, containment,
-- resolution and closure happen in 7.9 runs.  src/incident.c holds the
-- kind's rules (IS036): triage decides whether it is an incident, its
-- severity and the notification regime; personal data means GDPR; the
-- engine derives the notification deadlines (GDPR 72 h, NIS2 early warning
-- 24 h and notification 72 h, from detection); "not an incident" is closed
-- with a reason; a real incident closes only with lessons learned or a
-- corrective action (isms.nonconformity, 215) linked to it.
--
-- The 7.9 catalog: "Learn" becomes optional, so that a run whose triage
-- found no incident skips it (with a reason) and needs no lessons learned;
-- a real incident still needs them to close.  Planning and preparation
-- (A.5.24) is the incident management plan: procedures, roles and contacts,
-- a document 7.9 establishes or updates in its first activity and follows
-- in every run (both optional, so a run is never blocked by it; not an
-- activity of its own, which every run handling one incident would have to
-- perform or skip).
-- The register's snapshot is a work product of its own (incident_register), so
-- that incident_record stays the free record it was.

-- Registers whose entries may be created outside a run.
ALTER TABLE isms.register ADD COLUMN created_outside_runs boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN isms.register.created_outside_runs IS
    'Whether any member may create an entry outside a run (run_id NULL), as anyone reports an incident; later changes are made in runs';

-- The catalog of 7.9 (negative ids: see 100_catalog.sql).
UPDATE isms.activity a SET optional = true
  FROM isms.process p
 WHERE p.process_id OPERATOR(pg_catalog.=) a.process_id AND p.code OPERATOR(isms.=) '7.9' AND p.org_id IS NULL
   AND a.org_id IS NULL AND a.activity_no OPERATOR(pg_catalog.=) 5;
INSERT INTO isms.work_product (work_product_id, key, name, kind, origin, review_months, retention_months)
VALUES (-210, 'incident_register', 'Incident register: the incidents reported and how each was handled',
        'record', 'process', NULL, 60);
INSERT INTO isms.work_product_reference (work_product_id, clause)
SELECT -210, c::isms.clause FROM pg_catalog.unnest('{A.5.24,A.5.25,A.5.26,A.5.27,A.5.28}'::text[]) c;
INSERT INTO isms.process_output (process_output_id, process_id, work_product_id, required, activity_no)
SELECT -210, p.process_id, -210, false, 2
  FROM isms.process p WHERE p.code OPERATOR(isms.=) '7.9' AND p.org_id IS NULL;

INSERT INTO isms.work_product (work_product_id, key, name, kind, origin, review_months, retention_months)
VALUES (-211, 'incident_management_plan',
        'Incident management plan: procedures, roles and responsibilities, contacts and the criteria for incidents',
        'document', 'process', 12, 36);
INSERT INTO isms.work_product_reference (work_product_id, clause) VALUES (-211, 'A.5.24');
INSERT INTO isms.process_output (process_output_id, process_id, work_product_id, required, activity_no)
SELECT -211, p.process_id, -211, false, 1
  FROM isms.process p WHERE p.code OPERATOR(isms.=) '7.9' AND p.org_id IS NULL;
INSERT INTO isms.process_input (process_input_id, process_id, work_product_id, requirement, note)
SELECT -211, p.process_id, -211, 'optional', 'the plan the response follows (A.5.24)'
  FROM isms.process p WHERE p.code OPERATOR(isms.=) '7.9' AND p.org_id IS NULL;

CREATE TYPE isms.incident_state AS ENUM ('reported', 'triaged', 'contained', 'resolved', 'closed');
COMMENT ON TYPE isms.incident_state IS 'Lifecycle state of an information security incident (A.5.24-A.5.28)';
CREATE TYPE isms.incident_severity AS ENUM ('low', 'medium', 'high', 'critical');
COMMENT ON TYPE isms.incident_severity IS 'Severity of an information security incident, lowest first';
CREATE TYPE isms.notification_regime AS ENUM ('none', 'gdpr', 'nis2', 'gdpr_nis2');
COMMENT ON TYPE isms.notification_regime IS
    'Which authorities must be notified: none, GDPR (personal data breach: 72 h), NIS2 (significant incident: early warning 24 h, notification 72 h), or both';

CREATE SEQUENCE isms.incident_id_seq;
CREATE TABLE isms.incident (
    org_id              bigint NOT NULL REFERENCES isms.organization,
    incident_id         bigint NOT NULL DEFAULT pg_catalog.nextval('isms.incident_id_seq'),
    run_id              bigint,
    title               text NOT NULL CHECK (title ~ '[^[:space:]]'),
    description         text,
    category            text CHECK (category ~ '[^[:space:]]'),
    severity            isms.incident_severity,
    is_incident         boolean,
    personal_data       boolean NOT NULL DEFAULT false,
    notification_regime isms.notification_regime,
    affected_assets     text[] NOT NULL DEFAULT '{}',
    detected_at         timestamptz,
    reported_at         timestamptz,
    reported_by         regrole,
    early_warning_due   timestamptz,
    early_warning_at    timestamptz,
    notification_due    timestamptz,
    notified_at         timestamptz,
    lessons_learned     text,
    state               isms.incident_state NOT NULL DEFAULT 'reported',
    state_reason        text,
    closed_at           timestamptz,
    created_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, incident_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.incident_id_seq OWNED BY isms.incident.incident_id;
CREATE UNIQUE INDEX incident_incident_id_idx ON isms.incident (incident_id);
CREATE INDEX incident_state_idx ON isms.incident (org_id, state);
COMMENT ON TABLE isms.incident IS
    'The incident register (ISO/IEC 27001 A.5.24-A.5.28): events reported by anyone in the organisation, triaged, contained, resolved and closed in runs of 7.9';
COMMENT ON COLUMN isms.incident.run_id IS 'The run (of 7.9) the latest change was made in; NULL while the incident is as reported';
COMMENT ON COLUMN isms.incident.category IS 'Kind of incident in the organisation''s words (phishing, malware, loss, ...)';
COMMENT ON COLUMN isms.incident.severity IS 'Severity decided at triage';
COMMENT ON COLUMN isms.incident.is_incident IS 'Triage''s verdict: true an information security incident, false not one (closed with a reason); NULL before triage';
COMMENT ON COLUMN isms.incident.personal_data IS 'Whether personal data is involved (a personal data breach: GDPR applies)';
COMMENT ON COLUMN isms.incident.notification_regime IS 'Which authorities must be notified, decided at triage';
COMMENT ON COLUMN isms.incident.affected_assets IS 'The assets affected, by name';
COMMENT ON COLUMN isms.incident.detected_at IS 'When the organisation became aware of it (the deadlines run from here); the time it was reported if not given';
COMMENT ON COLUMN isms.incident.reported_at IS 'When it was reported (set by the engine)';
COMMENT ON COLUMN isms.incident.reported_by IS 'Who reported it (set by the engine)';
COMMENT ON COLUMN isms.incident.early_warning_due IS 'NIS2 early warning deadline: 24 h after detection (set by the engine)';
COMMENT ON COLUMN isms.incident.early_warning_at IS 'When the NIS2 early warning was given';
COMMENT ON COLUMN isms.incident.notification_due IS 'Notification deadline: 72 h after detection under GDPR and NIS2 (set by the engine)';
COMMENT ON COLUMN isms.incident.notified_at IS 'When the authority was notified';
COMMENT ON COLUMN isms.incident.lessons_learned IS 'What was learned (A.5.27); a real incident closes with it or with a linked corrective action';
COMMENT ON COLUMN isms.incident.state_reason IS 'Reason given for closing it as not an incident';
COMMENT ON COLUMN isms.incident.closed_at IS 'When it was closed (set by the engine)';
SELECT pg_catalog.pg_extension_config_dump('isms.incident', '');
SELECT pg_catalog.pg_extension_config_dump('isms.incident_id_seq', '');

INSERT INTO isms.register (kind, relation, work_product, maintained_by, created_outside_runs)
VALUES ('incident', 'isms.incident', 'incident_register', '{7.9}', true);

INSERT INTO isms.lifecycle_kind VALUES ('incident', 'isms.incident', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('incident', 'reported', 1, true, false),
    ('incident', 'triaged', 2, false, false),
    ('incident', 'contained', 3, false, false),
    ('incident', 'resolved', 4, false, false),
    ('incident', 'closed', 5, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action, guards) VALUES
    ('incident', 'reported', 'triaged', 'triage', '{triage}'),
    ('incident', 'triaged', 'contained', 'contain', '{real}'),
    ('incident', 'contained', 'resolved', 'resolve', '{real}'),
    ('incident', 'resolved', 'closed', 'close', '{real,lessons,closed}'),
    ('incident', 'triaged', 'closed', 'dismiss', '{dismissal,closed}');

-- Tenancy: every member reads and reports; those who maintain it change it.
SELECT isms.register_attach('incident', '{admin,manager,contributor}',
                             readers => '{admin,manager,contributor,auditor,reader}',
                             inserters => '{admin,manager,contributor,auditor,reader}');
GRANT SELECT ON isms.incident TO isms_reader;
-- Every column with a default is granted (Citus names them all in the
-- shard's INSERT): the engine checks the state (IS001) and sets the times.
GRANT INSERT (org_id, incident_id, run_id, title, description, category, personal_data, affected_assets, detected_at,
              state, created_at, updated_at)
    ON isms.incident TO isms_reader, isms_auditor, isms_contributor;
GRANT USAGE ON SEQUENCE isms.incident_id_seq TO isms_reader, isms_auditor, isms_contributor;
GRANT UPDATE (run_id, title, description, category, severity, is_incident, personal_data, notification_regime,
              affected_assets, detected_at, early_warning_at, notified_at, lessons_learned, state, state_reason)
    ON isms.incident TO isms_contributor;

-- The organisation of a register entry the caller can see, by the entry's
-- id (the single bigint column of its key other than org_id); IS015 if the
-- caller sees no such entry.
CREATE FUNCTION isms.register_entry_org(kind text, id bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    rel regclass;
    org bigint;
BEGIN
    SELECT g.relation INTO rel FROM isms.register g WHERE g.kind OPERATOR(pg_catalog.=) $1;
    IF FOUND THEN
        EXECUTE pg_catalog.format('SELECT e.org_id FROM %s e WHERE e.%I OPERATOR(pg_catalog.=) $1', rel, $1 || '_id')
           INTO org USING $2;
    END IF;
    IF org IS NULL THEN
        RAISE EXCEPTION '% % does not exist', $1, $2
            USING ERRCODE = 'IS015',
                  DETAIL = pg_catalog.format('No %s with this id is visible to the current role.', $1),
                  HINT = 'Check the id, and that you are a member of its organization.';
    END IF;
    RETURN org;
END
$$;
COMMENT ON FUNCTION isms.register_entry_org(text, bigint) IS
    'The organization of a register entry (kind, id) the caller can see (IS015 otherwise)';

-- The API: plain DML under the caller's rights.
CREATE FUNCTION isms.report_incident(org bigint, title text, description text DEFAULT NULL,
                                     detected_at timestamptz DEFAULT NULL, category text DEFAULT NULL,
                                     personal_data boolean DEFAULT false, affected_assets text[] DEFAULT '{}')
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.incident (org_id, title, description, detected_at, category, personal_data, affected_assets)
    VALUES ($1, $2, $3, $4, $5, COALESCE($6, false), COALESCE($7, '{}'))
    RETURNING incident_id
$$;
COMMENT ON FUNCTION isms.report_incident(bigint, text, text, timestamptz, text, boolean, text[]) IS
    'Report an information security event or incident: any member, outside a run (IS036)';

CREATE FUNCTION isms.set_incident_state(run bigint, incident bigint, state isms.incident_state,
                                        reason text DEFAULT NULL) RETURNS isms.incident_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.incident i SET run_id = $1, state = $3, state_reason = COALESCE($4, i.state_reason)
     WHERE i.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('incident', $2)
       AND i.incident_id OPERATOR(pg_catalog.=) $2
    RETURNING i.state
$$;
COMMENT ON FUNCTION isms.set_incident_state(bigint, bigint, isms.incident_state, text) IS
    'Move an incident to another state of its lifecycle in a run of 7.9; the lifecycle and its guards are enforced (IS036)';

CREATE FUNCTION isms.triage_incident(run bigint, incident bigint, severity isms.incident_severity,
                                     notification_regime isms.notification_regime,
                                     personal_data boolean DEFAULT NULL) RETURNS isms.incident_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.incident i
       SET run_id = $1, is_incident = true, severity = $3, notification_regime = $4,
           personal_data = COALESCE($5, i.personal_data), state = 'triaged'
     WHERE i.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('incident', $2)
       AND i.incident_id OPERATOR(pg_catalog.=) $2
    RETURNING i.state
$$;
COMMENT ON FUNCTION isms.triage_incident(bigint, bigint, isms.incident_severity, isms.notification_regime, boolean) IS
    'Triage a reported event as an incident: severity and notification regime; the engine derives the deadlines (IS036)';

CREATE FUNCTION isms.dismiss_incident(run bigint, incident bigint, reason text) RETURNS isms.incident_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.incident i
       SET run_id = $1, is_incident = false, notification_regime = 'none', state = 'triaged'
     WHERE i.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('incident', $2)
       AND i.incident_id OPERATOR(pg_catalog.=) $2 AND i.state OPERATOR(pg_catalog.=) 'reported';
    SELECT isms.set_incident_state($1, $2, 'closed', $3)
$$;
COMMENT ON FUNCTION isms.dismiss_incident(bigint, bigint, text) IS
    'Triage a reported event as not an incident and close it with the reason (IS021, IS036)';

CREATE FUNCTION isms.close_incident(run bigint, incident bigint, lessons_learned text DEFAULT NULL)
    RETURNS isms.incident_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.incident i SET run_id = $1, lessons_learned = COALESCE($3, i.lessons_learned), state = 'closed'
     WHERE i.org_id OPERATOR(pg_catalog.=) isms.register_entry_org('incident', $2)
       AND i.incident_id OPERATOR(pg_catalog.=) $2
    RETURNING i.state
$$;
COMMENT ON FUNCTION isms.close_incident(bigint, bigint, text) IS
    'Close a resolved incident with the lessons learned, or without when a corrective action is linked to it (IS036)';

REVOKE ALL ON FUNCTION isms.register_entry_org(text, bigint),
    isms.report_incident(bigint, text, text, timestamptz, text, boolean, text[]),
    isms.set_incident_state(bigint, bigint, isms.incident_state, text),
    isms.triage_incident(bigint, bigint, isms.incident_severity, isms.notification_regime, boolean),
    isms.dismiss_incident(bigint, bigint, text), isms.close_incident(bigint, bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.register_entry_org(text, bigint),
    isms.report_incident(bigint, text, text, timestamptz, text, boolean, text[])
    TO isms_reader, isms_auditor, isms_contributor;
GRANT EXECUTE ON FUNCTION isms.set_incident_state(bigint, bigint, isms.incident_state, text),
    isms.triage_incident(bigint, bigint, isms.incident_severity, isms.notification_regime, boolean),
    isms.dismiss_incident(bigint, bigint, text), isms.close_incident(bigint, bigint, text)
    TO isms_contributor;
