-- Content in the chain for assessment ratings: a rating's event carries its
-- id and the SHA-256 of its canonical content, so that isms.verify_events
-- finds a rating rewritten or removed with triggers off.  The time enters
-- as microseconds since the epoch, so the hash does not depend on TimeZone.

CREATE FUNCTION isms.assessment_content_hash(r isms.assessment_rating) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
               r.rating_id, r.process_id, r.attribute, r.period_start, r.period_end, r.rating::text,
               r.justification, r.assessor,
               (pg_catalog.extract('epoch', r.assessed_at) OPERATOR(pg_catalog.*) 1000000)::bigint)::text,
               'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION isms.assessment_content_hash(isms.assessment_rating) IS
    'SHA-256 (hex) of an assessment rating''s canonical content (id, process, attribute, period, rating, justification, assessor, time), as its event carries it';
REVOKE ALL ON FUNCTION isms.assessment_content_hash(isms.assessment_rating) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.assessment_content_hash(isms.assessment_rating)
    TO isms_auditor, isms_manager, isms_contributor, isms_reader;
