-- The catalog is cached per backend: once warm, running a process reads
-- none of the catalog tables the rules consult (activities, inputs, outputs,
-- transitions); a change to the catalog invalidates the cache and the next
-- rule check reads it again.  (isms.process and isms.work_product are left
-- out of the count: the foreign keys of runs and records check them.)
\i test/lib/governance.sql
SET isms.actor = 'alice';
SELECT isms.create_organization('Cache Ltd') AS org \gset

-- reads: the tables only the rules consult; output_reads: isms.process_output,
-- which the test's own helper also reads (once per activity 1-4 of each run)
CREATE TEMP VIEW catalog_reads AS
SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0))
           FILTER (WHERE relname <> 'process_output') AS reads,
       sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0))
           FILTER (WHERE relname = 'process_output') AS output_reads
  FROM pg_stat_user_tables
 WHERE schemaname = 'isms'
   AND relname IN ('activity', 'process_input', 'activity_input', 'process_output',
                   'run_transition', 'step_transition', 'record_transition');

-- warm the cache with one governance run
SELECT pg_temp.publish(isms.new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS context;
SELECT pg_temp.governance(:org, 'Warm-up', NULL, false) IS NOT NULL AS warmed;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads AS before, output_reads AS output_before FROM catalog_reads \gset

-- two more runs, 60-odd rule checks: no catalog read
SELECT pg_temp.governance(:org, 'Steady ' || n, NULL, n = 2) IS NOT NULL AS done FROM generate_series(1, 2) n;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads - :before AS rule_catalog_reads, output_reads - :output_before AS helper_output_reads
  FROM catalog_reads;

-- a catalog change (tailoring) invalidates the cache: the next run reads the catalog again
RESET isms.actor;
SELECT isms.add_activity(:org, '6.2', 'Brief the works council', optional => true) AS new_activity;
SET isms.actor = 'alice';
SELECT reads AS before FROM catalog_reads \gset
SELECT isms.plan_run(:org, '6.2', 'After tailoring') AS run \gset
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT reads - :before > 0 AS catalog_read_again FROM catalog_reads;
SELECT count(*) AS steps FROM isms.step WHERE run_id = :run;
