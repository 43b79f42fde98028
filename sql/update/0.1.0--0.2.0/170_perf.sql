-- 170_perf: the single operations without fixed costs (issue 14).
--
-- The content hash of a record is computed in C (src/record_hash.c): the
-- trigger calls the C code directly on submission and approval, and
-- verification calls this same function, so the hash has one
-- implementation (byte-identical to the SQL function it replaces, which
-- SPI planned anew on every call).
CREATE OR REPLACE FUNCTION isms.record_content_hash(r isms.record, approved boolean) RETURNS text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'record_content_hash_sql';
COMMENT ON FUNCTION isms.record_content_hash(isms.record, boolean) IS
    'SHA-256 (hex) of a record''s canonical content (work product, document, version, title, content, evidence URI and hash, author; with approved: the approver too), as its submission and approval events carry it';

-- A record's organisation exists without a foreign key checking it per row
-- (a statement per insert): every record insert appends an event, which
-- needs the organisation's chain head (IS015, src/event.c); the head
-- references the organisation, and an organisation is never deleted
-- (IS011, isms.organization_guard_trigger).  The same reasoning dropped
-- the foreign key of isms.event (075_commit_events).
ALTER TABLE isms.record DROP CONSTRAINT record_org_id_fkey;

-- The versions of a document name its first version without a foreign key
-- checking it per row: a new document (version 1) names itself, and the
-- check locked the row just inserted (about a fifth of a bulk import's CPU
-- time in perf; docs/benchmarks.md has the import rates).  The engine guarantees what the key did: a new
-- version's document exists in the organisation and is of its work product
-- (IS018, locked FOR UPDATE while the version is written), document_id
-- never changes (IS009), and the first version is not deleted while the
-- document has other versions (IS011, src/record.c).
ALTER TABLE isms.record DROP CONSTRAINT record_org_id_document_id_fkey;
