-- test/crash/lifecycle.sql -- pgbench script for test/scripts/crash.sh:
-- one transaction = one whole incident (7.9) run of a random organisation:
-- an approved security_event input, steps 1-5 (4 skipped), incident_record
-- and lessons_learned written by alice and approved by bob, run completed;
-- one in four is left open after step 2.  See test/lib/scenario.sh.
\set org random(1, :orgs)
\set open random(1, 4)
SELECT isms_scenario.incident(:org, 'pgbench ' || :client_id, :open <> 1);
