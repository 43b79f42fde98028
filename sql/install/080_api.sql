-- The SQL API.  Every function is a thin, SECURITY INVOKER wrapper around
-- plain DML on the operational tables: the C triggers enforce the rules, so
-- the API and direct DML behave identically, and row-level security applies
-- to the caller.  Functions that change an existing object first look it up
-- on its own (isms.run_org, isms.record_org, isms.step_org), so that an
-- unknown or invisible id fails with IS015 instead of changing nothing.

-- Id lookups that fail with IS015 when the object is not visible to the caller.
CREATE FUNCTION isms.run_org(run bigint) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_run_org';
CREATE FUNCTION isms.record_org(record bigint) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_record_org';
CREATE FUNCTION isms.step_org(run bigint, activity_no integer) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_step_org';
CREATE FUNCTION isms.process_id(org bigint, process isms.clause) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_process_id';
CREATE FUNCTION isms.work_product_id(org bigint, work_product text) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_work_product_id';
COMMENT ON FUNCTION isms.process_id(bigint, isms.clause) IS 'The process with this code as the organization sees it (IS015 if none)';
COMMENT ON FUNCTION isms.work_product_id(bigint, text) IS 'The work product with this key as the organization sees it (IS015 if none)';

CREATE FUNCTION isms.verify_events(org bigint,
    OUT valid boolean, OUT events_checked bigint, OUT first_broken_event bigint, OUT problem text)
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'event_verify';
COMMENT ON FUNCTION isms.verify_events(bigint) IS
    'Recompute the organization''s event hash chain end to end; report the first broken link';

CREATE FUNCTION isms.run_blockers(run bigint)
    RETURNS TABLE (blocker text, item text, detail text)
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'run_blockers';
COMMENT ON FUNCTION isms.run_blockers(bigint) IS
    'What a run still needs before it can start (planned) or complete (active): one row per missing thing';

-- Organisations
CREATE FUNCTION isms.create_organization(name text) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.organization (name) VALUES ($1) RETURNING org_id $$;
COMMENT ON FUNCTION isms.create_organization(text) IS 'Create an organization (tenant) and open its event chain';

-- Runs
CREATE FUNCTION isms.plan_run(org bigint, process isms.clause, title text, owner text DEFAULT NULL,
                              planned_start date DEFAULT CURRENT_DATE, due date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.run (org_id, process_id, title, owner, planned_start, due)
    VALUES ($1, isms.process_id($1, $2), $3, $4, $5, $6)
    RETURNING run_id
$$;
COMMENT ON FUNCTION isms.plan_run(bigint, isms.clause, text, text, date, date) IS
    'Plan a run of a process; its steps are created from the process''s activities';

CREATE FUNCTION isms.add_input(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (isms.run_org($1), $1, $2, 'input') $$;
COMMENT ON FUNCTION isms.add_input(bigint, bigint) IS 'Link an approved, current record to a run as an input';

CREATE FUNCTION isms.remove_input(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.run_org($1);
    DELETE FROM isms.run_record
     WHERE org_id = isms.run_org($1) AND run_id = $1 AND record_id = $2 AND role = 'input'
$$;
COMMENT ON FUNCTION isms.remove_input(bigint, bigint) IS 'Unlink an input from a run that has not started';

-- Change the state of a run (and its reason).
CREATE FUNCTION isms.set_run_state(run bigint, state isms.run_state, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.run_org($1);
    UPDATE isms.run SET state = $2, state_reason = coalesce($3, state_reason)
     WHERE org_id = isms.run_org($1) AND run_id = $1
$$;
COMMENT ON FUNCTION isms.set_run_state(bigint, isms.run_state, text) IS
    'Move a run to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.start_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'active') $$;
CREATE FUNCTION isms.complete_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'completed') $$;
CREATE FUNCTION isms.suspend_run(run bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'suspended', $2) $$;
CREATE FUNCTION isms.resume_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'active') $$;
CREATE FUNCTION isms.cancel_run(run bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'cancelled', $2) $$;
COMMENT ON FUNCTION isms.start_run(bigint) IS 'Start a planned run: needs every required input linked (IS002)';
COMMENT ON FUNCTION isms.complete_run(bigint) IS 'Complete an active run: needs its steps finished and required outputs approved (IS008)';
COMMENT ON FUNCTION isms.suspend_run(bigint, text) IS 'Suspend an active run, with a reason';
COMMENT ON FUNCTION isms.resume_run(bigint) IS 'Resume a suspended run';
COMMENT ON FUNCTION isms.cancel_run(bigint, text) IS 'Cancel a run that is not closed, with a reason';

-- Steps
CREATE FUNCTION isms.set_step_state(run bigint, activity_no integer, state isms.step_state,
                                    performer text DEFAULT NULL, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.step_org($1, $2);
    UPDATE isms.step SET state = $3, performer = coalesce($4, performer), skip_reason = coalesce($5, skip_reason)
     WHERE org_id = isms.step_org($1, $2) AND run_id = $1 AND activity_no = $2
$$;
COMMENT ON FUNCTION isms.set_step_state(bigint, integer, isms.step_state, text, text) IS
    'Move a step to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.start_step(run bigint, activity_no integer, performer text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'active', $3) $$;
CREATE FUNCTION isms.finish_step(run bigint, activity_no integer) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'done') $$;
CREATE FUNCTION isms.skip_step(run bigint, activity_no integer, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'skipped', NULL, $3) $$;
COMMENT ON FUNCTION isms.start_step(bigint, integer, text) IS 'Start a step: the run is active and the steps before it are finished';
COMMENT ON FUNCTION isms.finish_step(bigint, integer) IS 'Finish a step: the activity''s own inputs are linked';
COMMENT ON FUNCTION isms.skip_step(bigint, integer, text) IS 'Skip an optional step, with a reason';

-- Records
CREATE FUNCTION isms.new_record(run bigint, work_product text, title text, content jsonb DEFAULT '{}',
                                evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    WITH r AS (SELECT isms.run_org($1) AS org_id)
    INSERT INTO isms.record (org_id, work_product_id, title, content, evidence_uri, evidence_sha256, produced_by_run)
    SELECT r.org_id, isms.work_product_id(r.org_id, $2), $3, $4, $5, $6, $1 FROM r
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_record(bigint, text, text, jsonb, text, text) IS
    'Create a draft record as an output of an active run whose process outputs the work product';

CREATE FUNCTION isms.new_external_record(org bigint, work_product text, title text, content jsonb DEFAULT '{}',
                                         evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.record (org_id, work_product_id, title, content, evidence_uri, evidence_sha256)
    VALUES ($1, isms.work_product_id($1, $2), $3, $4, $5, $6)
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_external_record(bigint, text, text, jsonb, text, text) IS
    'Create a draft record of a work product that comes from outside the ISMS (origin external or either)';

CREATE FUNCTION isms.new_version(record bigint, run bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.record_org($1);
    INSERT INTO isms.record (org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256,
                             produced_by_run)
    SELECT org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256, $2
      FROM isms.record
     WHERE org_id = isms.record_org($1) AND record_id = $1
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_version(bigint, bigint) IS
    'Start the next version of a document as a draft copy of this record (produced by run, for process outputs)';

CREATE FUNCTION isms.set_record_state(record bigint, state isms.record_state, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.record_org($1);
    UPDATE isms.record SET state = $2, state_reason = $3
     WHERE org_id = isms.record_org($1) AND record_id = $1
$$;
COMMENT ON FUNCTION isms.set_record_state(bigint, isms.record_state, text) IS
    'Move a record to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.submit_record(record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'in_review') $$;
CREATE FUNCTION isms.approve_record(record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'approved') $$;
CREATE FUNCTION isms.return_record(record bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'draft', $2) $$;
CREATE FUNCTION isms.withdraw_record(record bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'withdrawn', $2) $$;
COMMENT ON FUNCTION isms.submit_record(bigint) IS 'Submit a draft record for review (its content is then frozen)';
COMMENT ON FUNCTION isms.approve_record(bigint) IS 'Approve a record in review: not by its author (IS010); supersedes the previous version';
COMMENT ON FUNCTION isms.return_record(bigint, text) IS 'Send a record in review back to draft, with a reason';
COMMENT ON FUNCTION isms.withdraw_record(bigint, text) IS 'Withdraw an approved record, with a reason';

CREATE FUNCTION isms.confirm_record(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (isms.run_org($1), $1, $2, 'confirmed') $$;
COMMENT ON FUNCTION isms.confirm_record(bigint, bigint) IS
    'Confirm that an approved output is still valid, as an output of an active run: extends valid_until, no new version';

-- Tailoring
CREATE FUNCTION isms.exclude_process(org bigint, process isms.clause, justification text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.process_exclusion (org_id, process_id, justification) VALUES ($1, isms.process_id($1, $2), $3) $$;
CREATE FUNCTION isms.include_process(org bigint, process isms.clause) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ DELETE FROM isms.process_exclusion WHERE org_id = $1 AND process_id = isms.process_id($1, $2) $$;
COMMENT ON FUNCTION isms.exclude_process(bigint, isms.clause, text) IS
    'Declare a process not applicable to the organization, with a justification; it can then not be run';
COMMENT ON FUNCTION isms.include_process(bigint, isms.clause) IS 'Revoke a declaration that a process is not applicable';
