-- bench/workloads/finish_step.sql -- pgbench script: finish the active
-- first step of one incident run.  Each client walks its own contiguous
-- pool: run first + client_id * n + i.
-- Variables: first, n, i (start 0); client_id.
\set id :first + :client_id * :n + :i
SELECT isms.finish_step(:id, 1);
\set i :i + 1
