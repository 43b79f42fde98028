-- 260_time: engine time and business time, and the audited history import
-- (issue 17, items 1 and 2; docs/history-import.md; src/import.c).
--
-- isms.event.occurred_at stays the time the engine recorded the event
-- (trusted, never settable).  business_at is the time the change happened:
-- the recorded time for live work, the time set by isms.import_at for an
-- imported change; import_batch names the batch that imported it.  The
-- hash chain covers both (src/event.c: events whose business time is their
-- recorded time and that no batch wrote keep the version 1 encoding, so
-- every event recorded before this upgrade still verifies).

ALTER TABLE isms.event ADD COLUMN business_at timestamptz, ADD COLUMN import_batch bigint;
ALTER TABLE isms.event DISABLE TRIGGER event_append_only;
UPDATE isms.event SET business_at = occurred_at;
ALTER TABLE isms.event ENABLE TRIGGER event_append_only;
ALTER TABLE isms.event ALTER COLUMN business_at SET NOT NULL;
COMMENT ON COLUMN isms.event.occurred_at IS 'When the engine recorded the event (trusted: the clock of the committing transaction)';
COMMENT ON COLUMN isms.event.business_at IS
    'When the change happened: occurred_at for live work, the time set by isms.import_at for imported history (covered by the hash)';
COMMENT ON COLUMN isms.event.import_batch IS 'The import batch that wrote the event (isms.import_batch); NULL: live work (covered by the hash)';

-- The import right.
INSERT INTO isms.designation_kind VALUES
    ('history_importer', 'History importer',
     'A member the organisation allows to import its past ISMS history (isms.begin_import): runs, steps, records and register entries with past business times, every rule enforced');

-- Import batches: one per importing transaction, written by the engine only.
CREATE SEQUENCE isms.import_batch_id_seq;
CREATE TABLE isms.import_batch (
    org_id           bigint NOT NULL REFERENCES isms.organization,
    batch_id         bigint NOT NULL DEFAULT pg_catalog.nextval('isms.import_batch_id_seq'),
    source           text NOT NULL CHECK (source ~ '[^[:space:]]'),
    imported_by      text NOT NULL,
    imported_by_oid  oid NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    first_at         timestamptz,
    last_at          timestamptz,
    PRIMARY KEY (org_id, batch_id)
);
ALTER SEQUENCE isms.import_batch_id_seq OWNED BY isms.import_batch.batch_id;
COMMENT ON TABLE isms.import_batch IS
    'Audited history imports: one row per importing transaction (isms.begin_import), written by the engine only';
COMMENT ON COLUMN isms.import_batch.source IS 'Where the history comes from, as the importer named it (file, tool, spreadsheet)';
COMMENT ON COLUMN isms.import_batch.imported_by IS 'Who imported it (the actor)';
COMMENT ON COLUMN isms.import_batch.imported_by_oid IS 'The identity (role OID) of the importer';
COMMENT ON COLUMN isms.import_batch.recorded_at IS 'When the batch was recorded';
COMMENT ON COLUMN isms.import_batch.first_at IS 'The first business time the batch imported';
COMMENT ON COLUMN isms.import_batch.last_at IS 'The last business time the batch imported: the next batch starts at or after it';
SELECT pg_catalog.pg_extension_config_dump('isms.import_batch', '');
SELECT pg_catalog.pg_extension_config_dump('isms.import_batch_id_seq', '');
CREATE TRIGGER import_batch_engine_only BEFORE INSERT OR UPDATE OR DELETE ON isms.import_batch
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER import_batch_no_truncate BEFORE TRUNCATE ON isms.import_batch
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();
CREATE POLICY select_admin_manager_contributor_auditor ON isms.import_batch FOR SELECT
    USING (isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY ('{admin,manager,contributor,auditor}'::text[]));
ALTER TABLE isms.import_batch ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
GRANT SELECT ON isms.import_batch TO isms_contributor, isms_auditor;

-- Import mode (src/import.c).
CREATE FUNCTION isms.begin_import(org bigint, source text) RETURNS bigint
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'import_begin';
COMMENT ON FUNCTION isms.begin_import(bigint, text) IS
    'Open an import batch of the organization''s history for the rest of the transaction (members designated history_importer, IS046); returns the batch';
CREATE FUNCTION isms.import_at(at timestamptz) RETURNS timestamptz
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'import_at';
COMMENT ON FUNCTION isms.import_at(timestamptz) IS
    'In import mode: the business time of the changes that follow; never in the future, never before the previous imported time (IS044)';
-- On a distributed database isms.begin_import and isms.import_at have the
-- node of the organisation's shard run them (src/import.c); Citus
-- delegates these by organisation (isms.distribute).
CREATE FUNCTION isms.begin_import_on_node(org bigint, source text) RETURNS bigint
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'import_begin_on_node';
COMMENT ON FUNCTION isms.begin_import_on_node(bigint, text) IS
    'isms.begin_import run on the node of the organization''s shard (distributed databases); the same rules';
CREATE FUNCTION isms.import_at_on_node(org bigint, at timestamptz) RETURNS timestamptz
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'import_at_on_node';
COMMENT ON FUNCTION isms.import_at_on_node(bigint, timestamptz) IS
    'isms.import_at run on the node of the organization''s shard (distributed databases); the same rules';
CREATE FUNCTION isms.business_date(org bigint) RETURNS date
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'import_business_date';
COMMENT ON FUNCTION isms.business_date(bigint) IS
    'The date the engine''s rules use for the organization: the import date in import mode, else CURRENT_DATE';
GRANT EXECUTE ON FUNCTION isms.business_date(bigint) TO isms_reader;

-- Business time of every event, for reports (plain SQL types, members only).
CREATE VIEW isms_report.event_time WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT e.event_no,
               e.occurred_at AS recorded_at,
               e.business_at,
               e.import_batch IS NOT NULL AS imported,
               e.import_batch,
               b.source AS import_source
          FROM isms.event e
          LEFT JOIN isms.import_batch b
            ON b.org_id OPERATOR(pg_catalog.=) e.org_id AND b.batch_id OPERATOR(pg_catalog.=) e.import_batch
         WHERE e.org_id OPERATOR(pg_catalog.=) o.org_id
         ORDER BY e.event_no) v;
COMMENT ON VIEW isms_report.event_time IS
    'When each event was recorded and when its change happened (business time), and whether it was imported; join isms_report.event_timeline on (org_id, event_no)';
COMMENT ON COLUMN isms_report.event_time.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.event_time.event_no IS 'Number of the event in the organization''s chain';
COMMENT ON COLUMN isms_report.event_time.recorded_at IS 'When the engine recorded the event';
COMMENT ON COLUMN isms_report.event_time.business_at IS 'When the change happened (the recorded time for live work)';
COMMENT ON COLUMN isms_report.event_time.imported IS 'True: imported history (isms.begin_import), false: live work';
COMMENT ON COLUMN isms_report.event_time.import_batch IS 'The import batch (NULL: live work)';
COMMENT ON COLUMN isms_report.event_time.import_source IS 'The source the batch named (NULL: live work)';
GRANT SELECT ON isms_report.event_time TO isms_reader;

-- Records in review, as 160_bi shaped the view, waiting since the business
-- time of their latest submission: an imported record submitted in March
-- has waited since March, not since the day it was imported.
CREATE VIEW isms_report.pending_approvals WITH (security_barrier = true) AS
SELECT o.org_id,
       v.*
  FROM isms.my_organizations() o
 CROSS JOIN LATERAL (
        SELECT r.record_id,
               r.document_id,
               r.version,
               wp.key AS work_product,
               r.title,
               r.author,
               r.produced_by_run,
               p.code::text AS process_code,
               isms.clause_sort_key(p.code) AS process_sort,
               s.submitted_at,
               CURRENT_TIMESTAMP OPERATOR(pg_catalog.-) s.submitted_at AS age,
               CURRENT_DATE OPERATOR(pg_catalog.-) (s.submitted_at)::date AS age_days
          FROM isms.record r
          JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
          LEFT JOIN isms.run rn
            ON rn.org_id OPERATOR(pg_catalog.=) r.org_id AND rn.run_id OPERATOR(pg_catalog.=) r.produced_by_run
          LEFT JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) rn.process_id
         CROSS JOIN LATERAL (
                SELECT pg_catalog.max(e.business_at) AS submitted_at
                  FROM isms.event e
                 WHERE e.org_id OPERATOR(pg_catalog.=) r.org_id
                   AND e.object_type OPERATOR(pg_catalog.=) 'record'
                   AND e.object_id OPERATOR(pg_catalog.=) r.record_id
                   AND e.action OPERATOR(pg_catalog.=) 'submit') s
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state
         ORDER BY r.record_id) v;
COMMENT ON VIEW isms_report.pending_approvals IS
    'Records in review, waiting for an approver other than their author, with how long they have waited';
COMMENT ON COLUMN isms_report.pending_approvals.org_id IS 'The organization (one of the caller''s memberships: isms.my_organizations)';
COMMENT ON COLUMN isms_report.pending_approvals.record_id IS 'The record (isms.record.record_id)';
COMMENT ON COLUMN isms_report.pending_approvals.document_id IS 'The document the record is a version of (its first version''s record_id)';
COMMENT ON COLUMN isms_report.pending_approvals.version IS 'Version of the document';
COMMENT ON COLUMN isms_report.pending_approvals.work_product IS 'Key of the work product';
COMMENT ON COLUMN isms_report.pending_approvals.title IS 'Title of the record';
COMMENT ON COLUMN isms_report.pending_approvals.author IS 'Who wrote the record (may not approve it)';
COMMENT ON COLUMN isms_report.pending_approvals.produced_by_run IS 'The run the record is an output of (NULL for external records)';
COMMENT ON COLUMN isms_report.pending_approvals.process_code IS 'Code of the process whose run produced the record, as text (NULL for external records)';
COMMENT ON COLUMN isms_report.pending_approvals.process_sort IS 'Sort key of process_code: numbers zero-padded (0007.0004), sorts numerically in any client (isms.clause_sort_key)';
COMMENT ON COLUMN isms_report.pending_approvals.submitted_at IS 'When the record was (last) submitted for review: the business time of its latest submit event';
COMMENT ON COLUMN isms_report.pending_approvals.age IS 'Time in review so far';
COMMENT ON COLUMN isms_report.pending_approvals.age_days IS 'Whole days in review so far';
GRANT SELECT ON isms_report.pending_approvals TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
