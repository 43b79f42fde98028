#!/usr/bin/env bash
# bench/verify_memory.sh -- the memory isms.verify_events needs, against the
# length of the chain.  Not part of the tests.
#
#   bash bench/verify_memory.sh                # chains of 10,000 and 200,000 events
#   bash bench/verify_memory.sh 10000 1000000  # any lengths
#
# For each length, one organisation gets that many events (runs of 8.2
# planned in one statement: one event each), then a fresh backend verifies
# the chain while its private memory (RssAnon) is sampled; the figure is
# its peak minus that of a fresh backend that only slept.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"

lengths=("$@")
[ ${#lengths[@]} -eq 0 ] && lengths=(10000 200000)
isms_setup || exit 1
psql -qX -c "CREATE EXTENSION isms27022" || exit 1

# Run a statement in a fresh backend and print, last, the backend's peak
# private memory in kB: RssAnon sampled every 10 ms while the statement runs
# (VmHWM would count the shared buffers the scan touched).
peak_of() {
	local pidfile=$ISMS_WORK/verify.pid out=$ISMS_WORK/verify.out peak=0 kb pid
	rm -f "$pidfile"
	psql -qXAt -v ON_ERROR_STOP=1 <<SQL &
SELECT pg_backend_pid() \\g $pidfile
SELECT pg_sleep(0.2) \\g /dev/null
$1 \\g $out
SQL
	local client=$!
	while kill -0 $client 2>/dev/null; do
		pid=$(head -1 "$pidfile" 2>/dev/null)
		kb=$([ -n "$pid" ] && awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		[ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
		sleep 0.01
	done
	wait $client || return 1
	cat "$out"
	echo "$peak"
}

base=$(peak_of "SELECT pg_sleep(0.3)" | tail -1)
printf '%-12s %-8s %-14s %s\n' events valid "verify (s)" "peak memory above a fresh backend"
for n in "${lengths[@]}"; do
	org=$(psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT isms.create_organization('verify $n')")
	psql -qX -v ON_ERROR_STOP=1 -c "INSERT INTO isms.run (org_id, process_id, title)
		SELECT $org, isms.process_id($org, '8.2'), 'run ' || i FROM generate_series(1, $n - 1) i" || exit 1
	t0=$(date +%s.%N)
	out=$(peak_of "SELECT valid, events_checked FROM isms.verify_events($org)")
	t1=$(date +%s.%N)
	valid=$(echo "$out" | head -1)
	peak=$(echo "$out" | tail -1)
	printf '%-12s %-8s %-14.1f %d kB\n' "$n" "$valid" "$(awk "BEGIN {print $t1 - $t0}")" $((peak - base))
done
