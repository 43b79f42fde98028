-- Operational tables of the process engine.
--
-- Every key and foreign key leads with org_id, so tenants can be isolated
-- with row-level security and the tables distributed by organisation.  The
-- rules are enforced by the C triggers created in 070_engine_triggers.sql.

CREATE SEQUENCE isms.run_id_seq;
CREATE SEQUENCE isms.record_id_seq;

-- The event chain head of each organisation: the number and hash of its
-- latest event.  Appending an event locks this row, which serialises the
-- writers of one organisation into one unbroken chain.
CREATE TABLE isms.event_chain (
    org_id         bigint PRIMARY KEY REFERENCES isms.organization ON DELETE CASCADE,
    last_event_no  bigint NOT NULL DEFAULT 0,
    last_hash      bytea
);
COMMENT ON TABLE isms.event_chain IS 'Head of each organisation''s event hash chain (written by the engine only)';

-- Tailoring: processes an organisation declares not applicable.
CREATE TABLE isms.process_exclusion (
    org_id         bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    process_id     integer NOT NULL REFERENCES isms.process,
    justification  text NOT NULL CHECK (justification ~ '[^[:space:]]'),
    decided_by     text NOT NULL DEFAULT current_user,
    decided_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, process_id)
);
COMMENT ON TABLE isms.process_exclusion IS
    'Processes an organisation has declared not applicable, with the justification; they cannot be run';

-- A run: one performance of a process by an organisation.
CREATE TABLE isms.run (
    org_id         bigint NOT NULL REFERENCES isms.organization,
    run_id         bigint NOT NULL DEFAULT nextval('isms.run_id_seq'),
    process_id     integer NOT NULL REFERENCES isms.process,
    title          text NOT NULL CHECK (title ~ '[^[:space:]]'),
    owner          text,
    planned_start  date,
    due            date,
    state          isms.run_state NOT NULL DEFAULT 'planned',
    state_reason   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    ended_at       timestamptz,
    PRIMARY KEY (org_id, run_id),
    CHECK (due >= planned_start)
);
ALTER SEQUENCE isms.run_id_seq OWNED BY isms.run.run_id;
CREATE INDEX run_run_id_idx ON isms.run (run_id);
CREATE INDEX run_process_idx ON isms.run (org_id, process_id, state);
COMMENT ON TABLE isms.run IS 'Runs: performances of a process by an organisation';
COMMENT ON COLUMN isms.run.state_reason IS 'Reason given for the latest suspension or cancellation';
COMMENT ON COLUMN isms.run.ended_at IS 'When the run was completed or cancelled';

-- A step: one activity inside a run (created by the engine with the run).
CREATE TABLE isms.step (
    org_id         bigint NOT NULL,
    run_id         bigint NOT NULL,
    activity_no    integer NOT NULL,
    state          isms.step_state NOT NULL DEFAULT 'pending',
    performer      text,
    started_at     timestamptz,
    finished_at    timestamptz,
    skip_reason    text,
    PRIMARY KEY (org_id, run_id, activity_no),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run
);
COMMENT ON TABLE isms.step IS 'Steps: the activities of a run, created with the run';

-- A record: one version of a work product (documented information).
CREATE TABLE isms.record (
    org_id           bigint NOT NULL REFERENCES isms.organization,
    record_id        bigint NOT NULL DEFAULT nextval('isms.record_id_seq'),
    work_product_id  integer NOT NULL REFERENCES isms.work_product,
    document_id      bigint,
    version          integer CHECK (version >= 1),
    title            text NOT NULL CHECK (title ~ '[^[:space:]]'),
    state            isms.record_state NOT NULL DEFAULT 'draft',
    author           text,
    approver         text,
    approved_at      timestamptz,
    content          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(content) = 'object'),
    evidence_uri     text CHECK (evidence_uri ~ '[^[:space:]]'),
    evidence_sha256  text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
    valid_until      date,
    retain_until     date,
    produced_by_run  bigint,
    state_reason     text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, record_id),
    UNIQUE (org_id, document_id, version),
    FOREIGN KEY (org_id, document_id) REFERENCES isms.record (org_id, record_id),
    FOREIGN KEY (org_id, produced_by_run) REFERENCES isms.run (org_id, run_id),
    CHECK ((evidence_uri IS NULL) = (evidence_sha256 IS NULL))
);
ALTER SEQUENCE isms.record_id_seq OWNED BY isms.record.record_id;
CREATE INDEX record_record_id_idx ON isms.record (record_id);
CREATE INDEX record_work_product_idx ON isms.record (org_id, work_product_id, state);
-- at most one approved (current) version of a document
CREATE UNIQUE INDEX record_current_version_idx ON isms.record (org_id, document_id) WHERE state = 'approved';
COMMENT ON TABLE isms.record IS 'Records: versions of work products (documented information)';
COMMENT ON COLUMN isms.record.document_id IS 'The record_id of the first version: all versions of one document share it';
COMMENT ON COLUMN isms.record.valid_until IS 'An approved document must be reviewed (confirmed or replaced) by this date';
COMMENT ON COLUMN isms.record.retain_until IS 'The record may not be deleted before this date';
COMMENT ON COLUMN isms.record.produced_by_run IS 'The run that produced this record as an output (NULL for external records)';

-- Links between runs and records.
CREATE TABLE isms.run_record (
    org_id     bigint NOT NULL,
    run_id     bigint NOT NULL,
    record_id  bigint NOT NULL,
    role       isms.link_role NOT NULL,
    linked_by  text,
    linked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, run_id, role, record_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run,
    FOREIGN KEY (org_id, record_id) REFERENCES isms.record
);
CREATE INDEX run_record_record_idx ON isms.run_record (org_id, record_id);
COMMENT ON TABLE isms.run_record IS
    'Records used by a run as inputs, produced by it as outputs, or confirmed by it as still valid outputs';

-- Events: the append-only, hash-chained audit trail of every state change.
CREATE TABLE isms.event (
    org_id       bigint NOT NULL REFERENCES isms.organization,
    event_no     bigint NOT NULL,
    occurred_at  timestamptz NOT NULL,
    actor        text NOT NULL,
    object_type  text NOT NULL,
    object_id    bigint,
    action       text NOT NULL,
    old_state    text,
    new_state    text,
    detail       jsonb,
    prev_hash    bytea,
    hash         bytea NOT NULL,
    PRIMARY KEY (org_id, event_no)
);
CREATE INDEX event_object_idx ON isms.event (org_id, object_type, object_id);
COMMENT ON TABLE isms.event IS
    'Append-only audit trail: one row per state change, approval and confirmation, SHA-256 chained per organisation';
COMMENT ON COLUMN isms.event.hash IS 'SHA-256 of prev_hash and the canonical form of this event (see isms.verify_events)';

SELECT pg_catalog.pg_extension_config_dump('isms.organization', '');
SELECT pg_catalog.pg_extension_config_dump('isms.event_chain', '');
SELECT pg_catalog.pg_extension_config_dump('isms.process_exclusion', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run', '');
SELECT pg_catalog.pg_extension_config_dump('isms.step', '');
SELECT pg_catalog.pg_extension_config_dump('isms.record', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run_record', '');
SELECT pg_catalog.pg_extension_config_dump('isms.event', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.record_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.organization', 'org_id')::pg_catalog.regclass, '');
