# test/lib/scenario.sh -- realistic organisation histories for script tests
# (crash, dump/restore) and anyone else who needs a database with content.
#
#   . "$ISMS_BUILD/test/lib/scenario.sh"
#   isms_scenario_install [psql args...]   # creates schema isms_scenario
#   psql -c "SELECT isms_scenario.fill('Acme', 3)"
#
# The functions run as a superuser and name the acting user through the
# isms.actor setting (rule 7 of the engine), so the author and the approver
# of each record differ (segregation of duties) without any login roles.
#
#   isms_scenario.act(who)              set isms.actor for the transaction
#   isms_scenario.approved_external(org, work_product, title) -> record
#       an external record, created by alice, approved by bob
#   isms_scenario.approve_output(run, work_product, title) -> record
#       an output of an active run, created by alice, approved by bob
#   isms_scenario.incident(org, title) -> run
#       one complete run of 7.9: security_event input, steps 1-5 (4 skipped),
#       incident_record and lessons_learned approved, run completed
#   isms_scenario.fill(name, runs) -> org
#       a new organisation with `runs` completed incident runs, one more
#       run left active, a document with three versions (v1 superseded,
#       v2 approved, v3 in review), a withdrawn record and a cancelled run
#
# Shell helpers:
#   isms_scenario_check [psql args...]   the engine's invariants over the
#       whole database; prints each violated one and fails if any
#   isms_extra_cluster_start DIR [postgres -c settings...]
#   isms_extra_cluster_stop DIR [mode]
#       a second cluster (postgres user, $ISMS_BIN, loopback, free port)
#       beside the runner's; the start prints its port.  Needs
#       isms_pg_start from test/lib/cluster.sh.

isms_scenario_install() {
	psql -qX -v ON_ERROR_STOP=1 "$@" <<'SQL'
CREATE SCHEMA IF NOT EXISTS isms_scenario;

CREATE OR REPLACE FUNCTION isms_scenario.act(who text) RETURNS void
    LANGUAGE sql AS $$ SELECT set_config('isms.actor', who, true) $$;

CREATE OR REPLACE FUNCTION isms_scenario.approved_external(org bigint, wp text, title text)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    rec bigint;
BEGIN
    PERFORM isms_scenario.act('alice');
    rec := isms.new_external_record(org, wp, title, jsonb_build_object('text', title));
    PERFORM isms.submit_record(rec);
    PERFORM isms_scenario.act('bob');
    PERFORM isms.approve_record(rec);
    RETURN rec;
END $$;

CREATE OR REPLACE FUNCTION isms_scenario.approve_output(run bigint, wp text, title text)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    rec bigint;
BEGIN
    PERFORM isms_scenario.act('alice');
    rec := isms.new_record(run, wp, title, jsonb_build_object('text', title),
                           'https://evidence.example/' || wp, encode(sha256(title::bytea), 'hex'));
    PERFORM isms.submit_record(rec);
    PERFORM isms_scenario.act('bob');
    PERFORM isms.approve_record(rec);
    RETURN rec;
END $$;

CREATE OR REPLACE FUNCTION isms_scenario.incident(org bigint, title text, complete boolean DEFAULT true)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    ev bigint := isms_scenario.approved_external(org, 'security_event', title || ': event');
    run bigint;
BEGIN
    PERFORM isms_scenario.act('carol');
    run := isms.plan_run(org, '7.9', title);
    PERFORM isms.add_input(run, ev);
    PERFORM isms.start_run(run);
    PERFORM isms.start_step(run, 1);
    PERFORM isms.finish_step(run, 1);
    PERFORM isms.start_step(run, 2);
    PERFORM isms_scenario.approve_output(run, 'incident_record', title || ': incident');
    PERFORM isms_scenario.act('carol');
    PERFORM isms.finish_step(run, 2);
    IF NOT complete THEN
        RETURN run;
    END IF;
    PERFORM isms.start_step(run, 3);
    PERFORM isms.finish_step(run, 3);
    PERFORM isms.skip_step(run, 4, 'no forensic evidence needed');
    PERFORM isms.start_step(run, 5);
    PERFORM isms_scenario.approve_output(run, 'lessons_learned', title || ': lessons');
    PERFORM isms_scenario.act('carol');
    PERFORM isms.finish_step(run, 5);
    PERFORM isms.complete_run(run);
    RETURN run;
END $$;

-- A new organisation with some history: completed and open runs, a
-- document with versions (v1 superseded by v2, v3 in review), a withdrawn
-- record and a cancelled run.
CREATE OR REPLACE FUNCTION isms_scenario.fill(name text, runs integer)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    org bigint := isms.create_organization(name);
    ctx bigint;
    v bigint;
    run bigint;
BEGIN
    FOR i IN 1..runs LOOP
        PERFORM isms_scenario.incident(org, name || ' incident ' || i);
    END LOOP;
    PERFORM isms_scenario.incident(org, name || ' open incident', false);
    ctx := isms_scenario.approved_external(org, 'business_context', name || ' context');
    PERFORM isms_scenario.act('alice');
    v := isms.new_version(ctx);
    PERFORM isms.submit_record(v);
    PERFORM isms_scenario.act('bob');
    PERFORM isms.approve_record(v);
    PERFORM isms_scenario.act('alice');
    PERFORM isms.submit_record(isms.new_version(v));
    PERFORM isms.withdraw_record(isms_scenario.approved_external(org, 'legal_obligation', name || ' law'),
                                 'repealed');
    run := isms.plan_run(org, '6.2', name || ' governance');
    PERFORM isms.add_input(run, v);
    PERFORM isms.cancel_run(run, 'postponed');
    RETURN org;
END $$;
SQL
}

# The invariants every database of the engine must satisfy, whatever
# happened to it (crash, restore): one row per violated invariant.
isms_scenario_check() {
	local bad
	bad=$(psql -XAtq -v ON_ERROR_STOP=1 "$@" <<'SQL'
SELECT check_name || ': ' || n FROM (
  SELECT 'organisations whose event chain does not verify' AS check_name, count(*) AS n
    FROM isms.organization o CROSS JOIN LATERAL isms.verify_events(o.org_id) v WHERE NOT v.valid
  UNION ALL
  SELECT 'completed runs with a step not done or skipped', count(*)
    FROM isms.run r JOIN isms.step s USING (org_id, run_id)
   WHERE r.state = 'completed' AND s.state NOT IN ('done', 'skipped')
  UNION ALL
  SELECT 'completed runs without an approved record of a required output', count(*)
    FROM isms.run r JOIN isms.process_output po ON po.process_id = r.process_id
         AND (po.org_id IS NULL OR po.org_id = r.org_id) AND po.required
   WHERE r.state = 'completed'
     AND NOT EXISTS (SELECT FROM isms.step s WHERE s.org_id = r.org_id AND s.run_id = r.run_id
                        AND s.activity_no = po.activity_no AND s.state = 'skipped')
     AND NOT EXISTS (SELECT FROM isms.run_record l JOIN isms.record rec USING (org_id, record_id)
                      WHERE l.org_id = r.org_id AND l.run_id = r.run_id AND l.role <> 'input'
                        AND rec.work_product_id = po.work_product_id
                        AND rec.state IN ('approved', 'superseded', 'withdrawn'))
  UNION ALL
  SELECT 'approved records without an approval event', count(*)
    FROM isms.record rec
   WHERE rec.approved_at IS NOT NULL
     AND NOT EXISTS (SELECT FROM isms.event e WHERE e.org_id = rec.org_id AND e.object_type = 'record'
                        AND e.object_id = rec.record_id AND e.new_state = 'approved')
  UNION ALL
  SELECT 'documents with more than one approved version', count(*)
    FROM (SELECT FROM isms.record WHERE state = 'approved' GROUP BY org_id, document_id HAVING count(*) > 1) d
) c WHERE n > 0;
SQL
	) || { echo "invariant check failed to run" >&2; return 1; }
	[ -z "$bad" ] && return 0
	echo "violated invariants:" >&2
	echo "$bad" >&2
	return 1
}

isms_extra_cluster_start() {
	local dir=$1 port opts
	shift
	opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir"
	for o in "$@"; do opts="$opts -c $o"; done
	mkdir -p "$dir" && chown postgres "$dir" || return 1
	runuser -u postgres -- "$ISMS_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-instructions \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	port=$(isms_pg_start "$dir/data" "$dir/server.log" 60 "$opts") || return 1
	echo "-p $port $opts" >"$dir/opts"
	echo "$port"
}

# Start it again with the same settings (after a stop or a crash).
isms_extra_cluster_restart() {
	runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$1/data" -w -t 120 -l "$1/server.log" -o "$(cat "$1/opts")" start \
		>/dev/null || { tail -20 "$1/server.log" >&2; return 1; }
}

isms_extra_cluster_stop() {
	[ -f "$1/data/postmaster.pid" ] || return 0
	runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$1/data" -m "${2:-fast}" -w -t 60 stop >/dev/null 2>&1
}
