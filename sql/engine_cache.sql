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
