#!/usr/bin/env bash
# test/scripts/views_scale.sh -- the reporting views cost what the caller can
# see, not what the database holds (issue 14; 090_views.sql).
#
# Builds three databases of 100, 1,000 and 10,000 organisations (each made
# by isms.create_organization with an admin, with a planned run and a
# record in review), and a reader who is a member of 100 of them, spread
# over the org ids.  For every view of isms_report, read by the reader
# without an org filter as a page of LIMIT 100, EXPLAIN (ANALYZE, BUFFERS)
# must show in every database:
#   - the planner estimating the caller's memberships at 100 rows (the
#     support function of isms.my_organizations, not a third of the
#     organisations);
#   - the plan starting from them: a nested loop whose outer side is the
#     function scan;
#   - the same number of rows;
#   - rows read from the tables at 10,000 organisations at most 1.2 times
#     those at 100 (at 100 organisations the reader sees the whole
#     database, so nothing can be saved there);
#   - buffers at 10,000 organisations at most 1.2 times those at 1,000 (at
#     100, tables of one page are read by sequential scans, so buffers are
#     compared once the tables outgrow a page or two).
# Plan properties only, no timing (bench/ times; see docs/benchmarks.md).
# Uses the runner's cluster (PGHOST, PGPORT, PGUSER); exits non-zero on
# failure.
set -u

sizes=(100 1000 10000)
admin=isms_views_scale_admin
reader=isms_views_scale_reader
out=$ISMS_WORK/views_scale
mkdir -p "$out"
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
fail() { echo "views_scale: $*"; exit 1; }
cleanup() {
	local n
	for n in "${sizes[@]}"; do sql -d postgres -c "DROP DATABASE IF EXISTS isms_views_$n" >/dev/null 2>&1; done
	sql -d postgres -c "DROP ROLE IF EXISTS $admin, $reader" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
sql -d postgres -c "CREATE ROLE $admin LOGIN; CREATE ROLE $reader LOGIN" || fail "cannot create the roles"

# One database of $1 organisations, each with an admin, a planned run and a
# record in review; the reader in every ($1/100)th.
build() {
	sql -d postgres -c "CREATE DATABASE isms_views_$1" &&
		sql -d "isms_views_$1" -v orgs="$1" -v admin=$admin -v reader=$reader >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION isms27022;
GRANT isms_admin TO :admin;
GRANT isms_reader TO :reader;
SET isms.actor = 'alice';
SELECT count(isms.create_organization('Organisation ' || i, :'admin')) FROM generate_series(1, :orgs) i;
SELECT count(isms.plan_run(org_id, '7.2', 'Policy', 'alice')) FROM isms.organization;
SELECT count(*) FROM (SELECT isms.submit_record(isms.new_external_record(org_id, 'legal_obligation', 'Law'))
                       FROM isms.organization) s;
INSERT INTO isms.membership (org_id, member, org_role)
SELECT org_id, :'reader', 'reader' FROM isms.organization WHERE org_id % (:orgs / 100) = 0;
VACUUM ANALYZE;
SQL
}

# Per view: estimated memberships, the plan's driver, rows, rows read from
# tables and buffers of a LIMIT 100 page read by the reader (after one
# read that warms the backend's caches).
measure() {
	sql -d "isms_views_$1" -F ' ' -v reader=$reader <<'SQL'
CREATE FUNCTION pg_temp.measure(view text, OUT estimate float8, OUT driver text, OUT nrows bigint,
                                OUT tuples numeric, OUT buffers numeric) LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
    loop_node jsonb;
BEGIN
    EXECUTE format('SELECT count(*) FROM (SELECT * FROM isms_report.%I LIMIT 100) p', view);
    EXECUTE format('EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM isms_report.%I LIMIT 100', view) INTO plan;
    loop_node := plan->0->'Plan'->'Plans'->0;
    driver := replace(concat_ws('>', loop_node->>'Node Type', loop_node->'Plans'->0->>'Node Type',
                                loop_node->'Plans'->0->>'Function Name'), ' ', '_');
    estimate := (loop_node->'Plans'->0->>'Plan Rows')::float8;
    nrows := (plan->0->'Plan'->>'Actual Rows')::bigint;
    SELECT coalesce(sum(((n->>'Actual Rows')::numeric + coalesce((n->>'Rows Removed by Filter')::numeric, 0))
                        * (n->>'Actual Loops')::numeric), 0)
      INTO tuples
      FROM jsonb_path_query(plan, 'lax $.**') n
     WHERE jsonb_typeof(n) = 'object' AND n ? 'Relation Name';
    buffers := (plan->0->'Plan'->>'Shared Hit Blocks')::numeric + (plan->0->'Plan'->>'Shared Read Blocks')::numeric;
END $$;
SET ROLE :reader;
SELECT c.relname, m.* FROM pg_class c, pg_temp.measure(c.relname) m
 WHERE c.relnamespace = 'isms_report'::regnamespace AND c.relkind = 'v' ORDER BY c.relname COLLATE "C";
SQL
}

for n in "${sizes[@]}"; do
	build "$n" || fail "cannot build the database of $n organisations"
	measure "$n" >"$out/$n" || fail "cannot measure the views at $n organisations"
done

# view estimate driver rows tuples buffers, one line per database size
LC_ALL=C join -j1 "$out/100" "$out/1000" | LC_ALL=C join -j1 - "$out/10000" >"$out/all"
printf '%-25s %8s %10s %10s %10s %10s %10s\n' view estimate tuples@100 tuples@10k buffers@1k buffers@10k rows
bad=0
while read -r view e1 d1 r1 t1 b1 e2 d2 r2 t2 b2 e3 d3 r3 t3 b3; do
	printf '%-25s %8s %10s %10s %10s %10s %10s\n' "$view" "$e3" "$t1" "$t3" "$b2" "$b3" "$r3"
	for e in "$e1" "$e2" "$e3"; do
		[ "$e" = 100 ] || { echo "  $view: memberships estimated at $e rows, not 100"; bad=1; }
	done
	for d in "$d1" "$d2" "$d3"; do
		[ "$d" = "Nested_Loop>Function_Scan>my_organizations" ] ||
			{ echo "  $view: the plan does not start from the memberships ($d)"; bad=1; }
	done
	[ "$r1" = "$r2" ] && [ "$r2" = "$r3" ] || { echo "  $view: rows $r1, $r2, $r3 differ"; bad=1; }
	awk -v a="$t3" -v b="$t1" 'BEGIN { exit !(a <= 1.2 * b) }' ||
		{ echo "  $view: $t3 rows read at 10,000 organisations, $t1 at 100"; bad=1; }
	awk -v a="$b3" -v b="$b2" 'BEGIN { exit !(a <= 1.2 * b) }' ||
		{ echo "  $view: $b3 buffers at 10,000 organisations, $b2 at 1,000"; bad=1; }
done <"$out/all"
[ "$(wc -l <"$out/all")" -ge 9 ] || fail "not every view was measured: $(cat "$out/all")"
[ $bad -eq 0 ] || fail "a view's cost grows with the database"
echo "views_scale: $(wc -l <"$out/all") views, reader of 100 organisations: estimate 100, plans start from the memberships, rows read and buffers flat from 100 to 10,000 organisations"
