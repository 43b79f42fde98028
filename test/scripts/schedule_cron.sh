#!/usr/bin/env bash
# test/scripts/schedule_cron.sh -- recurring work planned by a real pg_cron,
# as docs/schedules.md sets it up.
#
# A cluster of its own (shared_preload_libraries = pg_cron,
# cron.database_name = isms, jobs in background workers), one
# organisation with two schedules: an access review due in 5 days (lead
# time 30 days: due to be planned) and an audit due in 100 days (lead time
# 10 days: not yet).  isms_cron (LOGIN, member of isms_scheduler, nothing
# else) schedules the job with the one cron.schedule call of the docs,
# every 10 seconds if the installed pg_cron takes seconds, else every
# minute.  The test never calls the planner: it waits until pg_cron has
# run the job successfully twice, then checks that the access review was
# planned exactly once, by isms_cron, with its due date and lead time, the
# audit not at all, and that the organisation's chain verifies.  Exit 77
# (skipped) if pg_cron cannot be installed.
set -u
. "$ISMS_BUILD/test/lib/cluster.sh"
. "$ISMS_BUILD/test/lib/scenario.sh"

dir=$ISMS_WORK/schedule_cron
cleanup() {
	isms_extra_cluster_stop "$dir/cluster"
	[ "${ISMS_KEEP:-0}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "schedule_cron: $*" >&2; exit 1; }
isms_extra_cluster_stop "$dir/cluster"
rm -rf "$dir"

# pg_cron from Debian, copied into the staged server the runner built
stage=${ISMS_BIN%/usr/lib/postgresql/*}
if [ ! -f "$ISMS_BIN/../lib/pg_cron.so" ]; then
	if ! dpkg -s postgresql-$ISMS_PGVER-cron >/dev/null 2>&1; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null && apt-get install -y -qq postgresql-$ISMS_PGVER-cron >/dev/null ||
			{ echo "schedule_cron: skipped, postgresql-$ISMS_PGVER-cron cannot be installed"; exit 77; }
	fi
	for f in $(dpkg -L postgresql-$ISMS_PGVER-cron | grep -E "^/usr/(lib|share)/postgresql/$ISMS_PGVER/(lib/pg_cron\.so|extension/pg_cron)"); do
		install -D -m 644 "$f" "$stage$f" || fail "could not stage $f"
	done
fi

port=$(isms_extra_cluster_start "$dir/cluster" shared_preload_libraries=pg_cron cron.database_name=isms \
	cron.use_background_workers=on max_worker_processes=16) || fail "could not start a cluster with pg_cron"
export PGPORT=$port PGDATABASE=isms
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE isms" || exit 1
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION isms27022" || exit 1
version=$(psql -qXAt -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")

# the organisation, its schedules, and the planner's login role
org=$(psql -qXAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT isms.create_organization('Cron Ltd') AS org \gset
SELECT isms.add_schedule(:org, '8.3', 'Access review', current_date + 5, 3, 30);
SELECT isms.add_schedule(:org, '7.11', 'Internal audit', current_date + 100, 12, 10);
CREATE ROLE isms_cron LOGIN IN ROLE isms_scheduler;
GRANT USAGE ON SCHEMA cron TO isms_cron;
SELECT :org;
SQL
) || fail "could not set up the database"
org=$(tail -1 <<<"$org")

# The job, as docs/schedules.md schedules it (there: daily at 05:00).
interval='10 seconds'
jobid=$(psql -qXAt -U isms_cron -c "SELECT cron.schedule('isms-plan-due-runs', '$interval', 'SELECT isms.plan_due_runs()')" 2>/dev/null)
if [ -z "$jobid" ]; then
	interval='* * * * *'
	jobid=$(psql -qXAt -v ON_ERROR_STOP=1 -U isms_cron -c "SELECT cron.schedule('isms-plan-due-runs', '$interval', 'SELECT isms.plan_due_runs()')") ||
		fail "isms_cron could not schedule the job"
fi
job=$(psql -qXAt -F ' ' -c "SELECT jobname, username, database, active FROM cron.job WHERE jobid = $jobid")
[ "$job" = "isms-plan-due-runs isms_cron isms t" ] || fail "cron.job holds: $job"

# Wait for pg_cron to run it twice (up to 200 s); a failed run fails the test.
runs=0
for _ in $(seq 1 200); do
	bad=$(psql -qXAt -c "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
	                      WHERE jobid = $jobid AND status NOT IN ('starting', 'running', 'succeeded') LIMIT 1")
	[ -z "$bad" ] || fail "pg_cron ran the job: $bad"
	runs=$(psql -qXAt -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'")
	[ "$runs" -ge 2 ] && break
	sleep 1
done
[ "$runs" -ge 2 ] || fail "pg_cron ran the job $runs times in 200 s (cron.job_run_details: $(psql -qXAt -c "SELECT count(*) FROM cron.job_run_details"))"

# What it planned: the access review once, by isms_cron; the audit not yet.
got=$(psql -qXAt -F ' ' -v ON_ERROR_STOP=1 <<SQL
SELECT s.title, sr.due = current_date + 5, r.planned_start = current_date - 25, r.state, r.owner
  FROM isms.schedule_run sr JOIN isms.schedule s USING (org_id, schedule_id) JOIN isms.run r USING (org_id, run_id)
 WHERE sr.org_id = $org ORDER BY s.title;
SELECT e.actor, e.object_type, e.action, count(*) FROM isms.event e
 WHERE e.org_id = $org AND e.action = 'plan' GROUP BY 1, 2, 3 ORDER BY 2;
SELECT valid FROM isms.verify_events($org);
SQL
) || fail "could not read what was planned"
want="Access review t t planned isms_cron
isms_cron run plan 1
isms_cron schedule plan 1
t"
[ "$got" = "$want" ] || fail "after $runs runs of the job, expected:
$want
got:
$got"
echo "schedule_cron: pg_cron $version ran 'SELECT isms.plan_due_runs()' as isms_cron every '$interval' ($runs runs): the access review planned once, the audit not yet, chain valid"
