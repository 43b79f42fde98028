-- run_dates.sql -- a run is never due before its planned start (IS047):
-- refused by the engine with both dates, a DETAIL and a HINT, through
-- isms.plan_run and through plain DML, on INSERT and on UPDATE.  The dates
-- are fixed and far from today, so the output is the same on any day.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_isms_dates LOGIN IN ROLE isms_manager;
SELECT pg_temp.name('organization', create_organization('Dates Ltd', 'regress_isms_dates'), 'dates') AS org \gset
SET ROLE regress_isms_dates;

-- due before planned_start: refused, through the API and through INSERT
SELECT pg_temp.try(format($$SELECT isms.plan_run(%s, '6.2', 'Governance', planned_start => '2031-02-10', due => '2031-02-01')$$, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.run (org_id, process_id, title, planned_start, due)
                            SELECT %s, process_id, 'Governance', '2031-02-10', '2031-02-01'
                              FROM isms.process WHERE code = '6.2' AND org_id IS NULL$$, :org));
-- the README's old example after its day: a past due date, planned_start defaulting to today
SELECT pg_temp.try(format($$SELECT isms.plan_run(%s, '6.2', 'Governance', due => CURRENT_DATE - 1)$$, :org));
-- due on the planned start, or no due date: accepted
SELECT pg_temp.name('run', plan_run(:org, '6.2', 'Governance', planned_start => '2031-02-10', due => '2031-02-10'), 'plan') AS run \gset
SELECT planned_start = due AS same_day FROM run WHERE run_id = :run;
SELECT pg_temp.try(format($$SELECT isms.plan_run(%s, '6.2', 'Open ended', planned_start => '2031-02-10')$$, :org));
-- moving the due date before the start, or the start after the due date: refused
SELECT pg_temp.try(format($$UPDATE isms.run SET due = '2031-01-31' WHERE run_id = %s$$, :run));
SELECT pg_temp.try(format($$UPDATE isms.run SET planned_start = '2031-03-01' WHERE run_id = %s$$, :run));
-- moving both together: accepted
SELECT pg_temp.try(format($$UPDATE isms.run SET planned_start = '2031-03-01', due = '2031-03-31' WHERE run_id = %s$$, :run));
SELECT planned_start < due AS replanned FROM run WHERE run_id = :run;

RESET ROLE;
DROP ROLE regress_isms_dates;
