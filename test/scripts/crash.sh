#!/usr/bin/env bash
# test/scripts/crash.sh -- crash recovery under concurrent lifecycle load.
#
# Starts a second cluster with fsync=on (the runner's has fsync=off), puts
# concurrent load on it for ISMS_CRASH_SECONDS (default 20): pgbench
# clients running test/crash/lifecycle.sql, plus psql clients whose every
# acknowledged transaction (the run id it returned after COMMIT) is logged
# client-side.  Then kills the server with pg_ctl -m immediate, restarts it
# (crash recovery) and checks: every event chain verifies, the engine's
# invariants hold (isms_scenario_check), and every run a client saw
# committed is present and completed.
set -u
. "$ISMS_BUILD/test/lib/cluster.sh"
. "$ISMS_BUILD/test/lib/scenario.sh"

dir=$ISMS_WORK/crash
seconds=${ISMS_CRASH_SECONDS:-20}
orgs=3
loggers=2
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	isms_extra_cluster_stop "$dir" immediate
}
trap cleanup EXIT

port=$(isms_extra_cluster_start "$dir" fsync=on synchronous_commit=on full_page_writes=on \
	checkpoint_timeout=30s max_connections=20) || exit 1
export PGPORT=$port PGDATABASE=postgres
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION isms27022" || exit 1
isms_scenario_install || exit 1
for o in $(seq 1 $orgs); do
	psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT isms.create_organization('crash org $o')" >/dev/null || exit 1
done

# background load: pgbench (its own results are not tracked)
"$ISMS_BIN/pgbench" -n -c 2 -j 2 -T $((seconds + 30)) -D orgs=$orgs \
	-f "$ISMS_BUILD/test/crash/lifecycle.sql" postgres >"$dir/pgbench.log" 2>&1 &
pids+=($!)

# logged clients: psql prints a run id only after the server acknowledged
# its COMMIT (autocommit, synchronous_commit=on, fsync=on)
for c in $(seq 1 $loggers); do
	(
		i=0
		while :; do
			i=$((i + 1))
			echo "SELECT isms_scenario.incident($(((i + c) % orgs + 1)), 'logged $c/$i');"
		done | psql -qXAt -v ON_ERROR_STOP=0 >"$dir/acked.$c" 2>"$dir/client.$c.err"
	) &
	pids+=($!)
done

sleep "$seconds"
in_flight=$(psql -qXAt -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%isms_scenario.incident%' AND state = 'active' AND pid <> pg_backend_pid()")
committed_before=$(psql -qXAt -c "SELECT count(*) FROM isms.run")
isms_extra_cluster_stop "$dir" immediate
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
pids=()

acked=$(cat "$dir"/acked.* | grep -cE '^[0-9]+$')
echo "crash: ${seconds}s of load, $committed_before runs before the crash, $in_flight transactions in flight, $acked acknowledged runs logged"
[ "$acked" -gt 0 ] || { echo "no transaction was acknowledged: the load did not run" >&2; cat "$dir"/client.*.err "$dir/pgbench.log" >&2; exit 1; }

isms_extra_cluster_restart "$dir" || exit 1
grep -q "database system was not properly shut down" "$dir/server.log" ||
	{ echo "the server did not go through crash recovery" >&2; exit 1; }

cat "$dir"/acked.* | grep -E '^[0-9]+$' | sort -n >"$dir/acked.all"
missing=$(psql -qXAt -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE acked (run_id bigint);
\copy acked FROM '$dir/acked.all'
SELECT count(*) FROM acked a
 WHERE NOT EXISTS (SELECT FROM isms.run r WHERE r.run_id = a.run_id AND r.state = 'completed');
SQL
) || exit 1
[ "$missing" = 0 ] || { echo "$missing acknowledged runs are missing or not completed after recovery" >&2; exit 1; }
isms_scenario_check || exit 1
psql -qXAt -c "SELECT 'after recovery: ' || count(*) || ' runs, ' || (SELECT count(*) FROM isms.event) || ' events in ' || (SELECT count(*) FROM isms.organization) || ' verified chains' FROM isms.run"

# the engine still works: a new run continues a chain
psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT isms_scenario.incident(1, 'after the crash')" >/dev/null &&
	[ "$(psql -qXAt -c "SELECT valid FROM isms.verify_events(1)")" = t ] || { echo "engine broken after recovery" >&2; exit 1; }
echo "crash: ok"
