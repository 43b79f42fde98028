-- Content in the chain: a record's submission and approval events carry the
-- SHA-256 of its canonical content, so that a rewritten title, content,
-- evidence, author or approver is found by isms.verify_events although no
-- event of its own changed.

CREATE FUNCTION isms.record_content_hash(r isms.record, approved boolean) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
               r.work_product_id, r.document_id, r.version, r.title, r.content,
               r.evidence_uri, r.evidence_sha256, r.author, r.author_oid::oid, r.author_app,
               CASE WHEN approved THEN r.approver END,
               CASE WHEN approved THEN r.approver_oid::oid END,
               CASE WHEN approved THEN r.approver_app END)::text, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION isms.record_content_hash(isms.record, boolean) IS
    'SHA-256 (hex) of a record''s canonical content (work product, document, version, title, content, evidence URI and hash, author; with approved: the approver too), as its submission and approval events carry it';
REVOKE ALL ON FUNCTION isms.record_content_hash(isms.record, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.record_content_hash(isms.record, boolean)
    TO isms_auditor, isms_manager, isms_contributor, isms_reader;
