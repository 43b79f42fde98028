-- bench/workloads/approve.sql -- pgbench script: approve one record in
-- review (written by alice; the connection acts as bob).  Each client walks
-- its own contiguous pool: record first + client_id * n + i.
-- Variables: first, n, i (start 0); client_id.
\set id :first + :client_id * :n + :i
SELECT isms.approve_record(:id);
\set i :i + 1
