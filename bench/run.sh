#!/usr/bin/env bash
# bench/run.sh -- the cost of enforcement, measured the way a tenant meets
# it: the isms27022 engine against the floor (no rules, no events), against
# the same rules in PL/pgSQL, and against itself with its database-querying
# checks compiled out, on a throwaway PostgreSQL 15 cluster with fsync=on
# and synchronous_commit=on.  Not part of the tests.
#
#   bash bench/run.sh            # full run (<= 25 min on 2 cores): 10,000 organisations, 5 repetitions
#   bash bench/run.sh --quick    # smoke run (< 5 min): 1,000 organisations, 1 repetition
#   bash bench/run.sh --orgs N --reps R
#   ISMS_KEEP=1 ... keeps the work directory (pgbench logs and outputs)
#
# Runs as root (the cluster runs as postgres); the workloads connect as the
# tenant roles of bench/setup.sql, with row-level security on.  Phases:
#   views         a reader of 100 organisations, in a database of about 100
#                 organisations and in one of N, alternating
#   memory        one backend touching every organisation (isms.process_id)
#   variants      single operations and the one-transaction incident
#                 lifecycle, 2 clients on 2 organisations, for the variants
#                   c         the extension as shipped
#                   nochecks  built with -DISMS_BENCH_NO_CHECKS
#                   floor     the same statements, rule and event triggers off
#                   plpgsql   bench/reference/rules.sql
#   scaling       the lifecycle, C, 1/2/4/8 clients on one organisation and
#                 spread over 8 (deadlocks counted, never retried)
#   bulk          INSERT ... SELECT and COPY of external records
#   census        the SQL statements each variant runs per operation
#                 (pg_stat_statements, after a restart: not timed)
# Variants and layouts are interleaved and their order rotated in each
# repetition; bench/report.py computes every ratio within a repetition and
# writes docs/benchmarks.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"

cmdline="bash bench/run.sh${*:+ $*}"
orgs=10000
reps=5
quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--orgs) orgs=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	*) echo "usage: $0 [--quick] [--orgs N] [--reps R]" >&2; exit 2 ;;
	esac
done
clients=2            # single-operation workloads: one organisation per client
scale_clients="1 2 4 8"
if [ $quick = 1 ]; then
	[ "$orgs" = 10000 ] && orgs=1000
	reps=1 ops=150 lc_secs=3 scale_secs=3 bulk=2000 view_runs=3 view_timeout=30
else
	ops=800 lc_secs=6 scale_secs=6 bulk=10000 view_runs=31 view_timeout=60
fi
small_orgs=100       # the reader's organisations, and the small database
variants=(c nochecks floor plpgsql)
settings=(fsync=on synchronous_commit=on shared_buffers=1GB max_wal_size=8GB checkpoint_timeout=30min jit=off)
started=$(date +%s)

isms_setup "${settings[@]}" || exit 1
out=$ISMS_WORK/results
mkdir -p "$out/logs"
chmod 777 "$out" "$out/logs"
results=$out/results.tsv
: >"$results"
libdir=$ISMS_BIN/../lib
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$ISMS_BIN/psql" -X -q -v ON_ERROR_STOP=1)
sql() { "${PSQL[@]}" -At -c "$1"; }
rows() { "${PSQL[@]}" -At -F $'\t' -c "$1" >>"$results"; }   # result rows straight into results.tsv
row() { local IFS=$'\t'; echo "$*" >>"$results"; }
log() { echo "== [$(( $(date +%s) - started ))s] $*"; }
# the order of a list rotated by n
rotate() { local n=$1; shift; local a=("$@") k; for k in $(seq 0 $((${#a[@]} - 1))); do echo "${a[$(((k + n) % ${#a[@]}))]}"; done; }

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
orgbase[scale]=$(sql "SELECT bench.make_orgs('scale', 8)") || exit 1

# History: psql variables of bench/generate.sql, then VACUUM ANALYZE.
generate() {
	log "generating history: $*"
	"${PSQL[@]}" "$@" -f "$here/generate.sql" || exit 1
	"${PSQL[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT" || exit 1
}

# One pgbench run as a tenant: name user script options...; records tps,
# transactions, failures, deadlocks and the log prefix.  Deadlocks and
# serialization failures are counted and not retried (--max-tries=1); any
# other error aborts the client and the run is recorded as failed.
pgb() {
	local name=$1 user=$2 script=$3
	shift 3
	local prefix=$out/logs/$name tps n failed deadlocks status=ok
	PGUSER=$user "$ISMS_BIN/pgbench" -n -M prepared --max-tries=1 --failures-detailed \
		-l --log-prefix="$prefix" -f "$script" "$@" >"$prefix.out" 2>&1 || status=error
	grep -q "aborted" "$prefix.out" && status=error
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$prefix.out")
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$prefix.out")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$prefix.out")
	deadlocks=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' "$prefix.out")
	[ "$status" = error ] && { echo "pgbench $name failed:"; grep -v "^progress" "$prefix.out" | tail -5; }
	printf '%s\t%s\t%s\t%s\t%s\t%s' "${tps:-0}" "${n:-0}" "${failed:-0}" "${deadlocks:-0}" "$status" "$prefix"
}

# Reporting views: every view of isms_report, no org filter, as a reader of
# the first 100 bulk organisations, in two databases of the cluster: a copy
# taken when the database held little more than the reader's organisations
# (small) and the database after it grew to N organisations (large).  In
# every repetition each view runs in both, one right after the other in an
# order that alternates, so that a ratio compares two measurements taken
# seconds apart on a shared machine: a page (LIMIT 100, view_runs
# executions) and every row (what a BI tool's extract reads, 5 executions).
views=$(sql "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'isms_report' AND c.relkind IN ('v', 'm') ORDER BY 1")
declare -A viewdb=([small]=bench_views_small [large]=$PGDATABASE)
measure_views() {
	local rep=$1 v db script k=0
	log "views rep $rep: $(sql "SELECT count(*) FROM isms.organization") / $(PGDATABASE=${viewdb[small]} sql "SELECT count(*) FROM isms.organization") organisations"
	for v in $views; do
		script=$out/view.$v.sql
		echo "SELECT * FROM isms_report.$v LIMIT 100;" >"$script"
		echo "SELECT * FROM isms_report.$v;" >"$script.all"
		for db in $(rotate $((rep + k)) small large); do
			export PGDATABASE=${viewdb[$db]}
			row view "$db" "$v" "$rep" "$(PGOPTIONS="$PGOPTIONS -c statement_timeout=${view_timeout}s" \
				pgb "view.$db.$rep.$v" bench_reader "$script" -c 1 -t "$view_runs")"
			row view "$db.all" "$v" "$rep" "$(PGOPTIONS="$PGOPTIONS -c statement_timeout=${view_timeout}s" \
				pgb "view.$db.all.$rep.$v" bench_reader "$script.all" -c 1 -t 5)"
		done
		export PGDATABASE=${viewdb[large]}
		k=$((k + 1))
	done
}

# Backend memory after engine lookups in every organisation (process and
# work product by name, and isms.run_blockers of one run, which loads that
# process's model), read from pg_backend_memory_contexts in the same
# backend: the contexts of the extension (named isms..., and everything
# below them) and the total.
measure_memory() {
	local rep=$1
	log "memory rep $rep: one backend touches $(sql "SELECT count(*) FROM isms.organization") organisations"
	row memory "$rep" "$(PGUSER=bench_mem "${PSQL[@]}" -At -F $'\t' <<'EOF'
SELECT count(isms.process_id(org_id, '7.9')) AS touched, count(isms.work_product_id(org_id, 'security_event'))
  FROM isms.organization \gset
SELECT count(b.*) FROM (SELECT DISTINCT ON (org_id) run_id FROM isms.run ORDER BY org_id, run_id) r,
       LATERAL isms.run_blockers(r.run_id) b \gset
WITH RECURSIVE c AS (
    SELECT name, level, total_bytes FROM pg_backend_memory_contexts
     WHERE name ILIKE '%isms%' AND coalesce(parent, '') NOT ILIKE '%isms%'
    UNION ALL
    SELECT m.name, m.level, m.total_bytes FROM pg_backend_memory_contexts m JOIN c ON m.parent = c.name AND m.level = c.level + 1)
SELECT :touched, (SELECT sum(total_bytes) FROM c), (SELECT sum(total_bytes) FROM pg_backend_memory_contexts);
EOF
)"
}

# Single operations and the one-transaction lifecycle, all variants.  The
# pools of every variant are made first (through the engine); then each
# workload runs for the variants back to back, so that the runs a ratio
# compares are seconds apart (the machine's commit latency drifts).
measure_variants() {
	local rep v wl base
	declare -A first_a first_s
	for rep in $(seq 1 "$reps"); do
		log "variants rep $rep: pools"
		use c
		for v in "${variants[@]}"; do
			base=${orgbase[$v]}
			first_a[$v]=$(sql "SELECT bench.make_approve_pool($base, $clients, $ops)") || exit 1
			first_s[$v]=$(sql "SELECT bench.make_step_pool($base, $clients, $ops)") || exit 1
		done
		sql "CHECKPOINT"
		for wl in lifecycle approve finish_step external_insert; do
			log "variants rep $rep: $wl"
			for v in $(rotate $((rep - 1)) "${variants[@]}"); do
				base=${orgbase[$v]}
				use "$v"
				case $wl in
				lifecycle) row op $wl "$v" "$rep" "$(pgb "$wl.$v.$rep" bench_app "$here/workloads/lifecycle.sql" \
					-c $clients -j $clients -T "$lc_secs" -D orgbase="$base" -D orgs=$clients)" ;;
				approve) row op $wl "$v" "$rep" "$(PGOPTIONS="$PGOPTIONS -c isms.actor=bob" pgb "$wl.$v.$rep" bench_app \
					"$here/workloads/approve.sql" -c $clients -j $clients -t "$ops" -D first="${first_a[$v]}" -D n="$ops" -D i=0)" ;;
				finish_step) row op $wl "$v" "$rep" "$(pgb "$wl.$v.$rep" bench_app "$here/workloads/finish_step.sql" \
					-c $clients -j $clients -t "$ops" -D first="${first_s[$v]}" -D n="$ops" -D i=0)" ;;
				external_insert) row op $wl "$v" "$rep" "$(PGOPTIONS="$PGOPTIONS -c isms.actor=alice" pgb "$wl.$v.$rep" \
					bench_app "$here/workloads/external_insert.sql" -c $clients -j $clients -t "$ops" -D orgbase="$base")" ;;
				esac
			done
		done
	done
	use c
}

# The lifecycle as shipped, 1/2/4/8 clients, on one organisation and over 8.
measure_scaling() {
	local rep layout n k
	use c
	pgb scale.warmup bench_app "$here/workloads/lifecycle.sql" -c 8 -j 8 -T 2 -D orgbase="${orgbase[scale]}" -D orgs=8 >/dev/null
	for rep in $(seq 1 "$reps"); do
		for layout in $(rotate $((rep - 1)) one spread); do
			for n in $(rotate $((rep - 1)) $scale_clients); do
				k=1
				[ "$layout" = spread ] && k=8
				log "scaling rep $rep: $n clients, $layout"
				row scale "$layout" "$n" "$rep" "$(pgb "scale.$layout.$n.$rep" bench_app "$here/workloads/lifecycle.sql" \
					-c "$n" -j "$n" -T "$scale_secs" -D orgbase="${orgbase[scale]}" -D orgs=$k)"
			done
		done
	done
}

# One bulk statement as a tenant (INSERT ... SELECT: bench_app, row-level
# security on; COPY: bench_import, see bench/setup.sql); records rows and seconds.
timed_load() {
	local t0 t1 user=bench_app
	[ "$1" = copy ] && user=bench_import
	t0=$(date +%s.%N)
	if PGUSER=$user PGOPTIONS="$PGOPTIONS -c isms.actor=alice" "${PSQL[@]}" -c "$4" >/dev/null 2>"$out/bulk.err"; then
		t1=$(date +%s.%N)
		row bulk "$1" "$2" "$3" "$bulk" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
	else
		echo "bulk $1 $2 failed: $(head -3 "$out/bulk.err")"
		row bulk "$1" "$2" "$3" "$bulk" error
	fi
}

# Bulk import of external records: INSERT ... SELECT and COPY.
measure_bulk() {
	local rep v org wp file
	for rep in $(seq 1 "$reps"); do
		for v in $(rotate $((rep - 1)) "${variants[@]}"); do
			log "bulk rep $rep: $v"
			org=${orgbase[$v]}
			use c
			wp=$(sql "SELECT isms.work_product_id($org, 'security_event')")
			file=$ISMS_WORK/bulk.csv
			sql "COPY (SELECT $org, $wp, 'Imported event ' || g, jsonb_build_object('source', 'import', 'n', g)
			      FROM generate_series(1, $bulk) g) TO STDOUT WITH (FORMAT csv)" >"$file"
			chmod 644 "$file"
			use "$v"
			timed_load insert_select "$v" "$rep" "INSERT INTO isms.record (org_id, work_product_id, title, content)
			     SELECT $org, $wp, 'Imported event ' || g, jsonb_build_object('source', 'import', 'n', g)
			       FROM generate_series(1, $bulk) g"
			timed_load copy "$v" "$rep" "\\copy isms.record (org_id, work_product_id, title, content) FROM '$file' WITH (FORMAT csv)"
		done
	done
	use c
}

# Restart with pg_stat_statements (track = all) and count the statements
# each variant runs per operation besides the client's own: nested ones
# (the engine's, foreign-key checks, the API's SQL functions) and those the
# engine runs as its owner at commit.  Shows what -DISMS_BENCH_NO_CHECKS
# really leaves out.
census() {
	local opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$ISMS_WORK" s v wl first_a first_s base n=20
	for s in "${settings[@]}"; do opts="$opts -c $s"; done
	log "census: restarting with pg_stat_statements"
	isms_cluster_stop
	PGPORT=$(isms_pg_start "$ISMS_DATA" "$ISMS_WORK/server.log" 300 \
		"$opts -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all") || exit 1
	export PGPORT
	sql "CREATE EXTENSION pg_stat_statements" || exit 1
	for v in c nochecks plpgsql; do
		base=${orgbase[$v]}
		use c
		first_a=$(sql "SELECT bench.make_approve_pool($base, 1, $n)") || exit 1
		first_s=$(sql "SELECT bench.make_step_pool($base, 1, $n)") || exit 1
		use "$v"
		for wl in lifecycle approve finish_step external_insert; do
			sql "SELECT pg_stat_statements_reset()" >/dev/null
			case $wl in
			lifecycle) pgb "census.$wl.$v" bench_app "$here/workloads/lifecycle.sql" -t $n -D orgbase="$base" -D orgs=1 ;;
			approve) PGOPTIONS="$PGOPTIONS -c isms.actor=bob" pgb "census.$wl.$v" bench_app "$here/workloads/approve.sql" \
				-t $n -D first="$first_a" -D n=$n -D i=0 ;;
			finish_step) pgb "census.$wl.$v" bench_app "$here/workloads/finish_step.sql" -t $n -D first="$first_s" -D n=$n -D i=0 ;;
			external_insert) PGOPTIONS="$PGOPTIONS -c isms.actor=alice" pgb "census.$wl.$v" bench_app \
				"$here/workloads/external_insert.sql" -t $n -D orgbase="$base" ;;
			esac >/dev/null
			rows "SELECT 'census', '$wl', '$v', $n, calls, regexp_replace(left(query, 160), '\s+', ' ', 'g')
			        FROM pg_stat_statements
			       WHERE (NOT toplevel OR userid <> 'bench_app'::regrole::oid) AND calls >= $n / 2
			       ORDER BY calls DESC, query"
		done
	done
	use c
}

generate -v orgs=$small_orgs -v years=2 -v kmax=12 -v bench_years=1 -v tag=s
sql "SELECT bench.add_members('bench_reader', 'reader', array_agg(org_id)) FROM isms.organization WHERE name LIKE 'bulk-s-%'" >/dev/null
row meta orgs_small "$(sql "SELECT count(*) FROM isms.organization")"
row meta records_small "$(sql "SELECT count(*) FROM isms.record")"
log "copying the small database for the views"
"${PSQL[@]}" -d template1 -c "CREATE DATABASE ${viewdb[small]} TEMPLATE ${viewdb[large]}" || exit 1

generate -v orgs=$((orgs - $(sql "SELECT count(*) FROM isms.organization"))) -v years=1 -v kmax=1 -v bench_years=0 -v tag=l
sql "SELECT bench.add_members('bench_mem', 'contributor', array_agg(org_id)) FROM isms.organization" >/dev/null
row meta orgs_large "$(sql "SELECT count(*) FROM isms.organization")"
row meta records_large "$(sql "SELECT count(*) FROM isms.record")"
row meta runs_large "$(sql "SELECT count(*) FROM isms.run")"
row meta events_large "$(sql "SELECT count(*) FROM isms.event")"
for rep in $(seq 1 "$reps"); do measure_views "$rep"; done
"${PSQL[@]}" -d template1 -c "DROP DATABASE ${viewdb[small]}" || exit 1
for rep in $(seq 1 "$reps"); do measure_memory "$rep"; done
measure_variants
measure_scaling
measure_bulk
census

log "verifying the event chains of the benchmark's organisations"
rows "SELECT 'verify', o.variant, o.client, v.valid, v.events_checked, coalesce(v.problem, '-')
        FROM bench.org o, isms.verify_events(o.org_id) v ORDER BY o.org_id"

row meta command "$cmdline"
row meta clients "$clients"
row meta reps "$reps"
row meta ops "$ops"
row meta lc_secs "$lc_secs"
row meta scale_secs "$scale_secs"
row meta bulk "$bulk"
row meta view_runs "$view_runs"
row meta view_timeout "$view_timeout"
row meta nproc "$(nproc)"
row meta memory "$(free -h | awk '/^Mem:/ {print $2}')"
row meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
row meta loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
row meta postgres "$(sql "SELECT version()")"
row meta settings "${settings[*]} (other settings default)"
row meta commit "$(git -C "$ISMS_SRC" rev-parse --short HEAD 2>/dev/null)"
row meta duration "$(( $(date +%s) - started ))"
log "writing docs/benchmarks.md"
if ! python3 "$here/report.py" "$results" >"$out/benchmarks.md"; then
	cp "$results" "/tmp/bench-results.$(date +%Y%m%d%H%M%S).tsv" && echo "results kept in /tmp/bench-results.*.tsv"
	exit 1
fi
# keep the section bench/citus.sh writes (between its markers)
sed -n '/<!-- citus:begin/,/<!-- citus:end -->/p' "$ISMS_SRC/docs/benchmarks.md" >"$out/citus.md"
[ -s "$out/citus.md" ] && { echo; cat "$out/citus.md"; } >>"$out/benchmarks.md"
cp "$out/benchmarks.md" "$ISMS_SRC/docs/benchmarks.md"
[ "${ISMS_KEEP:-0}" = 1 ] && echo "work directory kept: $ISMS_WORK (results/)"
log "done"
