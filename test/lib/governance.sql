-- Test helper (included with \i): a completed run of the governance process
-- 6.2 with its optional management review (activity 5) skipped, written by
-- 'alice' and approved by 'bob' through the isms.actor setting (the caller
-- must be a superuser or a member of isms_app).  Used by the capability test
-- and the ODBC client test.

-- Submit a record as alice and approve it as bob, or as carol when its work
-- product needs an approver independent of the audited work (bob approved
-- the audit's inputs).  The caller holds the designations approvals need.
CREATE FUNCTION pg_temp.publish(rec bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM isms.submit_record(rec);
    PERFORM set_config('isms.actor',
                       CASE WHEN (SELECT w.approval_independent FROM isms.record r JOIN isms.work_product w USING (work_product_id)
                                   WHERE r.record_id = rec) THEN 'carol' ELSE 'bob' END, false);
    PERFORM isms.approve_record(rec);
    PERFORM set_config('isms.actor', 'alice', false);
    RETURN rec;
END $$;

-- The run, with every required output of activities 1-4 published; with_draft
-- adds a context analysis left in draft.  Needs an approved business context.
CREATE FUNCTION pg_temp.governance(org bigint, title text, due date, with_draft boolean) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, '6.2', title, 'alice', CURRENT_DATE, due);
    context bigint;
    act integer;
    wp text;
BEGIN
    -- the input is looked up before the call, not in its argument: on Citus
    -- a query on one organisation's shards runs on the worker with every
    -- function it calls (docs/guide.md, Scaling out)
    SELECT max(record_id) INTO context FROM isms.record
     WHERE org_id = org AND state = 'approved'
       AND work_product_id = isms.work_product_id(org, 'business_context');
    PERFORM isms.add_input(run, context);
    PERFORM isms.start_run(run);
    FOR act IN 1..4 LOOP
        PERFORM isms.start_step(run, act);
        FOR wp IN SELECT w.key FROM isms.process_output po JOIN isms.work_product w USING (work_product_id)
                   WHERE po.process_id = isms.process_id(org, '6.2') AND po.activity_no = act
                     AND (po.org_id IS NULL OR po.org_id = org) LOOP
            PERFORM pg_temp.publish(isms.new_record(run, wp, wp));
        END LOOP;
        PERFORM isms.finish_step(run, act);
    END LOOP;
    IF with_draft THEN
        PERFORM isms.new_record(run, 'context_analysis', 'Context, second thoughts');
    END IF;
    PERFORM isms.skip_step(run, 5, 'no review this time');
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;
