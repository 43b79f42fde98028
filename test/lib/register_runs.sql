-- Test helper (included with \i, after test/lib/try.sql) for the register
-- tests (risk, register_reports, incident, nonconformity): publish a record (the caller
-- submits, the role named in the setting regress.approver approves), start
-- a run of a process with the latest approved record of every input, and
-- perform a whole run with every required output published (activities in
-- skip skipped with a reason).  Records of a register's work product are
-- created empty: the engine fills them with the snapshot.

CREATE FUNCTION pg_temp.publish(rec bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    writer text := current_user;
BEGIN
    PERFORM isms.submit_record(rec);
    EXECUTE format('SET ROLE %I', current_setting('regress.approver'));
    PERFORM isms.approve_record(rec);
    EXECUTE format('SET ROLE %I', writer);
    RETURN rec;
END
$$;
CREATE FUNCTION pg_temp.start(org bigint, code isms.clause, title text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, code, COALESCE(title, 'Run of ' || code));
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
END
$$;
-- Finish the steps of a started run from activity first on and complete it.
CREATE FUNCTION pg_temp.finish(org bigint, run bigint, first int DEFAULT 1, skip int[] DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    code isms.clause := (SELECT p.code FROM isms.run r JOIN isms.process p USING (process_id) WHERE r.run_id = run);
    a record;
BEGIN
    FOR a IN SELECT activity_no FROM isms.activity
              WHERE process_id = isms.process_id(org, code) AND (org_id IS NULL OR org_id = org)
                AND activity_no >= first ORDER BY activity_no LOOP
        IF a.activity_no = ANY (skip) THEN
            PERFORM isms.skip_step(run, a.activity_no, 'not needed in this run');
            CONTINUE;
        END IF;
        PERFORM isms.start_step(run, a.activity_no);
        PERFORM pg_temp.publish(isms.new_record(run, w.key, w.name,
                   CASE WHEN w.key IN (SELECT work_product FROM isms.register) THEN '{}'
                        ELSE jsonb_build_object('process', code::text) END))
           FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
          WHERE o.process_id = isms.process_id(org, code) AND o.activity_no = a.activity_no AND o.required
            AND (o.org_id IS NULL OR o.org_id = org);
        PERFORM isms.finish_step(run, a.activity_no);
    END LOOP;
    PERFORM isms.complete_run(run);
    RETURN run;
END
$$;
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, skip int[] DEFAULT '{}') RETURNS bigint
    LANGUAGE sql AS $$ SELECT pg_temp.finish(org, pg_temp.start(org, code), 1, skip) $$;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;
