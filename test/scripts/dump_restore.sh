#!/usr/bin/env bash
# test/scripts/dump_restore.sh -- pg_dump -Fc and pg_restore of a database
# with history, on the runner's cluster.
#
# Fills a database with three organisations (completed, open and cancelled
# runs, versions, approvals, a withdrawal), dumps it, and shows that:
#   - a plain pg_restore is refused by the engine's triggers (restored rows
#     such as organisations, completed runs and events cannot be inserted as
#     new ones: an organisation restored that way would open a fresh chain);
#     without --exit-on-error it exits non-zero, and no organisation of what
#     it half-restored verifies against the checkpoint (isms.chain_head)
#     an auditor took before the dump;
#   - PGOPTIONS='-c session_replication_role=replica' pg_restore (as a
#     superuser: it disables the triggers, as for logical replication)
#     restores everything: the same rows in every operational table, the
#     catalog once (not duplicated), every event chain valid, and valid
#     against the checkpoints taken before the dump, the engine's
#     invariants intact;
#   - the engine works afterwards: a new run continues the event chain and
#     gets an id after every restored one.
set -u
. "$ISMS_BUILD/test/lib/scenario.sh"

dir=$ISMS_WORK/dump
src=isms_dump_src
dst=isms_dump_dst
plain=isms_dump_plain
half=isms_dump_half
mkdir -p "$dir"
cleanup() {
	local d
	for d in $src $dst $plain $half; do psql -qX -d postgres -c "DROP DATABASE IF EXISTS $d" 2>/dev/null; done
}
trap cleanup EXIT
fail() { echo "dump_restore: $*" >&2; exit 1; }

cleanup
psql -qX -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" -c "CREATE DATABASE $plain" -c "CREATE DATABASE $half" || exit 1
psql -qX -d $src -c "CREATE EXTENSION isms27022" || exit 1
isms_scenario_install -d $src || exit 1
psql -qXAt -v ON_ERROR_STOP=1 -d $src \
	-c "SELECT isms_scenario.fill('Acme', 3), isms_scenario.fill('Globex', 2), isms_scenario.fill('Initech', 1)" \
	>/dev/null || fail "could not fill the source database"

# the auditor's checkpoints, taken before the dump: one VALUES row per organisation
checkpoints=$(psql -qXAt -v ON_ERROR_STOP=1 -d $src -c "SELECT string_agg(format('(%s, %s, %L::bytea)',
	h.org_id, h.event_no, h.hash), ', ') FROM isms.organization o, isms.chain_head(o.org_id) h") ||
	fail "could not take the checkpoints"
# how many organisations verify against their checkpoint (a missing one counts as not)
verified() {
	psql -qXAt -d "$1" -c "SELECT count(*) FILTER (WHERE v.valid) || ' of ' || count(*)
		FROM (VALUES $checkpoints) c (org, no, hash)
		LEFT JOIN LATERAL (SELECT * FROM isms.verify_events(c.org, c.no, c.hash)
		                    WHERE EXISTS (SELECT FROM isms.event_chain h WHERE h.org_id = c.org)) v ON true"
}

"$ISMS_BIN/pg_dump" -Fc -d $src -f "$dir/isms.dump" || fail "pg_dump failed"

# without disabling the triggers the engine refuses the restored rows
if "$ISMS_BIN/pg_restore" --exit-on-error -d $plain "$dir/isms.dump" 2>"$dir/plain.err"; then
	fail "a plain pg_restore was accepted: the engine's triggers did not fire"
fi
grep -qE "COPY failed for table .*(append-only|must be created|set by the engine|created by the engine)" "$dir/plain.err" || { cat "$dir/plain.err" >&2; fail "the plain restore failed, but not by a rule of the engine"; }

# the plain restore a DBA types, without --exit-on-error: it fails loudly, and
# what it did restore does not pass as the organisations the auditor knew
if "$ISMS_BIN/pg_restore" -d $half "$dir/isms.dump" 2>"$dir/half.err"; then
	fail "a plain pg_restore exited 0"
fi
half_verified=$(verified $half)
case $half_verified in
"0 of "*) ;;
*) fail "after a half restore, $half_verified organisations verify against their checkpoints" ;;
esac

PGOPTIONS='-c session_replication_role=replica' \
	"$ISMS_BIN/pg_restore" --exit-on-error -d $dst "$dir/isms.dump" || fail "pg_restore with session_replication_role=replica failed"

# the same rows: count and checksum of every operational table, row counts of the catalog
snapshot() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT format('%s %s %s', t, (xpath('//n/text()', x))[1], (xpath('//h/text()', x))[1])
  FROM unnest(ARRAY['organization', 'membership', 'event_chain', 'process_exclusion', 'run', 'step', 'record',
                    'run_record', 'event', 'process', 'activity', 'work_product', 'process_input',
                    'activity_input', 'process_output', 'run_transition', 'step_transition',
                    'record_transition']) AS t
 CROSS JOIN LATERAL query_to_xml(format(
       'SELECT count(*) AS n, md5(coalesce(string_agg(x::text, %L ORDER BY x::text), %L)) AS h FROM isms.%I x',
       '|', '', t), false, false, '') AS x
 ORDER BY t;
SELECT 'next run id ' || nextval('isms.run_id_seq');
SQL
}
snapshot $src >"$dir/src.txt" || fail "could not read the source"
snapshot $dst >"$dir/dst.txt" || fail "could not read the restored database"
diff "$dir/src.txt" "$dir/dst.txt" >&2 || fail "the restored database differs from the source"
grep -q '^run [1-9]' "$dir/dst.txt" || fail "nothing was restored"

isms_scenario_check -d $dst || fail "invariants violated after restore"
dst_verified=$(verified $dst)
case $dst_verified in "0 of "* | "") fail "after the restore no organisation verifies against its checkpoint" ;; esac
[ "${dst_verified% of *}" = "${dst_verified#* of }" ] ||
	fail "after the restore only $dst_verified organisations verify against their checkpoints"

# the engine works on the restored database: chain continues, ids continue
psql -qXAt -v ON_ERROR_STOP=1 -d $dst >"$dir/after.txt" <<'SQL' || fail "the engine does not work after restore"
SELECT last_event_no AS head FROM isms.event_chain WHERE org_id = 1 \gset
SELECT max(run_id) AS max_run FROM isms.run \gset
SELECT isms_scenario.incident(1, 'after restore') AS new_run \gset
SELECT (:new_run > :max_run)
       AND (SELECT min(event_no) FROM isms.event WHERE org_id = 1 AND occurred_at > now() - interval '1 hour'
              AND event_no > :head) = :head + 1
       AND (SELECT valid FROM isms.verify_events(1));
SQL
[ "$(cat "$dir/after.txt")" = t ] || fail "after restore the engine did not continue the chain and the ids"
echo "dump_restore: a plain pg_restore fails loudly and $half_verified organisations verify against the checkpoints; the replica restore: $dst_verified"
echo "dump_restore: $(grep -vc "^next" "$dir/src.txt") tables identical ($(grep '^event ' "$dir/dst.txt" | cut -d' ' -f2) events), chains valid, engine continues"
