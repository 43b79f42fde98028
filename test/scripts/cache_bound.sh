#!/usr/bin/env bash
# test/scripts/cache_bound.sh -- the model cache is bounded and its
# invalidation names the organisation that changed (issue 14).
#
# One backend, logged in as the admin of 10,000 organisations (created in
# one statement), plans a run of 7.9 for every one of them; then 3,000 of
# them get an activity of their own in 7.9 (one statement of another
# backend) and it plans a run for each again.  After each round the model
# cache's memory contexts (pg_backend_memory_contexts) stay under 4 MB
# (untailored) and 8 MB (tailored), all of the backend's under 16 MB, and
# every run got the steps of its organisation's model (5, or 6 when
# tailored), also for organisations evicted meanwhile, which read their
# entries again.  Then another backend tailors one organisation and
# excludes a process for ten others in one statement: the first backend
# reads nothing of the catalog for two other organisations (one tailored,
# one not) and reads the changed one again; a statement that changes rows
# of 100 organisations (more than a transaction names one by one) drops its
# whole cache.  Catalog reads are counted per transaction in the backend
# (pg_stat_xact_user_tables, after a forced flush of its statistics).  Uses
# the runner's cluster (PGHOST, PGPORT, PGUSER); exits non-zero on failure.
set -u

db=isms_cache_bound
out=$ISMS_WORK/cache_bound.out
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
fail() { echo "cache_bound: $*"; exit 1; }
cleanup() {
	sql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	sql -d postgres -c "DROP ROLE IF EXISTS cache_bound_admin" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

sql -d postgres -c "CREATE DATABASE $db" || fail "cannot create database"
sql -d "$db" -c "CREATE EXTENSION isms27022" || fail "cannot create extension"
sql -d "$db" -c "CREATE ROLE cache_bound_admin LOGIN IN ROLE isms_admin, pg_read_all_stats" \
	-c "GRANT EXECUTE ON FUNCTION pg_stat_force_next_flush() TO cache_bound_admin" || fail "cannot create the role"
read -r first last < <(sql -d "$db" -U cache_bound_admin -F ' ' -c \
	"SELECT min(o), max(o) FROM (SELECT isms.create_organization('Org ' || i) o FROM generate_series(1, 10000) i) s") ||
	fail "cannot create the organisations"
other=$((last - 1))
tailored=$((first + 2999))

# the tested backend: one session throughout
sql -d "$db" -U cache_bound_admin >"$out" 2>&1 <<SQL
-- a run of 7.9 for an organisation; the number of steps it got
CREATE FUNCTION pg_temp.steps(org bigint) RETURNS bigint
    LANGUAGE plpgsql AS \$\$
DECLARE
    run bigint := isms.plan_run(org, '7.9', 'Bound');
BEGIN
    RETURN (SELECT count(*) FROM isms.step WHERE run_id = run);
END \$\$;
CREATE VIEW pg_temp.memory AS
SELECT sum(total_bytes) FILTER (WHERE name LIKE 'isms%') AS cache,
       sum(total_bytes) AS backend
  FROM pg_backend_memory_contexts;
CREATE VIEW pg_temp.reads AS
SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) AS n
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'isms'
   AND relname IN ('activity', 'process_input', 'activity_input', 'process_output', 'process_exclusion',
                   'membership', 'run_transition', 'step_transition', 'record_transition');

SELECT 'untailored steps: ' || min(s) || '-' || max(s)
  FROM (SELECT pg_temp.steps(org_id) s FROM isms.organization ORDER BY org_id) r;
SELECT 'untailored memory: ' || cache || ' ' || backend FROM pg_temp.memory;
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT 'evicted: ' || pg_temp.steps($first) || ' ' || (SELECT n > 0 FROM pg_temp.reads);
COMMIT;
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT 'kept: ' || pg_temp.steps($last) || ' ' || (SELECT n FROM pg_temp.reads);
COMMIT;

\! psql -X -qAt -v ON_ERROR_STOP=1 -d $db -c "INSERT INTO isms.activity (process_id, org_id, activity_no, name, optional) SELECT p.process_id, o.org_id, 6, 'Local review', true FROM isms.organization o, isms.process p WHERE o.org_id BETWEEN $first AND $tailored AND p.code OPERATOR(isms.=) '7.9'::isms.clause AND p.org_id IS NULL"
SELECT 'tailored steps: ' || min(s) || '-' || max(s)
  FROM (SELECT pg_temp.steps(org_id) s FROM isms.organization WHERE org_id BETWEEN $first AND $tailored ORDER BY org_id) r;
SELECT 'tailored memory: ' || cache || ' ' || backend FROM pg_temp.memory;
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT 'tailored evicted: ' || pg_temp.steps($first) || ' ' || (SELECT n > 0 FROM pg_temp.reads);
COMMIT;
SELECT 'warm: ' || pg_temp.steps($other) || ' ' || pg_temp.steps($tailored) || ' ' || pg_temp.steps($last);

\! psql -X -qAt -v ON_ERROR_STOP=1 -U cache_bound_admin -d $db -c "SELECT isms.add_activity($last, '7.9', 'Call the regulator')" >/dev/null
\! psql -X -qAt -v ON_ERROR_STOP=1 -d $db -c "INSERT INTO isms.process_exclusion (org_id, process_id, justification) SELECT org_id, isms.process_id(org_id, '8.5'), 'Bulk' FROM isms.organization WHERE org_id BETWEEN $((first + 5000)) AND $((first + 5009))"
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT 'others: ' || pg_temp.steps($other) || ' ' || pg_temp.steps($tailored) || ' ' || (SELECT n FROM pg_temp.reads);
SELECT 'changed: ' || pg_temp.steps($last) || ' ' || (SELECT n > 0 FROM pg_temp.reads);
COMMIT;
\! psql -X -qAt -v ON_ERROR_STOP=1 -d $db -c "INSERT INTO isms.process_exclusion (org_id, process_id, justification) SELECT org_id, isms.process_id(org_id, '8.5'), 'Bulk' FROM isms.organization WHERE org_id BETWEEN $((first + 6000)) AND $((first + 6099))"
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT 'bulk: ' || pg_temp.steps($other) || ' ' || (SELECT n > 0 FROM pg_temp.reads);
COMMIT;
SQL
[ $? -eq 0 ] || fail "the session failed: $(cat "$out")"

# "label: a b ..." -> the fields after the label
field() { sed -n "s/^$1: //p" "$out"; }
# the bounds: 8,192 organisations' entries (about 2 MB) and 4 MB of tailored models (src/model_cache.c)
mb=$((1024 * 1024))
for round in untailored:4 tailored:8; do
	read -r cache backend < <(field "${round%:*} memory")
	[ -n "$cache" ] || fail "no memory figure for the ${round%:*} round: $(cat "$out")"
	[ "$cache" -le $((${round#*:} * mb)) ] || fail "${round%:*}: the model cache holds $cache bytes, more than ${round#*:} MB"
	[ "$backend" -le $((16 * mb)) ] || fail "${round%:*}: the backend's contexts hold $backend bytes, more than 16 MB"
	echo "cache_bound: ${round%:*}, 10,000 organisations: model cache $cache bytes, backend contexts $backend bytes"
done
[ "$(field 'untailored steps')" = "5-5" ] || fail "wrong steps before tailoring: $(field 'untailored steps')"
[ "$(field 'evicted')" = "5 true" ] || fail "an evicted organisation: $(field 'evicted') (want 5 steps, read again)"
[ "$(field 'kept')" = "5 0" ] || fail "the last organisation: $(field 'kept') (want 5 steps, no read)"
[ "$(field 'tailored steps')" = "6-6" ] || fail "wrong steps after tailoring: $(field 'tailored steps')"
[ "$(field 'tailored evicted')" = "6 true" ] || fail "an evicted tailored organisation: $(field 'tailored evicted')"
[ "$(field 'others')" = "5 6 0" ] || fail "another backend's change of other organisations: $(field 'others') (want 5 6 0)"
[ "$(field 'changed')" = "6 true" ] || fail "the organisation another backend tailored: $(field 'changed') (want 6, read again)"
[ "$(field 'bulk')" = "5 true" ] || fail "a statement that changes 100 organisations: $(field 'bulk') (want 5, read again)"
echo "cache_bound: evicted organisations read again with the same steps; another backend's change drops only its organisation's entries"
