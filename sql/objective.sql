-- Objectives and their measurements (issue 16, item 4;
-- 235_objective_training.sql, src/objective.c): objectives set in 6.2 or
-- 7.12, measured in 7.12 runs (IS029), one value per period of the
-- objective, not before the period begins and not for a retired objective
-- (IS042), the target in force and the on-target flag recorded by the
-- engine, and "are we on target" in one SELECT (isms_report.objective_status);
-- as tenant roles.
\i test/lib/try.sql
\i test/lib/support.sql
SET search_path = isms, public;

CREATE ROLE regress_obj_lead LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_obj_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_obj_other LOGIN IN ROLE isms_admin;
SELECT pg_temp.name('organization', create_organization('Objective Ltd'), 'org') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Objective Ltd', 'regress_obj_other'), 'other') AS other \gset
SELECT add_member(:org, 'regress_obj_lead', 'contributor'), add_member(:org, 'regress_obj_reader', 'reader');
SELECT pg_temp.support_org(:org) = :org AS ready;
SELECT pg_temp.name('run', pg_temp.start_with_inputs(:org, '6.2'), 'gov') AS gov,
       pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.12'), 'perf') AS perf \gset
RESET isms.actor;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;

-- Objectives: set in 6.2 (or 7.12), with target, unit, direction and period.
SET ROLE regress_obj_lead;
SELECT pg_temp.name('objective', add_objective(:gov, 'Staff trained', 95, '%'), 'trained') AS trained,
       pg_temp.name('objective', add_objective(:perf, 'Critical vulnerabilities open over 14 days', 0, 'count',
                                               'at_most', 'month'), 'vulns') AS vulns,
       pg_temp.name('objective', add_objective(:gov, 'Certification', 1, 'certificate', period => 'year'), 'cert') AS cert \gset
SELECT title, target, unit, direction, period, owner, state FROM objective WHERE org_id = :org ORDER BY objective_id;
SELECT count(pg_temp.name('measurement', id, n)) FROM (VALUES (:trained, 'trained'), (:vulns, 'vulns'), (:cert, 'cert')) AS x (id, n);

-- Measurements: in 7.12 runs only (IS029), one per period of the objective.
SELECT measure(:perf, :trained, '2024-01-01', 97) AS q1, measure(:perf, :trained, '2024-04-01', 90) AS q2,
       measure(:perf, :vulns, '2024-05-01', 2) AS may, measure(:perf, :vulns, '2024-06-01', 0) AS june;
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :gov, :cert, '2024-01-01'));
-- IS042: the first day of a period of the objective, not a period to come
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 96)', :perf, :trained, '2024-02-01'));
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :perf, :vulns, '2024-06-15'));
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :perf, :cert, '2024-07-01'));
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :perf, :cert, '2999-01-01'));
-- in an import of past work, a period to come is one after the import's business date
RESET ROLE;
SELECT isms.designate(:org, current_user, 'history_importer') IS NOT NULL AS importer;
BEGIN;
SELECT isms.begin_import(:org, 'objectives.csv') > 0 AS importing;
SELECT isms.import_at('2024-06-01 09:00+00') IS NOT NULL AS at;
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :perf, :vulns, '2024-07-01'));
ROLLBACK;
SET ROLE regress_obj_lead;
-- a correction of a period replaces its value; target and on_target are the engine's
SELECT measure(:perf, :trained, '2024-04-01', 96, 'late completions counted') AS q2_corrected;
SELECT pg_temp.try(format('UPDATE measurement SET on_target = false WHERE objective_id = %s', :trained));
RESET ROLE;
INSERT INTO measurement (org_id, objective_id, period_start, run_id, value, target, on_target)
VALUES (:org, :cert, '2024-01-01', :perf, 0, 0, true);
SET ROLE regress_obj_lead;
-- a new target counts for the values measured from now on
UPDATE objective SET run_id = :perf, target = 98 WHERE objective_id = :trained;
SELECT measure(:perf, :trained, '2024-07-01', 97) AS q3;
SELECT o.title, m.period_start, m.value, m.target, m.on_target, m.note
  FROM measurement m JOIN objective o USING (org_id, objective_id)
 WHERE m.org_id = :org ORDER BY m.objective_id, m.period_start;

-- A retired objective is no longer measured (IS042); retiring needs a reason (IS021).
SELECT pg_temp.try(format('UPDATE objective SET run_id = %s, state = %L WHERE objective_id = %s', :gov, 'retired', :cert));
UPDATE objective SET run_id = :gov, state = 'retired', state_reason = 'certified; replaced by surveillance audits'
 WHERE objective_id = :cert;
SELECT pg_temp.try(format('SELECT measure(%s, %s, %L, 1)', :perf, :cert, '2025-01-01'));

-- Are we on target?  And which objectives are off target?
SELECT title, target, unit, direction, period, latest_period, latest_value, on_target, periods_measured, periods_on_target
  FROM isms_report.objective_status ORDER BY objective_id;
SELECT title, latest_value, target, unit FROM isms_report.objective_status WHERE NOT on_target;
SET ROLE regress_obj_reader;
SELECT count(*) AS objectives, count(*) FILTER (WHERE on_target) AS on_target FROM isms_report.objective_status;
SET ROLE regress_obj_other;
SELECT count(*) AS objectives FROM isms_report.objective_status;
RESET ROLE;

-- Every change is an event.
SELECT object_type, action, count(*) FROM event
 WHERE org_id = :org AND object_type IN ('objective', 'measurement')
 GROUP BY object_type, action ORDER BY object_type, action;

-- The superuser leaves the organisation (later tests count what it sees).
SELECT pg_temp.leave(:org);
DROP OWNED BY regress_obj_lead, regress_obj_reader, regress_obj_other;
DROP ROLE regress_obj_lead, regress_obj_reader, regress_obj_other;
