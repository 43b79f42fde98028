-- The catalog is cached per backend: once warm, running a process reads
-- none of the catalog tables the rules consult (activities, inputs, outputs,
-- transitions); a change to the catalog invalidates the cache and the next
-- rule check reads it again.  (isms.process and isms.work_product are left
-- out of the count: the foreign keys of runs and records check them.)
\i test/lib/governance.sql
SET isms.actor = 'alice';
SELECT isms.create_organization('Cache Ltd') AS org \gset

CREATE TEMP VIEW catalog_reads AS
SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)) AS reads
  FROM pg_stat_user_tables
 WHERE schemaname = 'isms'
   AND relname IN ('activity', 'process_input', 'activity_input', 'process_output',
                   'lifecycle_kind', 'lifecycle_state', 'lifecycle_transition');

-- A complete incident run (7.9) through the API alone: 5 steps, 2 outputs,
-- about 30 rule checks, and no catalog query of its own.
CREATE FUNCTION pg_temp.incident(org bigint, title text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint := isms.plan_run(org, '7.9', title);
BEGIN
    PERFORM isms.add_input(run, pg_temp.publish(isms.new_external_record(org, 'security_event', title)));
    PERFORM isms.start_run(run);
    PERFORM isms.start_step(run, 1);
    PERFORM isms.finish_step(run, 1);
    PERFORM isms.start_step(run, 2);
    PERFORM pg_temp.publish(isms.new_record(run, 'incident_record', title));
    PERFORM isms.finish_step(run, 2);
    PERFORM isms.start_step(run, 3);
    PERFORM isms.finish_step(run, 3);
    PERFORM isms.skip_step(run, 4, 'no evidence to collect');
    PERFORM isms.start_step(run, 5);
    PERFORM pg_temp.publish(isms.new_record(run, 'lessons_learned', title));
    PERFORM isms.finish_step(run, 5);
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;

-- warm the cache with one run
SELECT pg_temp.incident(:org, 'Warm-up') IS NOT NULL AS warmed;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads AS before FROM catalog_reads \gset

-- three more runs: no catalog read
SELECT count(pg_temp.incident(:org, 'Incident ' || n)) AS runs FROM generate_series(1, 3) n;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads - :before AS catalog_reads_in_steady_state FROM catalog_reads;

-- a catalog change (tailoring) invalidates the cache: the next run reads the catalog again
RESET isms.actor;
SELECT isms.add_activity(:org, '7.9', 'Brief the works council', optional => true) AS new_activity;
SET isms.actor = 'alice';
SELECT reads AS before FROM catalog_reads \gset
SELECT isms.plan_run(:org, '7.9', 'After tailoring') AS run \gset
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads - :before > 0 AS catalog_read_again FROM catalog_reads;
SELECT count(*) AS steps FROM isms.step WHERE run_id = :run;

-- Invalidation names the organisation that changed (issue 14).  Three
-- organisations of one admin, each warm: B has not tailored (it uses the
-- PRM's models, shared), C has tailored 7.9 too.  Whatever A changes
-- (tailoring, an exclusion, a member, a tailoring row deleted), B and C
-- read nothing of the catalog or of the memberships again; A does.  The
-- reads are this backend's, in one transaction that follows a forced flush
-- of its statistics (pg_stat_xact_user_tables then counts only them).
\i test/lib/try.sql
CREATE ROLE regress_cache_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_cache_reader LOGIN IN ROLE isms_reader;
GRANT EXECUTE ON FUNCTION pg_stat_force_next_flush() TO regress_cache_admin;
SELECT pg_temp.name('organization', isms.create_organization('Cache A', 'regress_cache_admin'), 'A') AS a \gset
SELECT isms.create_organization('Cache B', 'regress_cache_admin') AS b \gset
SELECT isms.create_organization('Cache C', 'regress_cache_admin') AS c \gset
SELECT isms.add_activity(:c, '7.9', 'Inform the insurer') AS c_activity;
CREATE FUNCTION pg_temp.read_catalog() RETURNS boolean
    LANGUAGE sql AS $$
    SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) > 0
      FROM pg_stat_xact_user_tables
     WHERE schemaname = 'isms'
       AND relname IN ('activity', 'process_input', 'activity_input', 'process_output', 'process_exclusion',
                       'membership', 'run_transition', 'step_transition', 'record_transition')
$$;
-- what = 'run': the steps of a new run of 7.9 (or the SQLSTATE); 'role': member_role
CREATE FUNCTION pg_temp.look(org bigint, what text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    run bigint;
BEGIN
    IF what = 'role' THEN
        RETURN isms.member_role(org);
    END IF;
    run := isms.plan_run(org, '7.9', 'Cache');
    RETURN (SELECT count(*) FROM isms.step WHERE run_id = run);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
-- B and C, whether that read the catalog, then A, and whether that did
CREATE FUNCTION pg_temp.after_change(a bigint, b bigint, c bigint, what text,
                                     OUT b_is text, OUT c_is text, OUT b_c_read boolean,
                                     OUT a_is text, OUT a_read boolean)
    LANGUAGE plpgsql AS $$
BEGIN
    b_is := pg_temp.look(b, what);
    c_is := pg_temp.look(c, what);
    b_c_read := pg_temp.read_catalog();
    a_is := pg_temp.look(a, what);
    a_read := pg_temp.read_catalog();
END $$;
RESET isms.actor;
SET ROLE regress_cache_admin;
SELECT count(isms.plan_run(o, '7.9', 'Warm-up')) AS warmed FROM unnest(ARRAY[:a, :b, :c]) o;

SELECT isms.add_activity(:a, '7.9', 'Call the regulator') AS a_activity;
SELECT pg_stat_force_next_flush() \gset
SELECT * FROM pg_temp.after_change(:a, :b, :c, 'run');

SELECT isms.exclude_process(:a, '7.9', 'Incidents are handled by the parent company');
SELECT pg_stat_force_next_flush() \gset
SELECT * FROM pg_temp.after_change(:a, :b, :c, 'run');
SELECT isms.include_process(:a, '7.9');

SELECT isms.add_member(:a, 'regress_cache_reader', 'reader');
SELECT pg_stat_force_next_flush() \gset
SELECT * FROM pg_temp.after_change(:a, :b, :c, 'role');

RESET ROLE;
DELETE FROM isms.activity WHERE org_id = :a;
SET ROLE regress_cache_admin;
SELECT pg_stat_force_next_flush() \gset
SELECT * FROM pg_temp.after_change(:a, :b, :c, 'run');

-- A change of the PRM itself (here a no-op ALTER of isms.process) still drops
-- every organisation's entries.
RESET ROLE;
ALTER TABLE isms.process ALTER COLUMN name SET STATISTICS -1;
SET ROLE regress_cache_admin;
SELECT pg_stat_force_next_flush() \gset
SELECT * FROM pg_temp.after_change(:a, :b, :c, 'run');
RESET ROLE;

-- An organisation whose only tailoring is a work product of its own: a
-- record of it inserted directly, first thing after the whole cache was
-- dropped, finds the work product by id in the organisation's scope.
SELECT isms.create_organization('Cache D', 'regress_cache_admin') AS d \gset
SELECT isms.add_work_product(:d, 'insurer_notice', 'Notice to the insurer', 'record', 'external') AS d_wp \gset
ALTER TABLE isms.process ALTER COLUMN name SET STATISTICS -1;
SET ROLE regress_cache_admin;
INSERT INTO isms.record (org_id, work_product_id, title) VALUES (:d, :d_wp, 'Notice');
SELECT w.key, r.state FROM isms.record r JOIN isms.work_product w USING (work_product_id) WHERE r.org_id = :d;
RESET ROLE;

-- Leave no role behind (the mutation test runs every file again).
SET session_replication_role = replica;
DELETE FROM isms.membership WHERE member_oid IN ('regress_cache_admin'::regrole, 'regress_cache_reader'::regrole);
RESET session_replication_role;
REVOKE EXECUTE ON FUNCTION pg_stat_force_next_flush() FROM regress_cache_admin;
DROP ROLE regress_cache_admin, regress_cache_reader;
