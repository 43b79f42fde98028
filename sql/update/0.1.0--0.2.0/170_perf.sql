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
