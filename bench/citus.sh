#!/usr/bin/env bash
# bench/citus.sh -- writers of many organisations on one node vs the same
# load on a Citus coordinator with two workers, and what reading a
# reporting view across organisations costs there (issue 19).  Writes the
# section between the citus markers of docs/benchmarks.md (do not edit the
# numbers by hand).  As root:
#
#   bash bench/citus.sh            # BENCH_SECONDS=20 BENCH_REPS=3 BENCH_CLIENTS=8 BENCH_ORGS=16
#
# Both layouts run the extension from the same staged build with the same
# settings (fsync=on, synchronous_commit=on); the one-node layout is a plain
# PostgreSQL 15 cluster without Citus.  Each client transaction sets the
# actor and creates an external record of a random organisation
# (isms.new_external_record: the record's rules, its event, the chain at
# commit).  Repetitions alternate the layouts; the ratio is computed within
# each repetition (tps two workers via the coordinator / tps one node).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"
. "$here/../test/lib/citus.sh"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
seconds=${BENCH_SECONDS:-20}
reps=${BENCH_REPS:-3}
clients=${BENCH_CLIENTS:-8}
orgs=${BENCH_ORGS:-16}
settings=(fsync=on synchronous_commit=on jit=off)

citus_vendor || { echo "no vendored Citus tarball beside the clone" >&2; exit 1; }
isms_install_deps
ISMS_WORK=$(mktemp -d /tmp/isms27022.XXXXXX)
chmod 755 "$ISMS_WORK"
export ISMS_WORK
cleanup() { citus_cluster_stop; isms_cluster_stop; rm -rf "$ISMS_WORK"; }
trap cleanup EXIT
isms_build_and_stage
citus_build_and_stage
ISMS_DATA=$ISMS_WORK/data isms_cluster_start "${settings[@]}"
single=$PGPORT
citus_cluster_start "${settings[@]}"
citus_db isms_bench >/dev/null
psql -X -q -h 127.0.0.1 -p "$single" -U postgres -d postgres -c "CREATE DATABASE isms_bench"

setup() {
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d isms_bench -c "CREATE EXTENSION isms27022"
	[ "$2" = citus ] && psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d isms_bench \
		-c "SELECT count(*) FROM isms.distribute()" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d isms_bench \
		-c "SELECT isms.create_organization('Bench ' || i) FROM generate_series(1, $orgs) i" >/dev/null
}
setup "$single" single
setup "$CITUS_COORD" citus
nodes=$(psql -X -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_bench -c "
  SELECT count(DISTINCT p.nodeport) FROM isms.organization o, pg_dist_shard_placement p
   WHERE p.shardid = get_shard_id_for_distribution_column('isms.organization', o.org_id)")

cat >"$ISMS_WORK/write.sql" <<SQL
\set org random(1, $orgs)
BEGIN;
SET LOCAL isms.actor = 'alice';
SELECT isms.new_external_record(:org, 'security_event', 'bench');
COMMIT;
SQL
chmod 644 "$ISMS_WORK/write.sql"

run() {
	"$ISMS_BIN/pgbench" -n -h 127.0.0.1 -p "$1" -U postgres -c "$clients" -j 2 -T "$seconds" \
		-f "$ISMS_WORK/write.sql" isms_bench 2>&1 | awk '/^tps/ {print $3; exit}'
}
lat() { awk -v t="$1" -v c="$clients" 'BEGIN { printf "%.1f", 1000 * c / t }'; }
rows=()
ratios=()
for r in $(seq 1 "$reps"); do
	if [ $((r % 2)) = 1 ]; then a=$(run "$single"); b=$(run "$CITUS_COORD"); else b=$(run "$CITUS_COORD"); a=$(run "$single"); fi
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
	ratios+=("$ratio")
	rows+=("| $r | $(printf '%.0f' "$a") | $(printf '%.0f' "$b") | $ratio | $(lat "$a") | $(lat "$b") |")
	echo "repetition $r: one node $a tps, two workers $b tps, ratio $ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')

# What a report costs: an auditor of $orgs organisations with the same
# rows in both layouts ($report_records records each, written here) reads
# a view across all of them (no filter: on the cluster one query per
# organisation, filtered by it), a BI page of it (LIMIT 100) and one
# organisation's rows;
# one client, latency per query, the layouts alternating as above.
report_records=${BENCH_REPORT_RECORDS:-50}
declare -A report_orgs   # port -> the range of the report organisations' ids
for port in "$single" "$CITUS_COORD"; do
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d isms_bench >/dev/null <<SQL
CREATE ROLE bench_auditor LOGIN IN ROLE isms_auditor;
SELECT isms.create_organization('Report ' || i) FROM generate_series(1, $orgs) i;
SQL
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d isms_bench >/dev/null <<SQL
SELECT isms.add_member(org_id, 'bench_auditor', 'auditor') FROM isms.organization WHERE name LIKE 'Report %';
DO \$\$
DECLARE o bigint;
BEGIN
    PERFORM set_config('isms.actor', 'alice', true);
    FOR o IN SELECT org_id FROM isms.organization WHERE name LIKE 'Report %' ORDER BY org_id LOOP
        PERFORM isms.new_external_record(o, 'security_event', 'report ' || i) FROM generate_series(1, $report_records) i;
    END LOOP;
END \$\$;
SQL
	report_orgs[$port]=$(psql -X -At -h 127.0.0.1 -p "$port" -U postgres -d isms_bench \
		-c "SELECT min(org_id) || ', ' || max(org_id) FROM isms.organization WHERE name LIKE 'Report %'")
done
report_queries=(
	"process_status|all $orgs organisations|SELECT count(*) FROM isms_report.process_status"
	"process_status|LIMIT 100|SELECT count(*) FROM (SELECT * FROM isms_report.process_status LIMIT 100) s"
	"process_status|one organisation|SELECT count(*) FROM isms_report.process_status WHERE org_id = :org"
	"event_timeline|all $orgs organisations|SELECT count(*) FROM isms_report.event_timeline"
	"event_timeline|LIMIT 100|SELECT count(*) FROM (SELECT * FROM isms_report.event_timeline LIMIT 100) s"
	"event_timeline|one organisation|SELECT count(*) FROM isms_report.event_timeline WHERE org_id = :org"
)
read_ms() {
	printf '\\set org random(%s)\n%s;\n' "${report_orgs[$1]}" "$2" >"$ISMS_WORK/read.sql"
	chmod 644 "$ISMS_WORK/read.sql"
	"$ISMS_BIN/pgbench" -n -h 127.0.0.1 -p "$1" -U bench_auditor -c 1 -T "$report_seconds" \
		-f "$ISMS_WORK/read.sql" isms_bench 2>&1 | awk '/^latency average/ {print $4; exit}'
}
report_seconds=${BENCH_REPORT_SECONDS:-5}
declare -A single_ms citus_ms
for r in $(seq 1 "$reps"); do
	for k in "${!report_queries[@]}"; do
		q=${report_queries[$k]##*|}
		if [ $((r % 2)) = 1 ]; then a=$(read_ms "$single" "$q"); b=$(read_ms "$CITUS_COORD" "$q")
		else b=$(read_ms "$CITUS_COORD" "$q"); a=$(read_ms "$single" "$q"); fi
		single_ms[$k]="${single_ms[$k]:-} $a"
		citus_ms[$k]="${citus_ms[$k]:-} $b"
		echo "report repetition $r: ${report_queries[$k]%|*}: one node $a ms, two workers $b ms"
	done
done
# median [min-max] of a list of numbers
spread() { printf '%s\n' $1 | sort -n | awk '{v[NR]=$1} END {printf "%.1f [%.1f–%.1f]", v[int((NR+1)/2)], v[1], v[NR]}'; }
report_rows=()
for k in "${!report_queries[@]}"; do
	IFS='|' read -r view shape _ <<<"${report_queries[$k]}"
	ratios_k=$(paste -d' ' <(printf '%s\n' ${single_ms[$k]}) <(printf '%s\n' ${citus_ms[$k]}) | awk '{print $2 / $1}')
	report_rows+=("| $view | $shape | $(spread "${single_ms[$k]}") | $(spread "${citus_ms[$k]}") | $(spread "$ratios_k") |")
done
bad=$(psql -X -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_bench -c "
  SELECT count(*) FROM isms.organization o CROSS JOIN LATERAL isms.verify_events(o.org_id) v WHERE NOT v.valid")

section=$ISMS_WORK/section.md
{
	echo "<!-- citus:begin (generated by bench/citus.sh; do not edit) -->"
	echo "## Scale-out on Citus: one node vs two workers (issue 19)"
	echo
	echo "Generated by \`bash bench/citus.sh\`: $clients clients, each transaction sets the actor and creates an external record of one of $orgs organisations at random (\`isms.new_external_record\`: rules, event, chain at commit); $seconds s per layout and repetition, layouts alternating; \`fsync=on\`, \`synchronous_commit=on\`. *One node*: PostgreSQL 15 with the extension, no Citus. *Two workers*: Citus $CITUS_VERSION, the same load sent to the coordinator of \`isms.distribute()\`'d database (the organisations' shards on $nodes workers), so the figures include the coordinator's routing of every statement to the worker of its organisation."
	echo
	echo "| repetition | one node tps | two workers tps | ratio | one node ms/tx | two workers ms/tx |"
	echo "| --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Throughput ratio, two workers / one node: **$median** (median of $reps). Chains that failed to verify afterwards: $bad."
	echo
	echo "**What a report costs.** \`bench_auditor\`, an auditor of $orgs further organisations with $report_records external records each (the same rows in both layouts), reads a view: every organisation's rows, a BI page of them (\`LIMIT 100\`), one organisation's (\`WHERE org_id = n\`, n at random); one client, $report_seconds s per query, layout and repetition. On the cluster a view runs its query once per organisation of the caller, filtered by the organisation (docs/guide.md, *Scaling out*). A cell is the median [min–max] over $reps repetitions of pgbench's average latency in ms; the ratio is two workers / one node within a repetition."
	echo
	echo "| view | rows read | one node ms | two workers ms | ratio |"
	echo "| --- | --- | ---: | ---: | ---: |"
	printf '%s\n' "${report_rows[@]}"
	echo
	echo "All three Citus nodes run on this machine ($(nproc) cores, shared with other sessions; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end): the coordinator and both workers compete for the same cores as the single node had alone, so this measures Citus's overhead per write, not what separate worker machines would add."
	echo "<!-- citus:end -->"
} >"$section"
doc=$here/../docs/benchmarks.md
if grep -q '<!-- citus:begin' "$doc"; then
	awk -v f="$section" '/<!-- citus:begin/ {while ((getline l < f) > 0) print l; skip=1; next}
	     /<!-- citus:end -->/ {skip=0; next} !skip' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
else
	{ echo; cat "$section"; } >>"$doc"
fi
cat "$section"
