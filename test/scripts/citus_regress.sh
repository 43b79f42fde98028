#!/usr/bin/env bash
# test/scripts/citus_regress.sh -- the engine's regression files and
# isolation specs on a Citus cluster (issue 19, items 3 and 8).
#
# On the coordinator and two workers of test/lib/citus.sh, each file
# sql/NAME.sql runs in a database of its own that isms.distribute() has
# distributed before the file starts, with psql as pg_regress runs it (same
# flags, environment and database settings), and its output is compared with
# the single-node expected/NAME.out (diff -w, as pg_regress).  Both sides are
# normalised first by citus_normalise below, which removes only what Citus
# adds around an identical result (the lines naming the worker a statement
# ran on, shard names, the width of psql's header rule).  Each isolation
# spec test/specs/NAME.spec runs the same way, by pg_isolation_regress,
# against test/expected/NAME.out.  Then five checks of fixes found this way:
# no trigger mistakes a shard for another table; a committed lifecycle
# change reaches an open session's rules on the workers; a role with no
# access to the extension's schema writes its own tables (the engine's
# executor hook runs for every write of the database); a reader reports an
# incident and the role recorded on the worker reads back by name; and the
# removal sequence (DROP EXTENSION, then DROP SCHEMA on every node) leaves
# nothing behind.
#
# A file in SKIP below does not run; a file in DIFFERS (a spec in
# SPECS_DIFFER) runs and must differ, so that the lists cannot go stale.
# Each entry gives its reason, and the reasons are the differences
# docs/guide.md lists (Scaling out).  Exits 77 (skipped) only if the
# vendored Citus tarball is absent.  Run with
#   SCRIPTS=test/scripts/citus_regress.sh bash test/run.sh scripts
# (CITUS_REGRESS="engine risk" runs only those files, CITUS_SPECS="steps"
# only those specs, "-" none; CITUS_DROP=0 skips the removal check).  About
# 10 minutes once Citus is cached.
set -u

src=${ISMS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -n "${ISMS_WORK:-}" ] && [ -n "${ISMS_BIN:-}" ] && [ -n "${ISMS_BUILD:-}" ] ||
	{ echo "citus_regress: run through test/run.sh (needs ISMS_WORK, ISMS_BIN, ISMS_BUILD)"; exit 1; }
here=$(cd "$(dirname "$0")/../lib" && pwd)
. "$here/cluster.sh"
ISMS_SRC=$src
. "$here/citus.sh"

citus_vendor || { echo "citus_regress: no vendored citus-$CITUS_VERSION.tar.gz beside the clone: skipped"; exit 77; }

# name|reason: files that cannot give the single-node result on Citus
SKIP=(
)
# name|reason: files that run and differ from expected/ for a known reason
# (the first reason is what diverges first; docs/guide.md, Scaling out)
DIFFERS=(
	"authority|the founder's designation, written by a trigger on every node of the reference table, records as granter the role Citus connects as (the engine's owner); designations name roles as regrole values, which Citus deparses through pg_authid, unreadable to a member: 42501 for the engine's IS0xx/23503"
	"bi_reporting|a CTE with column aliases over a reference table is deparsed without them (column \"code\" does not exist); run_blockers and capability_profile are refused (test/scripts/citus.sh)"
	"capability|session_replication_role = replica is not sent to the workers: the fixture's backdated approved records are refused there by the engine's triggers (as tamper); then Citus cannot plan capability_profile (test/scripts/citus.sh)"
	"engine_cache|the catalog reads are counted by pg_stat_xact_user_tables on the coordinator, where Citus reads no row (as schedule); plan_run (the engine's owner) after the member's writes in one transaction: placements modified by a different user (as engine_e2e); ALTER TABLE ... DISABLE TRIGGER (as security_rules)"
	"engine_dml|RETURNING pg_temp.name(...) on a distributed table: Citus allows only immutable functions in RETURNING"
	"engine_e2e|the fixture acts as two roles in one transaction (SET ROLE to the approver between submit and approve): placements modified by a different user"
	"garbage|a NULL organisation is refused by Citus before the engine (22004, not IS015); reference-table writes after parallel DML in one transaction"
	"history_import|the simulated tampering: session_replication_role = replica is not sent to the workers, and a STABLE function in its UPDATE is refused (as tamper)"
	"history_load|the test's SQL helper history cannot be planned (parameters in an SQL function)"
	"incident|placements modified by a different user (as engine_e2e): a report as one member and triage as another in one transaction"
	"inventory|RETURNING pg_temp.name(...) (as engine_dml), which leaves a psql variable unset for the rest; a view in a scalar subquery of the select list of a query on a distributed table (cannot push down subquery on the target list)"
	"nonconformity|placements modified by a different user (as engine_e2e)"
	"register_reports|placements modified by a different user (as engine_e2e): the fixtures approve records in the same transaction as the owner's writes"
	"reporting|an UPDATE whose WHERE calls a volatile function is refused on a distributed table, so the records it expires stay current in the views; run_blockers is refused (as bi_reporting)"
	"reporting_membership|EXPLAIN of the views: on the cluster a view is a function scan of isms_report_rows (isms.distribute_views), not the single node's plan over the tables; capability_profile is refused (test/scripts/citus.sh)"
	"risk|placements modified by a different user (as engine_e2e), so later runs cannot start"
	"run_dates|COPY FROM into a table with row-level security is not supported by Citus (0A000)"
	"schedule|the review-cycle cache is measured by pg_stat_xact_user_tables on the coordinator, where Citus reads no row (the rows are on the workers); STABLE functions with column references in an UPDATE are refused (0A000, not IS034/IS035); the test's SQL helper show_planned cannot be planned"
	"security_matrix|the fixture creates an organisation (the engine's owner writes the founder's membership) and adds its members (as the admin) in one transaction: two connections to the membership's copies, a distributed deadlock"
	"security_rules|ALTER TABLE ... DISABLE TRIGGER inside a transaction is not supported on a distributed table"
	"soa|placements modified by a different user (as engine_e2e), so later runs cannot start"
	"tamper|session_replication_role = replica is not sent to the workers: the simulated tampering is refused there by the engine's triggers"
	"tamper_checkpoint|session_replication_role = replica is not sent to the workers (as tamper)"
	"trust_identity|Citus connects to the workers as the current role: after SET ROLE to a NOLOGIN group role (isms_manager) the shards cannot be reached (08006)"
	"trust_tenancy|a leak probe in a multi-shard view query must be immutable; a client-chosen duplicate run_id is not refused (23505)"
)

# name|reason: isolation specs that run and differ from test/expected/
SPECS_DIFFER=(
)

out=$ISMS_WORK/citus_regress
CITUS_DIR=$ISMS_WORK/citus_regress_cluster   # not citus.sh's (run before it)
mkdir -p "$out/results"
trap citus_cluster_stop EXIT
started=$SECONDS

citus_build_and_stage || { echo "citus_regress: could not build Citus"; exit 1; }
# every database has a Citus maintenance worker on every node
citus_cluster_start max_worker_processes=64 || { echo "citus_regress: could not start the cluster"; exit 1; }
echo "== citus_regress: coordinator on $CITUS_COORD, workers on $CITUS_W1 and $CITUS_W2"

listed() { # listed NAME LIST... -> the reason, if NAME is listed
	local n=$1 e
	shift
	for e in "$@"; do [ "${e%%|*}" = "$n" ] && { echo "${e#*|}"; return 0; }; done
	return 1
}

# tally STATUS NAME OK-TEXT FAILED-TEXT: count one check (STATUS 0: passed)
tally() {
	if [ "$1" = 0 ]; then
		echo "ok      $3"
		passed=$((passed + 1))
	else
		echo "FAILED  $4"
		failed=$((failed + 1))
		failures+=("$2")
	fi
}

# A distributed database as pg_regress would create it (its ALTER DATABASE
# settings), 4 shards of the organisations (on both workers).
regress_db() {
	local db=$1 p
	citus_distributed_db "$db" 4 >"$out/$db.distribute" 2>&1 || { cat "$out/$db.distribute"; return 1; }
	for p in $CITUS_COORD $CITUS_W1 $CITUS_W2; do
		psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL || return 1
ALTER DATABASE "$db" SET lc_messages TO 'C';
ALTER DATABASE "$db" SET lc_monetary TO 'C';
ALTER DATABASE "$db" SET lc_numeric TO 'C';
ALTER DATABASE "$db" SET lc_time TO 'C';
ALTER DATABASE "$db" SET bytea_output TO 'hex';
ALTER DATABASE "$db" SET timezone_abbreviations TO 'Default';
SQL
	done
	psql -X -q -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
		-c "CREATE SCHEMA regress_citus" -c "GRANT ALL ON SCHEMA regress_citus TO PUBLIC" || return 1
}

# The test helpers live in pg_temp, which exists only in the coordinator's
# session: Citus sends a query that calls one on a distributed table (say
# pg_temp.named(...) over isms.event) to the worker, where it is missing.
# The files therefore run from a copy of the tree in which pg_temp.F is
# regress_citus.F (a schema Citus creates on every node) and try.sql's
# id-name table is a reference table, written by pg_temp.name as its owner
# (Citus refuses a second role's write to a shard group another role has
# written in the same transaction); the output is mapped back.
helpers_tree() {
	local f
	mkdir -p "$out/tree/sql" "$out/tree/test/lib"
	for f in sql/*.sql test/lib/*.sql; do
		sed -E -e 's/\<pg_temp\./regress_citus./g' -e 's/SCHEMA pg_temp\>/SCHEMA regress_citus/g' \
			-e 's/^CREATE TEMP TABLE test_names (.*);$/CREATE TABLE regress_citus.test_names \1;\nDO $d$ BEGIN PERFORM create_reference_table($t$regress_citus.test_names$t$); END $d$;/' \
			-e 's/(INSERT INTO|FROM|ON) test_names\>/\1 regress_citus.test_names/g' "$f" >"$out/tree/$f"
	done
	sed -i -E 's/^    LANGUAGE sql AS \$\$$/    LANGUAGE sql SECURITY DEFINER AS $$/' "$out/tree/test/lib/try.sql"
	cp test/lib/*.json "$out/tree/test/lib/"
}

# What Citus adds around a result that is otherwise the same: the line that
# names the worker an error came from, shard names (table_102008), and so
# the width of psql's header rule (a message with a shard name is wider;
# diff -w already ignores the padding of the cells).
citus_normalise() {
	sed -E -e 's/\<regress_citus\./pg_temp./g' -e 's/SCHEMA regress_citus\>/SCHEMA pg_temp/g' \
		-e '/^CONTEXT:  while executing command on 127\.0\.0\.1:[0-9]+$/d' \
		-e 's/\<(isms\.)?([a-z_]+)_1[0-9]{5}\>/\1\2/g' \
		-e '/^-[-+]*$/s/-+/-/g' "$1"
}

# same_result EXPECTED RESULT BASE: 1 if RESULT gives EXPECTED once both are
# normalised (BASE.expected, BASE.normalised, BASE.diff are kept), else 0
same_result() {
	citus_normalise "$1" >"$3.expected"
	citus_normalise "$2" >"$3.normalised" 2>/dev/null
	if diff -w -U3 "$3.expected" "$3.normalised" >"$3.diff"; then echo 1; else echo 0; fi
}

# verdict NAME SAME REASON DIFF SECONDS: count a file or spec that gave the
# single-node result (SAME 1) or not, against its listed reason (empty if
# it is not listed as differing)
verdict() {
	if [ -n "$3" ]; then
		[ "$2" = 0 ]
		tally $? "$1" "$1 (differs as listed: $3) $5 s" "$1: listed as differing but gives the single-node result"
	else
		[ "$2" = 1 ] || cat "$4"
		[ "$2" = 1 ]
		tally $? "$1" "$1 $5 s" "$1 $5 s"
	fi
}

passed=0
failed=0
skipped=0
failures=()
cd "$ISMS_BUILD" || exit 1
helpers_tree

files=${CITUS_REGRESS:-$(ls sql/*.sql | sed -e 's|sql/||' -e 's|\.sql$||' | grep -v '^isms27022--')}
[ "$files" = - ] && files=
for t in $files; do
	if reason=$(listed "$t" "${SKIP[@]}"); then
		echo "skipped $t: $reason"
		skipped=$((skipped + 1))
		continue
	fi
	t0=$SECONDS
	db=isms_cr_$t
	regress_db "$db" || { echo "citus_regress: cannot prepare a database for $t"; failed=$((failed + 1)); continue; }
	(cd "$out/tree" && PGTZ=UTC PGDATESTYLE='Postgres, MDY' PGAPPNAME=pg_regress \
		psql -X -a -q -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d "$db" \
		-v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on <"sql/$t.sql" >"$out/results/$t.out" 2>&1)
	same=$(same_result "expected/$t.out" "$out/results/$t.out" "$out/results/$t")
	verdict "$t" "$same" "$(listed "$t" "${DIFFERS[@]}")" "$out/results/$t.diff" $((SECONDS - t0))
done

# The isolation specs (test/specs), each in a distributed database of its
# own, run by pg_isolation_regress against the coordinator and compared with
# the single-node test/expected/NAME.out as the files above.  Citus's own
# isolation tests replace the tester's "is this session blocked" probe with
# citus_isolation_test_session_is_blocked (replace_isolation_tester_func):
# a session waiting for a lock on a worker counts as blocked.
isolation_regress=$(dirname "$(dirname "$(/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config --pgxs)")")/test/isolation/pg_isolation_regress
specs=${CITUS_SPECS:-$(ls test/specs/*.spec | sed -e 's|test/specs/||' -e 's|\.spec$||')}
[ "$specs" = - ] && specs=
for t in $specs; do
	t0=$SECONDS
	db=isms_ci_$t
	regress_db "$db" &&
		psql -X -q -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
			-c "SELECT citus_internal.replace_isolation_tester_func()" >/dev/null ||
		{ echo "citus_regress: cannot prepare a database for spec $t"; failed=$((failed + 1)); continue; }
	mkdir -p "$out/isolation/$t"
	PGTZ=UTC PGDATESTYLE='Postgres, MDY' "$isolation_regress" --use-existing --host=127.0.0.1 \
		--port="$CITUS_COORD" --user=postgres --dbname="$db" --inputdir=test \
		--outputdir="$out/isolation/$t" "$t" >"$out/isolation/$t/log" 2>&1
	same=$(same_result "test/expected/$t.out" "$out/isolation/$t/results/$t.out" "$out/results/spec_$t")
	verdict "spec $t" "$same" "$(listed "$t" "${SPECS_DIFFER[@]}")" "$out/results/spec_$t.diff" $((SECONDS - t0))
done

# Engine triggers fire on the shards and must name the table they stand
# for: no output may show the engine mistaking a shard for another table
# (register_lookup, schedule_event_trigger).
bad=$(grep -lE 'is not a register|_trigger: not for table' "$out"/results/*.out 2>/dev/null | xargs -r -n1 basename | paste -sd' ')
[ -z "$bad" ]
tally $? shard-names "no trigger mistook a shard for another table" \
	"a trigger mistook a shard for another table in: $bad"

# Removal (issue 19 item 8): DROP EXTENSION ... CASCADE drops the tables
# but leaves their shards on every node (and the reference tables' copies
# on the coordinator) in schema isms.  The supported sequence (docs/guide.md,
# Removing the extension) drops the schemas afterwards on every node; then
# no relation of the extension is left anywhere.
leftovers() { # leftovers PORT DB: relations of the extension's schemas, shards included
	psql -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "SET citus.override_table_visibility = off" \
		-c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		     WHERE n.nspname IN ('isms', 'isms_report')"
}
if [ "${CITUS_DROP:-1}" = 1 ]; then
	regress_db isms_cr_drop || exit 1
	# a committed lifecycle change reaches the rules of a worker backend
	# that had the lifecycles cached (the trigger fires on the shard of the
	# reference table and must invalidate the table's cache entry)
	got=$(psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_cr_drop -v ON_ERROR_STOP=1 2>&1 <<'SQL'
CREATE FUNCTION public.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'ok'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$;
SET isms.actor = 'alice';
SELECT isms.create_organization('Lifecycle Ltd') AS org \gset
SELECT isms.new_external_record(:org, 'security_event', 'Lost badge') AS ev \gset
SELECT isms.submit_record(:ev) \gset
SET isms.actor = 'bob';
SELECT isms.approve_record(:ev) \gset
SET isms.actor = 'alice';
SELECT isms.plan_run(:org, '7.9', 'Lost badge') AS run \gset
SELECT isms.add_input(:run, :ev) \gset
SELECT isms.start_run(:run) \gset
SELECT sqlstate_of(format('SELECT isms.suspend_run(%s, %L)', :run, 'wait'))
    || ' ' || sqlstate_of(format('SELECT isms.resume_run(%s)', :run));
DELETE FROM isms.lifecycle_transition WHERE kind = 'run' AND from_state = 'active' AND to_state = 'suspended';
SELECT sqlstate_of(format('SELECT isms.suspend_run(%s, %L)', :run, 'wait'));
SELECT sqlstate_of(format('SELECT isms.set_review_cycle(%s, %L, retention_months => 84)', :org, 'security_event'));
SQL
)
	[ "$(echo "$got" | paste -sd' ')" = "ok ok IS001 ok" ]
	tally $? lifecycle-cache "a committed lifecycle change reaches the workers' rules; review cycles on the shards" \
		"lifecycle change / review cycle on the cluster: '$got', expected 'ok ok IS001 ok'"
	# the engine's hook runs for every write in the database: a role with no
	# access to the extension's schema still writes its own tables
	got=$(psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_cr_drop -v ON_ERROR_STOP=1 2>&1 <<'SQL'
CREATE ROLE regress_citus_outsider LOGIN;
CREATE TABLE public.outsider_notes (k integer PRIMARY KEY, note text);
SELECT create_distributed_table('public.outsider_notes', 'k') \gset
GRANT INSERT, SELECT ON public.outsider_notes TO regress_citus_outsider;
SET ROLE regress_citus_outsider;
INSERT INTO public.outsider_notes VALUES (1, 'mine');
SELECT count(*) FROM public.outsider_notes;
RESET ROLE;
DROP TABLE public.outsider_notes;
DROP ROLE regress_citus_outsider;
SQL
)
	[ "$got" = 1 ]
	tally $? outsider-write "a role without access to schema isms writes its own distributed table" \
		"a role without access to schema isms writing its own table: '$got', expected '1'"
	# a reader reports an incident (a column-level INSERT grant: Citus names
	# every defaulted column in the shard's INSERT), and the role the engine
	# recorded on the worker reads back by name (its OID is the worker's)
	got=$(psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_cr_drop -v ON_ERROR_STOP=1 2>&1 <<'SQL'
CREATE ROLE regress_citus_reporter LOGIN IN ROLE isms_reader;
SELECT isms.create_organization('Report Ltd') AS org \gset
SELECT isms.add_member(:org, 'regress_citus_reporter', 'reader') \gset
SET ROLE regress_citus_reporter;
SELECT isms.report_incident(:org, 'Lost badge') IS NOT NULL;
SELECT reported_by FROM isms.incident WHERE org_id = :org;
SQL
)
	[ "$(echo "$got" | paste -sd' ')" = "t regress_citus_reporter" ]
	tally $? member-roles "a reader reports an incident; the role recorded on the worker reads back by name" \
		"a reader's incident report on the cluster: '$got', expected 't regress_citus_reporter'"
	# a designated member imports history: the batch is opened and advanced
	# on the organisation's node, whose triggers stamp the record and its
	# event with the business time and the batch; the chain verifies
	got=$(psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_cr_drop -v ON_ERROR_STOP=1 2>&1 <<'SQL'
CREATE ROLE regress_citus_importer LOGIN IN ROLE isms_manager;
SET isms.actor = 'alice';
SELECT isms.create_organization('Import Ltd') AS org \gset
SELECT isms.add_member(:org, 'regress_citus_importer', 'manager') \gset
SELECT isms.designate(:org, 'regress_citus_importer', 'history_importer') \gset
RESET isms.actor;
SET ROLE regress_citus_importer;
BEGIN;
SELECT isms.begin_import(:org, 'archive') AS batch \gset
SELECT isms.import_at('2025-01-06 08:00+00') \gset
SELECT isms.new_external_record(:org, 'business_context', 'Strategy 2025') AS rec \gset
COMMIT;
SELECT created_at = '2025-01-06 08:00+00' FROM isms.record WHERE org_id = :org AND record_id = :rec;
SELECT count(*) FROM isms.event WHERE org_id = :org AND import_batch = :batch AND business_at = '2025-01-06 08:00+00';
SELECT last_at = '2025-01-06 08:00+00' FROM isms.import_batch WHERE org_id = :org AND batch_id = :batch;
RESET ROLE;
SELECT valid FROM isms.verify_events(:org);
SQL
)
	[ "$(echo "$got" | paste -sd' ')" = "t 1 t t" ]
	tally $? history-import "a member imports history: the record and its event take the business time on the worker" \
		"a history import on the cluster: '$got', expected 't 1 t t'"
	psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d isms_cr_drop -v ON_ERROR_STOP=1 \
		-c "SELECT isms.create_organization('Drop Ltd')" -c "SET client_min_messages = warning" \
		-c "DROP EXTENSION isms27022 CASCADE" >"$out/drop.log" 2>&1 ||
		{ cat "$out/drop.log"; echo "FAILED  DROP EXTENSION on a distributed database"; failed=$((failed + 1)); }
	left=$(for p in $CITUS_COORD $CITUS_W1 $CITUS_W2; do leftovers "$p" isms_cr_drop; done | paste -sd' ')
	echo "        after DROP EXTENSION: relations left on coordinator, worker 1, worker 2: $left"
	for p in $CITUS_COORD $CITUS_W1 $CITUS_W2; do
		psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d isms_cr_drop -c "SET client_min_messages = warning" \
			-c "DROP SCHEMA IF EXISTS isms, isms_report CASCADE" >>"$out/drop.log" 2>&1
	done
	left=$(for p in $CITUS_COORD $CITUS_W1 $CITUS_W2; do leftovers "$p" isms_cr_drop; done | paste -sd' ')
	[ "$left" = "0 0 0" ]
	tally $? removal "removal: DROP EXTENSION, then DROP SCHEMA on every node leaves nothing" \
		"removal: relations left after DROP SCHEMA on every node: $left"
fi

echo "citus_regress: $passed passed, $failed failed, $skipped skipped in $((SECONDS - started)) s"
if [ "$failed" -gt 0 ]; then
	echo "citus_regress: failed: ${failures[*]} (results: $out/results, logs: $CITUS_DIR/*.log)"
	exit 1
fi
