-- Test helper of test/scripts/registers_tutorial.sh (run as the superuser):
-- the situation the register tutorial of docs/registers.md starts from.
-- Tutorial Ltd, founded by its risk lead (tut_lead, admin), with a CISO who
-- approves (tut_ciso, manager), the head of operations who owns risks
-- (tut_owner, contributor) and a dashboard (tut_reader, reader); its context,
-- governance (6.2), requirements (7.3) and a first, empty risk assessment
-- (7.4) done, each required output published; a risk assessment run (:ra,
-- 7.4) and a risk treatment run (:rt, 7.5) active.  Sets :org, :ra, :rt.
\set ON_ERROR_STOP on
\o /dev/null
CREATE ROLE tut_lead LOGIN IN ROLE isms_admin;
CREATE ROLE tut_ciso LOGIN IN ROLE isms_manager;
CREATE ROLE tut_owner LOGIN IN ROLE isms_contributor;
CREATE ROLE tut_reader LOGIN IN ROLE isms_reader;

-- The lead writes and submits, the CISO approves.
CREATE FUNCTION pg_temp.publish(rec bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM isms.submit_record(rec);
    SET ROLE tut_ciso;
    PERFORM isms.approve_record(rec);
    SET ROLE tut_lead;
    RETURN rec;
END $$;
CREATE FUNCTION pg_temp.start(org bigint, code isms.clause, title text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, code, title);
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
CREATE FUNCTION pg_temp.perform(org bigint, code isms.clause, skip int[] DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := pg_temp.start(org, code, 'First run of ' || code);
    r record;
BEGIN
    FOR r IN SELECT activity_no FROM isms.activity
              WHERE process_id = isms.process_id(org, code) AND (org_id IS NULL OR org_id = org) ORDER BY activity_no LOOP
        IF r.activity_no = ANY (skip) THEN
            PERFORM isms.skip_step(run, r.activity_no, 'first cycle');
            CONTINUE;
        END IF;
        PERFORM isms.start_step(run, r.activity_no);
        PERFORM pg_temp.publish(isms.new_record(run, w.key, w.name))
           FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
          WHERE o.process_id = isms.process_id(org, code) AND o.activity_no = r.activity_no AND o.required
            AND (o.org_id IS NULL OR o.org_id = org);
        PERFORM isms.finish_step(run, r.activity_no);
    END LOOP;
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;

SET ROLE tut_lead;
SELECT isms.create_organization('Tutorial Ltd') AS org \gset
SELECT isms.add_member(:org, 'tut_ciso', 'manager'), isms.add_member(:org, 'tut_owner', 'contributor'),
       isms.add_member(:org, 'tut_reader', 'reader');
SELECT pg_temp.publish(isms.new_external_record(:org, 'business_context', 'Strategy'));
SELECT pg_temp.perform(:org, '6.2', '{5}'), pg_temp.perform(:org, '7.3'), pg_temp.perform(:org, '7.4');
SELECT pg_temp.start(:org, '7.4', 'Risk assessment') AS ra \gset
SELECT pg_temp.start(:org, '7.5', 'Risk treatment') AS rt \gset
RESET ROLE;
\o
