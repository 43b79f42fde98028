-- End to end: a fresh organisation bootstraps its ISMS from external inputs
-- alone and completes a run of each of the 17 processes in a valid order,
-- every record approved by someone other than its author.  Then a superuser
-- tampers with the audit trail and isms.verify_events finds the exact link.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_isms_author LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_approver LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_auditor LOGIN IN ROLE isms_manager;
SELECT pg_temp.name('organization', create_organization('Bootstrap Ltd'), 'boot') AS org \gset
INSERT INTO membership (org_id, member, org_role) VALUES
    (:org, 'regress_isms_author', 'manager'), (:org, 'regress_isms_approver', 'manager'),
    (:org, 'regress_isms_auditor', 'manager');
-- The approver is top management; the audit report is approved by an
-- internal auditor who had no hand in what the audit took as input.
SELECT designate(:org, 'regress_isms_approver', 'top_management');
SELECT designate(:org, 'regress_isms_auditor', 'internal_auditor');

-- Create, submit and approve a record (author writes, approver approves;
-- the auditor approves what needs an independent approver).
CREATE FUNCTION pg_temp.publish(rec bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM isms.submit_record(rec);
    IF (SELECT w.approval_independent FROM isms.record r JOIN isms.work_product w USING (work_product_id)
         WHERE r.record_id = rec) THEN
        SET ROLE regress_isms_auditor;
    ELSE
        SET ROLE regress_isms_approver;
    END IF;
    PERFORM isms.approve_record(rec);
    SET ROLE regress_isms_author;
    RETURN rec;
END
$$;

-- Perform one run of a process: link the current approved record of every
-- input it accepts, do the activities in order (skipping the listed optional
-- ones), publish each required output of each activity, complete.
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, skip int[] DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    pid integer := isms.process_id(org, code);
    run bigint;
    r record;
BEGIN
    SET ROLE regress_isms_author;
    run := isms.plan_run(org, code, 'Run of ' || code);
    FOR r IN SELECT DISTINCT ON (rec.document_id) rec.record_id
               FROM isms.process_input i
               JOIN isms.record rec ON rec.org_id = org AND rec.work_product_id = i.work_product_id
              WHERE i.process_id = pid AND rec.state = 'approved'
    LOOP
        PERFORM isms.add_input(run, r.record_id);
    END LOOP;
    PERFORM isms.start_run(run);
    FOR r IN SELECT activity_no FROM isms.activity
              WHERE process_id = pid AND (org_id IS NULL OR org_id = org) ORDER BY activity_no LOOP
        IF r.activity_no = ANY (skip) THEN
            PERFORM isms.skip_step(run, r.activity_no, 'not needed in this run');
            CONTINUE;
        END IF;
        PERFORM isms.start_step(run, r.activity_no);
        PERFORM pg_temp.publish(isms.new_record(run, w.key, w.name, jsonb_build_object('process', code::text)))
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

-- External inputs: the only things that exist before the ISMS does.
SET ROLE regress_isms_author;
SELECT count(pg_temp.publish(new_external_record(:org, key, name)))
  FROM (VALUES ('business_context', 'Strategy and context'), ('legal_obligation', 'GDPR'),
               ('asset_inventory', 'CMDB export'), ('security_event', 'Phishing report'),
               ('customer_request', 'Customer security questionnaire'),
               ('change_request', 'Replace the VPN')) AS v(key, name);
RESET ROLE;

-- Before anything runs, risk treatment is blocked by its inputs.
SELECT pg_temp.name('run', plan_run(:org, '7.5', 'Too early'), 'early') AS early \gset
SELECT * FROM run_blockers(:early);
SELECT cancel_run(:early, 'planned too early');

-- The 17 processes in an order the input rules allow.
SELECT code, pg_temp.perform(:org, code::isms.clause, skip) IS NOT NULL AS completed
  FROM (VALUES (1, '6.2', '{5}'::int[]), (2, '7.3', '{}'), (3, '7.2', '{}'), (4, '7.4', '{}'),
               (5, '7.5', '{}'), (6, '7.6', '{}'), (7, '7.7', '{4}'), (8, '7.8', '{}'),
               (9, '7.9', '{4}'), (10, '7.10', '{}'), (11, '7.11', '{}'), (12, '7.12', '{}'),
               (13, '7.13', '{5}'), (14, '8.2', '{}'), (15, '8.3', '{}'), (16, '8.4', '{}'),
               (17, '8.5', '{}'), (18, '6.2', '{}')) AS plan(n, code, skip)
 ORDER BY n;

-- Every process has a completed run, and the second management review used
-- the performance report and the audit report.
SELECT p.code, count(r.run_id) FILTER (WHERE r.state = 'completed') AS completed_runs
  FROM process p LEFT JOIN run r ON r.process_id = p.process_id AND r.org_id = :org
 WHERE p.org_id IS NULL GROUP BY p.code ORDER BY p.code;
SELECT w.key FROM run r JOIN run_record l USING (org_id, run_id) JOIN record rec USING (org_id, record_id)
  JOIN work_product w USING (work_product_id)
 WHERE r.org_id = :org AND r.process_id = process_id(:org, '6.2') AND l.role = 'input'
 GROUP BY w.key HAVING count(*) = 1 ORDER BY w.key;
-- Nobody approved their own record.
SELECT count(*) AS records, count(*) FILTER (WHERE approver = author) AS self_approved
  FROM record WHERE org_id = :org AND approved_at IS NOT NULL;
SELECT valid, events_checked > 300 AS long_chain, first_broken_event, problem FROM verify_events(:org);

-- A policy review that changes nothing confirms the approved policy instead
-- of versioning it: valid_until moves a review cycle on, the version stays.
-- (The policy is first made to expire in 10 days; triggers are off for that.)
SELECT record_id AS policy FROM record r JOIN work_product w USING (work_product_id)
 WHERE r.org_id = :org AND w.key = 'security_policy' AND r.state = 'approved' \gset
SET session_replication_role = replica;
UPDATE record SET valid_until = current_date + 10 WHERE org_id = :org AND record_id = :policy;
RESET session_replication_role;
SET ROLE regress_isms_author;
SELECT pg_temp.name('run', plan_run(:org, '7.2', 'Policy review'), 'review') AS review \gset
SELECT count(*) AS inputs FROM (
    SELECT add_input(:review, rec.record_id)
      FROM process_input i JOIN record rec ON rec.org_id = :org AND rec.work_product_id = i.work_product_id
     WHERE i.process_id = process_id(:org, '7.2') AND rec.state = 'approved') AS linked;
SELECT start_run(:review);
SELECT start_step(:review, 1);
SELECT confirm_record(:review, :policy);
SELECT finish_step(:review, 1);
SELECT count(*) AS later_steps FROM (SELECT start_step(:review, n), finish_step(:review, n) FROM generate_series(2, 4) n) AS s;
SELECT complete_run(:review);
RESET ROLE;
SELECT version, state, valid_until = (current_date + interval '12 months')::date AS extended_12_months
  FROM record WHERE record_id = :policy;

-- Tampering by a superuser (triggers bypassed) is found at the exact link.
SELECT event_no AS victim FROM event WHERE org_id = :org AND action = 'approve' ORDER BY event_no OFFSET 10 LIMIT 1 \gset
SET session_replication_role = replica;
UPDATE event SET actor = 'regress_isms_author' WHERE org_id = :org AND event_no = :victim;
RESET session_replication_role;
SELECT valid, first_broken_event = :victim AS at_victim, replace(problem, :'victim', 'N') AS problem
  FROM verify_events(:org);
SET session_replication_role = replica;
UPDATE event SET actor = 'regress_isms_approver' WHERE org_id = :org AND event_no = :victim;
DELETE FROM event WHERE org_id = :org AND event_no = :victim + 5;
RESET session_replication_role;
SELECT valid, first_broken_event = :victim + 5 AS at_gap, replace(problem, (:victim + 5)::text, 'N') AS problem
  FROM verify_events(:org);

DROP OWNED BY regress_isms_author, regress_isms_approver, regress_isms_auditor;
DROP ROLE regress_isms_author, regress_isms_approver, regress_isms_auditor;
