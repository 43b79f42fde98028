-- bench/workloads/external_insert.sql -- pgbench script: record one
-- reported security event (an external record, created as a draft) as the
-- application user alice.
-- Variables: orgbase; client_id.
\set org :orgbase + :client_id
\set n random(1, 1000000000)
SELECT isms.new_external_record(:org, 'security_event', 'Event ' || :n, '{"source": "siem", "severity": "low"}');
