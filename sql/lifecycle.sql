-- One lifecycle mechanism: the states and transitions of runs, steps and
-- records are catalog rows, the kinds' rules are guards the transitions
-- name, and the engine follows the catalog (a transition removed is
-- refused, a guard removed is not checked, a state the enum lacks is
-- refused); the 0.1.0 transition tables are read-only views of it.
\i test/lib/try.sql
SET search_path = isms, public;
SET isms.actor = 'alice';

-- The catalog: kinds, states, transitions and their guards.
SELECT kind, relation, state_column FROM lifecycle_kind ORDER BY kind;
SELECT kind, string_agg(state || CASE WHEN initial THEN ' (initial)' WHEN final THEN ' (final)' ELSE '' END,
                        ', ' ORDER BY ordinal) AS states
  FROM lifecycle_state GROUP BY kind ORDER BY kind;
SELECT t.kind, t.from_state, t.to_state, t.action, t.guards
  FROM lifecycle_transition t
  JOIN lifecycle_state f ON f.kind = t.kind AND f.state = t.from_state
  JOIN lifecycle_state s ON s.kind = t.kind AND s.state = t.to_state
 ORDER BY t.kind, f.ordinal, s.ordinal;

-- The 0.1.0 tables show the same transitions, typed, and are read-only.
SELECT (SELECT count(*) FROM run_transition) AS run, (SELECT count(*) FROM step_transition) AS step,
       (SELECT count(*) FROM record_transition) AS record;
SELECT pg_typeof(from_state) AS from_type, pg_typeof(to_state) AS to_type FROM run_transition LIMIT 1;
SELECT pg_temp.try($$INSERT INTO isms.run_transition VALUES ('completed', 'active', 'reopen')$$);

-- A guard must exist for its kind (42883), on INSERT and UPDATE; a
-- required designation must be one of isms.designation_kind (23503; the
-- engine checks it: sql/authority.sql).
SELECT pg_temp.try($$INSERT INTO isms.lifecycle_transition VALUES ('run', 'completed', 'active', 'reopen', '{no_such_guard}')$$);
SELECT pg_temp.try($$UPDATE isms.lifecycle_transition SET guards = '{order}' WHERE kind = 'run' AND to_state = 'completed'$$);
SELECT pg_temp.try($$UPDATE isms.lifecycle_transition SET required_designation = 'chief_wizard' WHERE kind = 'record' AND to_state = 'approved'$$);

-- A run in the middle of its life.
SELECT pg_temp.name('organization', create_organization('Lifecycle Ltd'), 'org') AS org \gset
SELECT pg_temp.name('record', new_external_record(:org, 'security_event', 'Lost badge'), 'event') AS ev \gset
SELECT submit_record(:ev);
SET isms.actor = 'bob';
SELECT approve_record(:ev);
SET isms.actor = 'alice';
SELECT pg_temp.name('run', plan_run(:org, '7.9', 'Lost badge'), 'incident') AS run \gset
SELECT add_input(:run, :ev);
SELECT start_run(:run);

-- A transition removed from the catalog is refused, with the catalog's
-- remaining targets as detail; back after the rollback.
BEGIN;
DELETE FROM lifecycle_transition WHERE kind = 'run' AND from_state = 'active' AND to_state = 'suspended';
SELECT pg_temp.try(format('SELECT isms.suspend_run(%s, %L)', :run, 'waiting for the badge log'));
ROLLBACK;
SELECT pg_temp.try(format('SELECT isms.suspend_run(%s, %L)', :run, 'waiting for the badge log'));
SELECT resume_run(:run);

-- A guard removed from a transition is not run: without skip_reason, a
-- step is skipped without a reason.
SELECT start_step(:run, 1);
SELECT finish_step(:run, 1);
SELECT start_step(:run, 2);
SELECT finish_step(:run, 2);
SELECT start_step(:run, 3);
SELECT finish_step(:run, 3);
SELECT pg_temp.try(format('UPDATE isms.step SET state = %L WHERE run_id = %s AND activity_no = 4', 'skipped', :run));
BEGIN;
UPDATE lifecycle_transition SET guards = array_remove(guards, 'skip_reason') WHERE kind = 'step';
SELECT pg_temp.try(format('UPDATE isms.step SET state = %L WHERE run_id = %s AND activity_no = 4', 'skipped', :run));
SELECT state, skip_reason FROM step WHERE run_id = :run AND activity_no = 4;
ROLLBACK;

-- Guards run in the order the catalog names them: with skip_reason first, a
-- skip out of order and without a reason is refused for the reason, not
-- the order.
BEGIN;
UPDATE lifecycle_transition SET guards = '{skip_reason,order,optional}'
 WHERE kind = 'step' AND from_state = 'pending' AND to_state = 'skipped';
SELECT pg_temp.try(format('UPDATE isms.step SET state = %L WHERE run_id = %s AND activity_no = 5', 'skipped', :run));
ROLLBACK;
SELECT pg_temp.try(format('UPDATE isms.step SET state = %L WHERE run_id = %s AND activity_no = 5', 'skipped', :run));

-- A state the state column's enum does not have is refused when the
-- lifecycles are read (42P17).
BEGIN;
INSERT INTO lifecycle_state VALUES ('run', 'archived', 6, false, true);
SELECT pg_temp.try(format('SELECT isms.cancel_run(%s, %L)', :run, 'duplicate'));
ROLLBACK;
SELECT pg_temp.try(format('SELECT isms.cancel_run(%s, %L)', :run, 'duplicate'));
SELECT action, old_state, new_state, detail->>'reason' AS reason FROM event
 WHERE org_id = :org AND object_type = 'run' AND action <> 'add_input' ORDER BY event_no;
