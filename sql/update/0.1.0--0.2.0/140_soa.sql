-- 140_soa: the rules of the Statement of Applicability and snapshots as
-- approvals (issue 15, items 4 and 5).
--
-- An entry of isms.soa says what it must (src/soa.c, IS030): an own control
-- has a title, an Annex A control none, an excluded control is not
-- implemented.  isms.soa_init starts the SoA of an organisation with every
-- Annex A control, applicable and not yet justified; isms.soa_set records
-- one decision.  A record of a register's work product (isms.register) is a
-- snapshot: the engine fills its content with the register when it is
-- submitted and no client writes it (src/snapshot.c, IS031); a Statement of
-- Applicability is approved only if its snapshot covers every Annex A
-- control, includes every control an open risk is treated with, and has no
-- placeholder justification left (IS030).

CREATE FUNCTION isms.soa_placeholder() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT 'Not yet justified (created by isms.soa_init)'::text $$;
COMMENT ON FUNCTION isms.soa_placeholder() IS
    'The justification isms.soa_init gives every control it adds; a Statement of Applicability still carrying it is not approved (IS030)';

-- Named to fire before record_rules, so that it sees what the client wrote,
-- not the snapshot record_rules' submission fills in.
CREATE FUNCTION isms.record_snapshot_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'snapshot_trigger';
CREATE TRIGGER record_register_content BEFORE INSERT OR UPDATE ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_snapshot_trigger();

-- The guards: the snapshot is taken at submission, before the submission
-- guard hashes the content into the event; the SoA's completeness is
-- checked before approval.
UPDATE isms.lifecycle_transition
   SET guards = pg_catalog.array_prepend('snapshot'::text, guards)
 WHERE kind OPERATOR(pg_catalog.=) 'record' AND to_state OPERATOR(pg_catalog.=) 'in_review';
UPDATE isms.lifecycle_transition
   SET guards = pg_catalog.array_prepend('soa_complete'::text, guards)
 WHERE kind OPERATOR(pg_catalog.=) 'record' AND to_state OPERATOR(pg_catalog.=) 'approved';

-- A new version of a register's work product starts empty, like the first:
-- its snapshot is taken when it is submitted.
CREATE OR REPLACE FUNCTION isms.new_version(record bigint, run bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.record_org($1);
    INSERT INTO isms.record (org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256,
                             produced_by_run)
    SELECT r.org_id, r.work_product_id, r.document_id, r.title,
           CASE WHEN EXISTS (SELECT FROM isms.register g WHERE g.work_product OPERATOR(pg_catalog.=) w.key
                                                          AND w.org_id IS NULL)
                THEN '{}'::jsonb ELSE r.content END,
           r.evidence_uri, r.evidence_sha256, $2
      FROM isms.record r JOIN isms.work_product w ON w.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
     WHERE r.org_id OPERATOR(pg_catalog.=) isms.record_org($1) AND r.record_id OPERATOR(pg_catalog.=) $1
    RETURNING record_id
$$;

-- Start the Statement of Applicability: every Annex A control the
-- organisation has no entry for yet, applicable, not implemented, with the
-- placeholder justification, changed in run (of a process maintaining the
-- SoA).  Returns how many were added.
CREATE FUNCTION isms.soa_init(run bigint) RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint := isms.run_org(run);
    n integer;
BEGIN
    INSERT INTO isms.soa (org_id, control, run_id, applicable, justification, status)
    SELECT org, c.clause::text, run, true, isms.soa_placeholder(), 'not_implemented'
      FROM isms.iso27001_clause c
     WHERE c.theme IS NOT NULL
       AND NOT EXISTS (SELECT FROM isms.soa s WHERE s.org_id OPERATOR(pg_catalog.=) org
                                                AND s.control OPERATOR(pg_catalog.=) c.clause::text)
     ORDER BY c.clause;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION isms.soa_init(bigint) IS
    'Add every Annex A control missing from the organization''s Statement of Applicability: applicable, not implemented, with the placeholder justification (isms.soa_placeholder) each must get replaced before approval';

-- Record one decision of the SoA in run: insert or update the control.
-- status NULL keeps the current status (not_implemented for a new or an
-- excluded control); owner and title NULL keep the current ones.
CREATE FUNCTION isms.soa_set(run bigint, control text, applicable boolean, justification text,
                             status isms.control_status DEFAULT NULL, owner regrole DEFAULT NULL,
                             title text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint := isms.run_org(run);
BEGIN
    UPDATE isms.soa s
       SET run_id = soa_set.run, applicable = soa_set.applicable, justification = soa_set.justification,
           status = COALESCE(soa_set.status, CASE WHEN NOT soa_set.applicable THEN 'not_implemented'::isms.control_status END, s.status),
           owner = COALESCE(soa_set.owner, s.owner), title = COALESCE(soa_set.title, s.title)
     WHERE s.org_id OPERATOR(pg_catalog.=) org AND s.control OPERATOR(pg_catalog.=) soa_set.control;
    IF NOT FOUND THEN
        INSERT INTO isms.soa (org_id, control, title, run_id, applicable, justification, status, owner)
        VALUES (org, soa_set.control, soa_set.title, soa_set.run, soa_set.applicable, soa_set.justification,
                COALESCE(soa_set.status, 'not_implemented'), soa_set.owner);
    END IF;
END
$$;
COMMENT ON FUNCTION isms.soa_set(bigint, text, boolean, text, isms.control_status, regrole, text) IS
    'Record a control of the Statement of Applicability in run: applicable or not, the justification, and optionally the status, owner and (own controls) title';

REVOKE ALL ON FUNCTION isms.soa_init(bigint), isms.soa_set(bigint, text, boolean, text, isms.control_status, regrole, text),
    isms.record_snapshot_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.soa_init(bigint), isms.soa_set(bigint, text, boolean, text, isms.control_status, regrole, text)
    TO isms_contributor;
GRANT EXECUTE ON FUNCTION isms.soa_placeholder() TO isms_reader, isms_contributor, isms_auditor;
COMMENT ON FUNCTION isms.record_snapshot_trigger() IS
    'Engine trigger on isms.record: the content of a register''s record is the engine''s snapshot, never the client''s';
