-- Test helper (included with \i, after test/lib/governance.sql): rows in the
-- risk and SoA registers of an organisation whose governance run (6.2) is
-- completed, so that the register reports (200_register_reports.sql) have
-- rows for the client tests.  As the superuser naming actors in isms.actor
-- (alice writes, bob approves, pg_temp.publish); the superuser, a member of
-- the organisation (a contributor, added here when it is not one), owns the risk.  Runs 7.3 and 7.4 are completed with
-- every required output published; a 7.4 run sets the criteria (3 x 3,
-- appetite 3) and rates a risk (level 9), a 7.5 run starts the SoA and plans
-- the treatment (residual 2); both stay active.  An incident is reported
-- and triaged under GDPR in a 7.9 run (a deadline) after a completed 7.9
-- run, whose lessons learned start a 7.13 run that records a complaint
-- whose corrective action is overdue.  7.2 is performed (the superuser,
-- designated top management, approves the policy); an asset due for
-- review, an objective measured in a 7.12 run and a course completed in a
-- 7.8 run fill the support registers' reports.

-- Plan and start a run of code with the latest approved record of every input.
CREATE FUNCTION pg_temp.start_with_inputs(org bigint, code isms.clause) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, code, 'Run of ' || code, 'alice', CURRENT_DATE, CURRENT_DATE + 30);
    r record;
BEGIN
    FOR r IN SELECT DISTINCT ON (rec.work_product_id) rec.record_id
               FROM isms.process_input i
               JOIN isms.record rec ON rec.org_id = org AND rec.work_product_id = i.work_product_id
              WHERE i.process_id = isms.process_id(org, code) AND rec.state = 'approved'
              ORDER BY rec.work_product_id, rec.record_id DESC
    LOOP
        PERFORM isms.add_input(run, r.record_id);
    END LOOP;
    PERFORM isms.start_run(run);
    RETURN run;
END $$;

-- A completed run of code: every activity done, every required output published.
CREATE FUNCTION pg_temp.perform_run(org bigint, code isms.clause) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := pg_temp.start_with_inputs(org, code);
    a record;
BEGIN
    -- risk treatment justifies every Annex A control (the SoA record is approved)
    IF code::text = '7.5' THEN
        PERFORM isms.soa_init(run);
        UPDATE isms.soa SET justification = 'Baseline control', run_id = run
         WHERE org_id = org AND justification = isms.soa_placeholder();
    END IF;
    FOR a IN SELECT activity_no FROM isms.activity
              WHERE process_id = isms.process_id(org, code) AND (org_id IS NULL OR org_id = org)
              ORDER BY activity_no LOOP
        PERFORM isms.start_step(run, a.activity_no);
        PERFORM pg_temp.publish(isms.new_record(run, w.key, w.name))
           FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
          WHERE o.process_id = isms.process_id(org, code) AND o.activity_no = a.activity_no AND o.required
            AND (o.org_id IS NULL OR o.org_id = org);
        PERFORM isms.finish_step(run, a.activity_no);
    END LOOP;
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;

CREATE FUNCTION pg_temp.registers(org bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    ra bigint;
    rt bigint;
    risk bigint;
    ir bigint;
    inc bigint;
    ca bigint;
    nc bigint;
    obj bigint;
    aw bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM isms.membership m WHERE m.org_id = org AND m.member_oid = current_user::regrole) THEN
        PERFORM isms.add_member(org, current_user, 'contributor');
    END IF;
    PERFORM pg_temp.perform_run(org, '7.3');
    PERFORM pg_temp.perform_run(org, '7.4');
    ra := pg_temp.start_with_inputs(org, '7.4');
    rt := pg_temp.start_with_inputs(org, '7.5');
    PERFORM isms.set_risk_criteria(ra, '{low,medium,high}', '{minor,major,severe}', 3);
    risk := isms.add_risk(ra, 'Stolen administrator credentials', current_user::regrole);
    PERFORM isms.assess_risk(ra, risk, 3, 3);
    PERFORM isms.evaluate_risk(ra, risk);
    PERFORM isms.soa_init(rt);
    PERFORM isms.soa_set(rt, 'A.8.5', true, 'Treats the stolen credentials risk', 'planned');
    PERFORM isms.plan_treatment(rt, risk, 'modify', '{A.8.5}', 1, 2);
    PERFORM pg_temp.publish(isms.new_external_record(org, 'security_event', 'Alert'));
    PERFORM pg_temp.perform_run(org, '7.9');
    ir := pg_temp.start_with_inputs(org, '7.9');
    inc := isms.report_incident(org, 'Phishing mail opened', NULL, now() - interval '48 hours', 'phishing', true);
    PERFORM isms.triage_incident(ir, inc, 'high', 'gdpr');
    ca := pg_temp.start_with_inputs(org, '7.13');
    nc := isms.raise_nonconformity(ca, 'Late answer to a customer', 'complaint', '7.4');
    PERFORM isms.analyse_nonconformity(ca, nc, 'Answered', 'No deputy for the mailbox');
    PERFORM isms.plan_corrective_action(ca, nc, 'Name a deputy', CURRENT_DATE - 5);
    -- the support registers: an asset and a supplier due for review, an
    -- objective measured, a course with a completion (230, 235)
    PERFORM isms.designate(org, current_user, 'top_management');
    PERFORM pg_temp.perform_run(org, '7.2');
    INSERT INTO isms.asset (org_id, run_id, name, owner, last_reviewed)
    VALUES (org, ra, 'Customer database', current_user::regrole, CURRENT_DATE - 400);
    obj := isms.add_objective(pg_temp.start_with_inputs(org, '6.2'), 'Staff trained', 95, '%');
    PERFORM isms.measure(pg_temp.start_with_inputs(org, '7.12'), obj, date_trunc('year', CURRENT_DATE)::date, 97);
    aw := pg_temp.start_with_inputs(org, '7.8');
    PERFORM isms.complete_training(aw, isms.add_course(aw, 'Security awareness'), current_user::regrole, CURRENT_DATE);
    RETURN risk;
END $$;
