-- The Statement of Applicability (ISO/IEC 27001 6.1.3 d) and snapshots as
-- approvals (issue 15, items 4 and 5), as an ISMS lead works it: a risk
-- treatment run (7.5) starts the SoA with the 93 Annex A controls, the lead
-- records each decision, the register's record is a snapshot the engine
-- takes at submission, and the approver cannot approve a SoA that lacks a
-- control, excludes a control an open risk is treated with, or still has
-- placeholder justifications.  Every refusal with its SQLSTATE, by API and
-- by plain DML, and nothing half-written.
\i test/lib/try.sql
SET client_min_messages = warning;
SET search_path = isms, public;

CREATE ROLE regress_isms_soa_lead LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_soa_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_soa_owner LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_isms_soa_auditor LOGIN IN ROLE isms_auditor;
SELECT pg_temp.name('organization', create_organization('SoA Ltd'), 'soa') AS org \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org, 'regress_isms_soa_lead', 'manager'), (:org, 'regress_isms_soa_approver', 'manager'),
    (:org, 'regress_isms_soa_owner', 'contributor'), (:org, 'regress_isms_soa_auditor', 'auditor');

-- Submit a record (as its author) and approve it (as the approver).
CREATE FUNCTION pg_temp.publish(rec bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM isms.submit_record(rec);
    SET ROLE regress_isms_soa_approver;
    PERFORM isms.approve_record(rec);
    SET ROLE regress_isms_soa_lead;
    RETURN rec;
END
$$;

-- One run of a process up to its last activity (the lead performs it): the
-- approved inputs linked, every required output published.  Records of a
-- register's work product are created empty: their content is the
-- engine's snapshot.
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, skip int[] DEFAULT '{}', complete boolean DEFAULT true)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    pid integer := isms.process_id(org, code);
    run bigint;
    r record;
BEGIN
    SET ROLE regress_isms_soa_lead;
    run := isms.plan_run(org, code, 'Run of ' || code);
    FOR r IN SELECT DISTINCT ON (rec.document_id) rec.record_id
               FROM isms.process_input i
               JOIN isms.record rec ON rec.org_id = org AND rec.work_product_id = i.work_product_id
              WHERE i.process_id = pid AND rec.state = 'approved'
    LOOP
        PERFORM isms.add_input(run, r.record_id);
    END LOOP;
    PERFORM isms.start_run(run);
    IF NOT complete THEN
        RESET ROLE;
        RETURN run;
    END IF;
    FOR r IN SELECT activity_no FROM isms.activity
              WHERE process_id = pid AND (org_id IS NULL OR org_id = org) ORDER BY activity_no LOOP
        IF r.activity_no = ANY (skip) THEN
            PERFORM isms.skip_step(run, r.activity_no, 'not needed in this run');
            CONTINUE;
        END IF;
        PERFORM isms.start_step(run, r.activity_no);
        PERFORM pg_temp.publish(isms.new_record(run, w.key, w.name,
                    CASE WHEN w.key IN (SELECT work_product FROM isms.register) THEN '{}'
                         ELSE jsonb_build_object('process', code::text) END))
           FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
          WHERE o.process_id = pid AND o.activity_no = r.activity_no AND o.required
            AND (o.org_id IS NULL OR o.org_id = org);
        PERFORM isms.finish_step(run, r.activity_no);
    END LOOP;
    PERFORM isms.complete_run(run);
    RESET ROLE;
    RETURN run;
END
$$;

-- The way to risk treatment: governance (6.2), context (7.3), the risk
-- assessment (7.4); then a risk treatment run (7.5) is active.
SET ROLE regress_isms_soa_lead;
SELECT pg_temp.publish(new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
RESET ROLE;
SELECT code, pg_temp.perform(:org, code::isms.clause, skip) IS NOT NULL AS completed
  FROM (VALUES (1, '6.2', '{5}'::int[]), (2, '7.3', '{}'), (3, '7.4', '{}')) AS plan(n, code, skip) ORDER BY n;
SELECT pg_temp.name('run', pg_temp.perform(:org, '7.5', complete => false), 'treatment') AS run \gset

-- Every register's record those runs produced is a snapshot of its
-- register (empty so far), filled by the engine at submission.
SELECT w.key, r.state, r.content->>'format' AS format, r.content->>'register' AS register,
       r.content->'entry_count' AS entries, r.content->>'entries_sha256' = encode(sha256(''), 'hex') AS empty_hash
  FROM record r JOIN work_product w USING (work_product_id)
 WHERE r.org_id = :org AND w.key IN (SELECT work_product FROM register) ORDER BY w.key;

-- 1. The entries.  The lead records decisions in the run: an excluded
-- control's status becomes not_implemented.
SET ROLE regress_isms_soa_lead;
SELECT soa_set(:run, 'A.5.1', true, 'The policy set is the base of the ISMS', 'implemented', 'regress_isms_soa_lead');
SELECT soa_set(:run, 'A.5.2', true, 'Roles are assigned in the roles record');
SELECT soa_set(:run, 'A.7.4', true, 'Offices are monitored', 'implemented', 'regress_isms_soa_owner');
SELECT soa_set(:run, 'A.7.4', false, 'No premises of our own: the coworking space monitors its building');
SELECT control, applicable, status, owner, justification FROM soa WHERE org_id = :org ORDER BY control COLLATE "C";

-- An own control (a code not starting with "A.") has a title (IS030).
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'NW-1', true, 'Customers demand it')$$, :run));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification)
                            VALUES (%s, 'NW-1', %s, true, 'Customers demand it')$$, :org, :run));
SELECT soa_set(:run, 'NW-1', true, 'Customers demand it', title => 'Customer data stays in the EU');
SELECT pg_temp.try(format($$UPDATE isms.soa SET title = NULL, run_id = %s WHERE org_id = %s AND control = 'NW-1'$$, :run, :org));
-- An Annex A control has none: its title is the catalog's (IS030).
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'A.5.2', true, 'Roles are needed', title => 'Roles')$$, :run));
SELECT pg_temp.try(format($$UPDATE isms.soa SET title = 'Roles', run_id = %s WHERE org_id = %s AND control = 'A.5.2'$$, :run, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, title, run_id, applicable, justification)
                            VALUES (%s, 'A.5.3', 'Duties', %s, true, 'Duties are separated')$$, :org, :run));
-- An excluded control is not implemented (IS030).
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'A.7.4', false, 'No premises', 'implemented')$$, :run));
SELECT pg_temp.try(format($$UPDATE isms.soa SET status = 'planned', run_id = %s WHERE org_id = %s AND control = 'A.7.4'$$, :run, :org));
SELECT pg_temp.try(format($$UPDATE isms.soa SET applicable = false, run_id = %s WHERE org_id = %s AND control = 'A.5.1'$$, :run, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.soa (org_id, control, run_id, applicable, justification, status)
                            VALUES (%s, 'A.5.3', %s, false, 'No conflicting duties', 'partially_implemented')$$, :org, :run));
-- A justification is required both ways (not NULL, not blank).
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'A.5.3', false, ' ')$$, :run));
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'A.5.3', true, NULL)$$, :run));
RESET ROLE;
-- An auditor reads the SoA but does not write it.
SET ROLE regress_isms_soa_auditor;
SELECT count(*) AS auditor_sees FROM soa WHERE org_id = :org;
SELECT pg_temp.try(format($$SELECT isms.soa_set(%s, 'A.5.3', false, 'Not needed')$$, :run));
SELECT pg_temp.try(format($$UPDATE isms.soa SET justification = 'x', run_id = %s WHERE org_id = %s AND control = 'A.5.2'$$, :run, :org));
RESET ROLE;
-- Nothing of the refused changes was written.
SELECT control, title, applicable, status, justification FROM soa WHERE org_id = :org ORDER BY control COLLATE "C";

-- 2. The snapshot.  The record of the SoA starts empty: a client supplies
-- no content (IS031), by API or plain DML.
SET ROLE regress_isms_soa_lead;
SELECT pg_temp.try(format($$SELECT isms.new_record(%s, 'statement_of_applicability', 'SoA', '{"applicable": 93}')$$, :run));
SELECT pg_temp.try(format($$INSERT INTO isms.record (org_id, work_product_id, title, content, produced_by_run)
                            VALUES (%s, isms.work_product_id(%s, 'statement_of_applicability'), 'SoA', '{"applicable": 93}', %s)$$,
                          :org, :org, :run));
SELECT pg_temp.name('record', new_record(:run, 'statement_of_applicability', 'Statement of Applicability'), 'soa1') AS soa1 \gset
SELECT state, content FROM record WHERE record_id = :soa1;
-- nor writes it in draft, nor with the submission
SELECT pg_temp.try(format($$UPDATE isms.record SET content = '{"entries": []}' WHERE record_id = %s$$, :soa1));
SELECT pg_temp.try(format($$UPDATE isms.record SET content = '{"entries": []}', state = 'in_review' WHERE record_id = %s$$, :soa1));
SELECT state, content FROM record WHERE record_id = :soa1;
-- Submission fills it (whatever the submitter's time zone: time stamps in
-- UTC): every entry of the organisation in key order, each with its row
-- hash, and the hash of the entries.
SET TIME ZONE 'Pacific/Kiritimati';
SELECT submit_record(:soa1);
RESET TIME ZONE;
SELECT state, content->>'format' AS format, content->>'register' AS register, content->'entry_count' AS entries,
       jsonb_array_length(content->'entries') AS listed
  FROM record WHERE record_id = :soa1;
SELECT e->>'control' AS control, e->'title' AS title, e->'applicable' AS applicable, e->>'status' AS status,
       e->>'owner' AS owner, e->>'justification' AS justification, e->>'run_id' = :'run' AS in_run,
       e ? 'org_id' AS has_org, e->>'updated_at' LIKE '%+00:00' AS utc,
       e->>'row_sha256' = encode(sha256(convert_to((e - 'row_sha256')::text, 'UTF8')), 'hex') AS row_hash_ok
  FROM record r, jsonb_array_elements(r.content->'entries') WITH ORDINALITY AS x(e, n)
 WHERE r.record_id = :soa1 ORDER BY n;
SELECT (SELECT content->>'entries_sha256' FROM record WHERE record_id = :soa1)
         = encode(sha256(string_agg(decode(e->>'row_sha256', 'hex'), ''::bytea ORDER BY n)), 'hex') AS entries_hash_ok
  FROM record r, jsonb_array_elements(r.content->'entries') WITH ORDINALITY AS x(e, n)
 WHERE r.record_id = :soa1;
-- the submission event carries the hash of the snapshot
SELECT e.detail->>'content_sha256' = record_content_hash(r, false) AS event_hash_ok
  FROM event e JOIN record r ON r.org_id = e.org_id AND r.record_id = e.object_id
 WHERE e.org_id = :org AND e.object_type = 'record' AND e.object_id = :soa1 AND e.action = 'submit';
-- In review the content is frozen (IS031 first, for any client).
SELECT pg_temp.try(format($$UPDATE isms.record SET content = content - 'entries' WHERE record_id = %s$$, :soa1));
RESET ROLE;

-- 3. Approval checks the snapshot (IS030).  Submitted too early, it lacks
-- most Annex A controls.
SET ROLE regress_isms_soa_approver;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :soa1));
SET ROLE regress_isms_soa_lead;
SELECT return_record(:soa1, 'Cover every Annex A control');
-- isms.soa_init adds the missing Annex A controls, applicable, not
-- implemented, with the placeholder justification; a second call adds
-- nothing.
SELECT soa_init(:run) AS added;
SELECT soa_init(:run) AS added_again;
SELECT count(*) AS entries, count(*) FILTER (WHERE control LIKE 'A.%') AS annex,
       count(*) FILTER (WHERE applicable) AS applicable,
       count(*) FILTER (WHERE justification = soa_placeholder()) AS placeholders,
       count(*) FILTER (WHERE status = 'not_implemented') AS not_implemented
  FROM soa WHERE org_id = :org;
SELECT soa_placeholder();
SELECT submit_record(:soa1);
SELECT content->'entry_count' AS entries FROM record WHERE record_id = :soa1;
RESET ROLE;
-- Placeholders are not justifications.
SET ROLE regress_isms_soa_approver;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :soa1));
SET ROLE regress_isms_soa_lead;
SELECT return_record(:soa1, 'Justify every control');
-- The lead justifies the controls in the run, by plain DML this time.
UPDATE soa SET justification = 'Treats the risks of ' || control, run_id = :run
 WHERE org_id = :org AND justification = soa_placeholder();
-- An open risk is treated with an excluded control; another, recorded
-- after the submission, with an own control the snapshot does not have.
WITH x AS (INSERT INTO risk (org_id, run_id, title, owner, controls)
           VALUES (:org, :run, 'Break-in at the office', 'regress_isms_soa_owner', '{A.7.4,A.5.1}') RETURNING risk_id)
SELECT pg_temp.name('risk', risk_id, 'break_in') IS NOT NULL AS risk1 FROM x;
SELECT submit_record(:soa1);
SELECT soa_set(:run, 'NW-2', true, 'Contracts require it', title => 'Export control screening');
WITH x AS (INSERT INTO risk (org_id, run_id, title, owner, controls)
           VALUES (:org, :run, 'Export to a sanctioned party', 'regress_isms_soa_lead', '{NW-2}') RETURNING risk_id)
SELECT pg_temp.name('risk', risk_id, 'export') IS NOT NULL AS risk2 FROM x;
RESET ROLE;
SET ROLE regress_isms_soa_approver;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :soa1));
-- Nothing was approved or superseded by the refusals.
SELECT state, approver, approved_at IS NULL AS not_approved FROM record WHERE record_id = :soa1;
SET ROLE regress_isms_soa_lead;
SELECT return_record(:soa1, 'Include the controls the risks need');
SELECT soa_set(:run, 'A.7.4', true, 'The new office has its own entrance', 'planned');
SELECT submit_record(:soa1);
RESET ROLE;
SET ROLE regress_isms_soa_approver;
SELECT approve_record(:soa1);
RESET ROLE;
SELECT state, content->'entry_count' AS entries FROM record WHERE record_id = :soa1;

-- 4. The live register moves on; the approved snapshot does not, and no
-- one changes it.
SET ROLE regress_isms_soa_lead;
SELECT soa_set(:run, 'A.5.1', true, 'Policies reviewed after the move', 'implemented');
SELECT e->>'justification' AS approved_justification
  FROM record r, jsonb_array_elements(r.content->'entries') e
 WHERE r.record_id = :soa1 AND e->>'control' = 'A.5.1';
SELECT pg_temp.try(format($$UPDATE isms.record SET content = '{}' WHERE record_id = %s$$, :soa1));
-- A new version starts empty and is a new snapshot.
SELECT pg_temp.name('record', new_version(:soa1, :run), 'soa2') AS soa2 \gset
SELECT content FROM record WHERE record_id = :soa2;
SELECT submit_record(:soa2);
SELECT e->>'justification' AS new_justification
  FROM record r, jsonb_array_elements(r.content->'entries') e
 WHERE r.record_id = :soa2 AND e->>'control' = 'A.5.1';
RESET ROLE;
SET ROLE regress_isms_soa_approver;
SELECT approve_record(:soa2);
RESET ROLE;
SELECT record_id = :soa1 AS first, version, state FROM record WHERE org_id = :org AND document_id = :soa1 ORDER BY version;

-- The chain vouches for every snapshot.  A superuser who rewrites an entry
-- of the approved snapshot is found, and the entry named; with the row
-- hash recomputed, the hash of the entries; with every hash of the
-- snapshot recomputed, the content hash of its approval event.
SELECT valid, problem FROM verify_events(:org);
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE record SET content = jsonb_set(content, '{entries,2,justification}', '"Forged"') WHERE record_id = :soa2;
SELECT valid, pg_temp.named(regexp_replace(problem, 'event [0-9]+', 'event <n>')) AS problem FROM verify_events(:org);
UPDATE record SET content = jsonb_set(content, '{entries,2,row_sha256}',
         to_jsonb(encode(sha256(convert_to(((content->'entries'->2) - 'row_sha256')::text, 'UTF8')), 'hex')))
 WHERE record_id = :soa2;
SELECT valid, pg_temp.named(regexp_replace(problem, 'event [0-9]+', 'event <n>')) AS problem FROM verify_events(:org);
UPDATE record r SET content = jsonb_set(content, '{entries_sha256}', to_jsonb((
         SELECT encode(sha256(string_agg(decode(e->>'row_sha256', 'hex'), ''::bytea ORDER BY n)), 'hex')
           FROM jsonb_array_elements(r.content->'entries') WITH ORDINALITY x(e, n))))
 WHERE record_id = :soa2;
SELECT valid, pg_temp.named(regexp_replace(problem, 'event [0-9]+', 'event <n>')) AS problem FROM verify_events(:org);
ROLLBACK;
SELECT valid, problem FROM verify_events(:org);

DROP OWNED BY regress_isms_soa_lead, regress_isms_soa_approver, regress_isms_soa_owner, regress_isms_soa_auditor;
DROP ROLE regress_isms_soa_lead, regress_isms_soa_approver, regress_isms_soa_owner, regress_isms_soa_auditor;
