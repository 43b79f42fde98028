#!/usr/bin/env bash
# bench/run.sh -- the cost of enforcement: the isms27022 engine measured
# against the floor (no rules, no events) and against the same rules written
# in PL/pgSQL, on a throwaway PostgreSQL 15 cluster.  Not part of the tests.
#
#   sudo bash bench/run.sh                  # full run (< 15 min): 1,000,000 records
#   sudo bash bench/run.sh --quick          # smoke run (< 3 min): 50,000 records, 1 repetition
#   sudo bash bench/run.sh --records N --clients C --reps R
#   ISMS_KEEP=1 ... keeps the work directory (pgbench logs, EXPLAIN plans)
#
# Builds the extension twice (as shipped, and with -DISMS_BENCH_NO_CHECKS),
# starts a cluster, loads bench/reference/rules.sql and bench/setup.sql,
# generates bulk history (bench/generate.sql), then measures at 10,000 and
# at N existing records, interleaving the variants in a different order in
# each repetition:
#   c         the extension as shipped
#   nochecks  the benchmark build: rule checks compiled out, events kept
#   floor     the same statements with the rule and event triggers disabled
#   plpgsql   the rules as plain PL/pgSQL triggers (bench/reference/rules.sql)
# and writes docs/benchmarks.md with bench/report.py.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"

cmdline="sudo bash bench/run.sh${*:+ $*}"
records=1000000
small=10000
clients=2
reps=3
quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--records) records=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	*) echo "usage: $0 [--quick] [--records N] [--clients C] [--reps R]" >&2; exit 2 ;;
	esac
done
if [ $quick = 1 ]; then
	[ "$records" = 1000000 ] && records=50000
	reps=1
	lifecycles=30 hot=300 bulk=20000 bulk_timeout=30 bulk_reps=1
else
	lifecycles=200 hot=2500 bulk=100000 bulk_timeout=60 bulk_reps=1
fi
variants=(c nochecks floor plpgsql)
settings=(shared_buffers=1GB max_wal_size=8GB checkpoint_timeout=30min jit=off)
started=$(date +%s)

isms_setup "${settings[@]}" || exit 1
out=$ISMS_WORK/results
mkdir -p "$out/logs" "$out/explain"
chmod 777 "$out" "$out/logs"
results=$out/results.tsv
printf 'meta\tbulk_timeout\t%s\n' "$bulk_timeout" >"$results"
libdir=$ISMS_BIN/../lib
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$ISMS_BIN/psql" -X -q -v ON_ERROR_STOP=1)
sql() { "${PSQL[@]}" -At -c "$1"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
log() { echo "== [$(( $(date +%s) - started ))s] $*"; }

# The benchmark build of the library, next to the shipped one.
log "building the ISMS_BENCH_NO_CHECKS library"
cp "$libdir/isms27022.so" "$ISMS_WORK/lib-c.so"
cp -a "$ISMS_BUILD" "$ISMS_WORK/src-nochecks"
make -C "$ISMS_WORK/src-nochecks" -s clean >/dev/null
make -C "$ISMS_WORK/src-nochecks" -s -j2 PG_CONFIG=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config \
	PG_CPPFLAGS="-DISMS_BENCH_NO_CHECKS -I./src" >"$ISMS_WORK/build-nochecks.log" 2>&1 ||
	{ cat "$ISMS_WORK/build-nochecks.log"; exit 1; }
cp "$ISMS_WORK/src-nochecks/isms27022.so" "$ISMS_WORK/lib-nochecks.so"

# Switch library (atomically: running backends keep the old file) and triggers.
use() {
	local lib=c
	[ "$1" = nochecks ] && lib=nochecks
	cp "$ISMS_WORK/lib-$lib.so" "$libdir/.isms27022.so.new" && mv -f "$libdir/.isms27022.so.new" "$libdir/isms27022.so"
	sql "SELECT bench.use_variant('$1')" >/dev/null
}

log "installing the extension, the PL/pgSQL reference and the benchmark's organisations"
sql "CREATE EXTENSION isms27022" || exit 1
"${PSQL[@]}" -f "$here/reference/rules.sql" || exit 1
"${PSQL[@]}" -f "$here/setup.sql" || exit 1
use c
declare -A orgbase
for v in "${variants[@]}"; do
	orgbase[$v]=$(sql "SELECT bench.make_orgs('$v', $clients)") || exit 1
done

# Bulk history, then VACUUM ANALYZE so that every variant meets the same tables.
generate() {
	log "generating about $1 records of history (tag $2)"
	"${PSQL[@]}" -v records="$1" -v years=5 -v bench_years="$3" -v tag="$2" -f "$here/generate.sql" || exit 1
	"${PSQL[@]}" -c "VACUUM ANALYZE" || exit 1
}

# One pgbench measurement: phase workload variant rep transactions-per-client [-D ...]
bench() {
	local phase=$1 wl=$2 v=$3 rep=$4 t=$5
	shift 5
	local prefix=$out/logs/$phase.$wl.$v.$rep
	local opts=()
	[ "$wl" = approve ] && opts=(-c "isms.actor=bob")
	PGOPTIONS="${PGOPTIONS} ${opts[*]}" "$ISMS_BIN/pgbench" -n -M prepared -c "$clients" -j "$clients" -t "$t" \
		-l --log-prefix="$prefix" -f "$here/workloads/$wl.sql" "$@" >"$prefix.out" 2>&1 ||
		{ cat "$prefix.out"; exit 1; }
	local tps
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$prefix.out")
	printf 'pgbench\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$wl" "$v" "$rep" "$tps" "$prefix" >>"$results"
}

# All single-operation and lifecycle workloads for some variants, interleaved.
measure() {
	local phase=$1
	shift
	local vs=("$@") n=${#vs[@]} rep k v first_a first_s
	for rep in $(seq 1 "$reps"); do
		for k in $(seq 0 $((n - 1))); do
			v=${vs[$(((k + rep - 1) % n))]}
			log "$phase rep $rep: $v"
			use c
			first_a=$(sql "SELECT bench.make_approve_pool(${orgbase[$v]}, $clients, $hot)") || exit 1
			first_s=$(sql "SELECT bench.make_step_pool(${orgbase[$v]}, $clients, $hot)") || exit 1
			use "$v"
			bench "$phase" lifecycle "$v" "$rep" "$lifecycles" -D orgbase="${orgbase[$v]}"
			bench "$phase" approve "$v" "$rep" "$hot" -D first="$first_a" -D n="$hot" -D i=0
			bench "$phase" finish_step "$v" "$rep" "$hot" -D first="$first_s" -D n="$hot" -D i=0
			bench "$phase" external_insert "$v" "$rep" "$hot" -D orgbase="${orgbase[$v]}"
		done
	done
	use c
}

# Time one bulk statement, bounded by statement_timeout (a timeout is
# reported as such: the load is then slower than bulk/timeout rows/s).
timed_load() {
	local t0 t1 secs
	t0=$(date +%s.%N)
	if PGOPTIONS="$PGOPTIONS -c statement_timeout=${bulk_timeout}s" "${PSQL[@]}" -c "$4" >/dev/null 2>"$out/bulk.err"; then
		t1=$(date +%s.%N)
		secs=$(elapsed "$t0" "$t1")
	elif grep -q "statement timeout" "$out/bulk.err"; then
		secs=timeout
	else
		cat "$out/bulk.err"
		exit 1
	fi
	printf 'bulk\tlarge\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$bulk" "$secs" >>"$results"
}

# Bulk load of external records in one statement: INSERT ... SELECT and COPY.
bulk_load() {
	local rep v k n=${#variants[@]} org wp file
	for rep in $(seq 1 "$bulk_reps"); do
		for k in $(seq 0 $((n - 1))); do
			v=${variants[$(((k + rep - 1) % n))]}
			log "bulk rep $rep: $v"
			org=${orgbase[$v]}
			use c
			wp=$(sql "SELECT isms.work_product_id($org, 'security_event')")
			file=$ISMS_WORK/bulk.$v.csv
			sql "COPY (SELECT $org, $wp, 'Imported event ' || g, jsonb_build_object('source', 'import', 'n', g)
			      FROM generate_series(1, $bulk) g) TO STDOUT WITH (FORMAT csv)" >"$file"
			use "$v"
			timed_load insert_select "$v" "$rep" "INSERT INTO isms.record (org_id, work_product_id, title, content)
			     SELECT $org, $wp, 'Imported event ' || g, jsonb_build_object('source', 'import', 'n', g)
			       FROM generate_series(1, $bulk) g"
			timed_load copy "$v" "$rep" "\\copy isms.record (org_id, work_product_id, title, content) FROM '$file' WITH (FORMAT csv)"
			rm -f "$file"
		done
	done
	use c
}

# EXPLAIN ANALYZE of every reporting view filtered by one bulk organisation.
reporting() {
	local org views v ms
	org=$(sql "SELECT min(org_id) FROM isms.organization WHERE name LIKE 'bulk-l-%'")
	views=$(sql "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	              WHERE n.nspname = 'isms_report' AND c.relkind IN ('v', 'm')
	                AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')
	              ORDER BY 1")
	printf 'meta\treport_views\t%s\n' "$(echo $views)" >>"$results"
	[ -z "$views" ] && return 0
	log "reporting views: $(echo $views)"
	# the views show what the current role is a member of
	sql "INSERT INTO isms.membership (org_id, member, org_role) VALUES ($org, current_user, 'auditor')
	     ON CONFLICT DO NOTHING" >/dev/null 2>&1
	for v in $views; do
		for k in 1 2 3; do
			sql "SET statement_timeout = '120s'; EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM isms_report.$v WHERE org_id = $org" \
				>"$out/explain/$v.txt" 2>&1
			ms=$(sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' "$out/explain/$v.txt")
			printf 'explain\t%s\t%s\t%s\t%s\n' "$v" "$k" "${ms:-error}" "$out/explain/$v.txt" >>"$results"
		done
	done
}

generate "$small" s 1
n10k=$(sql "SELECT count(*) FROM isms.record")
printf 'meta\trecords_small\t%s\n' "$n10k" >>"$results"
measure small "${variants[@]}"

generate $((records - n10k)) l 20
printf 'meta\trecords_large\t%s\n' "$(sql "SELECT count(*) FROM isms.record")" >>"$results"
printf 'meta\tevents_large\t%s\n' "$(sql "SELECT count(*) FROM isms.event")" >>"$results"
printf 'meta\truns_large\t%s\n' "$(sql "SELECT count(*) FROM isms.run")" >>"$results"
printf 'meta\torgs_large\t%s\n' "$(sql "SELECT count(*) FROM isms.organization")" >>"$results"
measure large "${variants[@]}"
bulk_load
reporting

log "verifying the event chains of the benchmark's organisations"
sql "SELECT o.variant || ' ' || o.client || ' ' || v.valid || ' ' || v.events_checked || ' ' || coalesce(v.problem, '-')
       FROM bench.org o, isms.verify_events(o.org_id) v ORDER BY o.org_id" |
	while read -r line; do printf 'verify\t%s\n' "$line" >>"$results"; done

{
	printf 'meta\tcommand\t%s\n' "$cmdline"
	printf 'meta\tclients\t%s\nmeta\treps\t%s\nmeta\tlifecycles\t%s\nmeta\thot\t%s\nmeta\tbulk\t%s\n' \
		"$clients" "$reps" "$lifecycles" "$hot" "$bulk"
	printf 'meta\tnproc\t%s\n' "$(nproc)"
	printf 'meta\tmemory\t%s\n' "$(free -h | awk '/^Mem:/ {print $2}')"
	printf 'meta\tcpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	printf 'meta\tloadavg\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'meta\tpostgres\t%s\n' "$(sql "SELECT version()")"
	printf 'meta\tsettings\t%s\n' "fsync=off ${settings[*]} (other settings default)"
	printf 'meta\tcommit\t%s\n' "$(git -C "$ISMS_SRC" rev-parse --short HEAD 2>/dev/null)"
	printf 'meta\tduration\t%s\n' "$(( $(date +%s) - started ))"
} >>"$results"
log "writing docs/benchmarks.md"
python3 "$here/report.py" "$results" >"$ISMS_SRC/docs/benchmarks.md" || exit 1
[ "${ISMS_KEEP:-0}" = 1 ] && echo "work directory kept: $ISMS_WORK (results/)"
log "done"
