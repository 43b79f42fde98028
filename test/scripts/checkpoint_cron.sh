#!/usr/bin/env bash
# test/scripts/checkpoint_cron.sh -- checkpoints published on a schedule
# with pg_cron, as docs/backup.md ("Publishing checkpoints") sets it up.
#
# A cluster of its own (shared_preload_libraries = pg_cron), three
# organisations, and two pg_cron jobs:
#   - isms-checkpoints-file, the superuser's: COPY ... TO PROGRAM appends
#     every organisation's isms.chain_head to a file;
#   - isms-checkpoints-outbox, isms_checkpointer's (LOGIN BYPASSRLS, no
#     superuser): inserts them into an outbox table, which a shipper role
#     copies out and then deletes.
# The jobs are scheduled with cron.schedule and checked in cron.job; the
# test runs each job's command itself (pg_cron ticks once a minute; a tick
# during the test only adds valid checkpoints, and the checks allow for
# it).  An auditor, member of every organisation, verifies every published
# checkpoint: all pass.  Then a superuser removes Acme's last events with
# session_replication_role = replica and moves isms.event_chain back: the
# checkpoints published after those events fail, exactly those, and both
# ways of verifying (one isms.verify_events(org, no, hash) per checkpoint,
# and one chain walk per organisation plus a hash lookup per checkpoint)
# agree on every checkpoint.  Exit 77 (skipped) if pg_cron cannot be
# installed.
set -u
. "$ISMS_BUILD/test/lib/cluster.sh"
. "$ISMS_BUILD/test/lib/scenario.sh"

dir=$ISMS_WORK/checkpoint_cron
cleanup() {
	isms_extra_cluster_stop "$dir/cluster"
	[ "${ISMS_KEEP:-0}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "checkpoint_cron: $*" >&2; exit 1; }
isms_extra_cluster_stop "$dir/cluster"
rm -rf "$dir"

# pg_cron 1.4 from Debian, copied into the staged server the runner built
stage=${ISMS_BIN%/usr/lib/postgresql/*}
if [ ! -f "$ISMS_BIN/../lib/pg_cron.so" ]; then
	if ! dpkg -s postgresql-$ISMS_PGVER-cron >/dev/null 2>&1; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null && apt-get install -y -qq postgresql-$ISMS_PGVER-cron >/dev/null ||
			{ echo "checkpoint_cron: skipped, postgresql-$ISMS_PGVER-cron cannot be installed"; exit 77; }
	fi
	for f in $(dpkg -L postgresql-$ISMS_PGVER-cron | grep -E "^/usr/(lib|share)/postgresql/$ISMS_PGVER/(lib/pg_cron\.so|extension/pg_cron)"); do
		install -D -m 644 "$f" "$stage$f" || fail "could not stage $f"
	done
fi

mkdir -p "$dir/published" "$dir/worm" && chown postgres "$dir/published" || exit 1
port=$(isms_extra_cluster_start "$dir/cluster" shared_preload_libraries=pg_cron cron.database_name=isms) ||
	fail "could not start a cluster with pg_cron"
export PGPORT=$port PGDATABASE=isms
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE isms" || exit 1
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION isms27022" || exit 1
isms_scenario_install || exit 1

# three organisations, an auditor of each, the checkpointer, the outbox and its shipper
psql -qXAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "could not set up the database"
SELECT isms_scenario.fill('Acme', 2), isms_scenario.fill('Globex', 1), isms_scenario.fill('Initech', 1);
CREATE ROLE ann LOGIN IN ROLE isms_auditor;
SELECT isms.add_member(org_id, 'ann', 'auditor') FROM isms.organization;

CREATE ROLE isms_checkpointer LOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA isms TO isms_checkpointer;
GRANT SELECT ON isms.organization, isms.event_chain, isms.event TO isms_checkpointer;
GRANT EXECUTE ON FUNCTION isms.chain_head(bigint) TO isms_checkpointer;
GRANT USAGE ON SCHEMA cron TO isms_checkpointer;
CREATE SCHEMA isms_audit;
CREATE TABLE isms_audit.checkpoint_outbox (
    outbox_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    db          name NOT NULL,
    org_id      bigint NOT NULL,
    event_no    bigint NOT NULL,
    hash        text NOT NULL,
    recorded_at text NOT NULL
);
GRANT USAGE ON SCHEMA isms_audit TO isms_checkpointer;
GRANT INSERT ON isms_audit.checkpoint_outbox TO isms_checkpointer;
CREATE ROLE isms_shipper LOGIN;
GRANT USAGE ON SCHEMA isms_audit TO isms_shipper;
GRANT SELECT, DELETE ON isms_audit.checkpoint_outbox TO isms_shipper;
SQL

# The two jobs, as docs/backup.md schedules them.
psql -qXAt -v ON_ERROR_STOP=1 -v file="$dir/published/checkpoints.tsv" >/dev/null <<'SQL' || fail "could not schedule the superuser's job"
SELECT cron.schedule('isms-checkpoints-file', '*/15 * * * *', format($job$
COPY (SELECT current_database(), h.org_id, h.event_no, encode(h.hash, 'hex'),
             to_char(h.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM isms.organization o CROSS JOIN LATERAL isms.chain_head(o.org_id) h ORDER BY h.org_id)
  TO PROGRAM %L
$job$, 'cat >> ' || :'file'));
SQL
psql -qXAt -v ON_ERROR_STOP=1 -U isms_checkpointer >/dev/null <<'SQL' || fail "isms_checkpointer could not schedule its job"
SELECT cron.schedule('isms-checkpoints-outbox', '*/15 * * * *', $job$
INSERT INTO isms_audit.checkpoint_outbox (db, org_id, event_no, hash, recorded_at)
SELECT current_database(), h.org_id, h.event_no, encode(h.hash, 'hex'),
       to_char(h.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  FROM isms.organization o CROSS JOIN LATERAL isms.chain_head(o.org_id) h
$job$);
SQL
jobs=$(psql -qXAt -F ' ' -c "SELECT jobname, schedule, username, database, active FROM cron.job ORDER BY jobname")
[ "$jobs" = "isms-checkpoints-file */15 * * * * postgres isms t
isms-checkpoints-outbox */15 * * * * isms_checkpointer isms t" ] || fail "cron.job holds: $jobs"

# What a tick does: the job's command, from cron.job, as the job's user.
run_job() {
	local user db cmd
	IFS='|' read -r user db < <(psql -qXAt -c "SELECT username, database FROM cron.job WHERE jobname = '$1'")
	cmd=$(psql -qXAt -c "SELECT command FROM cron.job WHERE jobname = '$1'")
	psql -qX -v ON_ERROR_STOP=1 -U "$user" -d "$db" -c "$cmd" >/dev/null
}
# The shipper: copy out the outbox, and only then delete what was copied
# (up to $shipped, the last outbox_id shipped).
shipped=0
ship() {
	local max
	max=$(psql -qXAt -v ON_ERROR_STOP=1 -U isms_shipper -c "SELECT max(outbox_id) FROM isms_audit.checkpoint_outbox") || return 1
	[ -n "$max" ] || return 0
	psql -qXAt -v ON_ERROR_STOP=1 -U isms_shipper -c "COPY (SELECT db, org_id, event_no, hash, recorded_at
		FROM isms_audit.checkpoint_outbox WHERE outbox_id <= $max ORDER BY outbox_id) TO STDOUT" >>"$dir/worm/outbox.tsv" &&
		psql -qXAt -v ON_ERROR_STOP=1 -U isms_shipper -c "DELETE FROM isms_audit.checkpoint_outbox WHERE outbox_id <= $max" &&
		shipped=$max
}
publish() {
	run_job isms-checkpoints-file || fail "the file job failed"
	run_job isms-checkpoints-outbox || fail "the outbox job failed"
	ship || fail "the shipper failed"
}

publish
# more of Acme's work after the first publication: a run planned and cancelled
cut=$(psql -qXAt -c "SELECT last_event_no FROM isms.event_chain WHERE org_id = 1")
psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT isms.cancel_run(isms.plan_run(1, '7.9', 'Later incident'), 'duplicate')" \
	>/dev/null || fail "could not add Acme's later events"
publish
[ "$(psql -qXAt -c "SELECT count(*) FROM isms_audit.checkpoint_outbox WHERE outbox_id <= $shipped")" = 0 ] ||
	fail "the shipper left shipped rows in the outbox"
for f in "$dir/published/checkpoints.tsv" "$dir/worm/outbox.tsv"; do
	[ "$(cut -f2 "$f" | sort -u | tr '\n' ' ')" = "1 2 3 " ] || fail "$f does not hold every organisation"
	[ "$(awk -F'\t' '$2 == 1 && $3 > '"$cut"'' "$f" | wc -l)" -ge 1 ] || fail "$f has no checkpoint after Acme's later events"
done

# The auditor's check, as ann: each published checkpoint verified both ways
# (docs/backup.md).  Prints "checkpoint org event_no verified_alone verified".
audit() {
	psql -qXAt -v ON_ERROR_STOP=1 -U ann -F ' ' <<SQL
CREATE TEMP TABLE checkpoint (db name, org bigint, event_no bigint, hash text, recorded_at text, n serial);
\\copy checkpoint (db, org, event_no, hash, recorded_at) FROM '$dir/published/checkpoints.tsv'
\\copy checkpoint (db, org, event_no, hash, recorded_at) FROM '$dir/worm/outbox.tsv'
-- one call per checkpoint
CREATE TEMP TABLE alone AS
SELECT c.n, coalesce(v.valid, false) AS verified
  FROM checkpoint c
  LEFT JOIN LATERAL (SELECT * FROM isms.verify_events(c.org, c.event_no, decode(c.hash, 'hex'))
                      WHERE EXISTS (SELECT FROM isms.event_chain h WHERE h.org_id = c.org)) v ON true;
-- one chain walk per organisation, one lookup per checkpoint
WITH chain AS (
    SELECT o.org, coalesce(v.valid, false) AS valid
      FROM (SELECT DISTINCT org FROM checkpoint) o
      LEFT JOIN LATERAL (SELECT * FROM isms.verify_events(o.org)
                          WHERE EXISTS (SELECT FROM isms.event_chain h WHERE h.org_id = o.org)) v ON true)
SELECT 'checkpoint', c.org, c.event_no, a.verified,
       ch.valid AND EXISTS (SELECT FROM isms.event e WHERE e.org_id = c.org AND e.event_no = c.event_no
                                                      AND e.hash = decode(c.hash, 'hex'))
  FROM checkpoint c JOIN chain ch USING (org) JOIN alone a USING (n)
 ORDER BY 2, 3;
SQL
}
# audit_summary FILE: "N of M", after checking that both ways agree and that
# exactly the checkpoints of CUT_ORG after event CUT fail (none if CUT is empty)
audit_summary() {
	local bad
	bad=$(awk -v cut="${2:-}" '$4 != $5 { print "the two ways disagree: " $0 }
		cut == "" && $4 != "t" { print "not verified: " $0 }
		cut != "" && (($2 == 1 && $3 > cut) ? "f" : "t") != $4 { print "unexpected: " $0 }' "$1")
	[ -z "$bad" ] || fail "$bad"
	echo "$(awk '$4 == "t"' "$1" | wc -l) of $(wc -l <"$1")"
}
audit >"$dir/audit_before.txt" || fail "the auditor's check failed to run"
before=$(audit_summary "$dir/audit_before.txt")

# The superuser removes Acme's events after the cut and moves the chain head back.
psql -qXAt -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "could not tamper"
SET session_replication_role = replica;
DELETE FROM isms.event WHERE org_id = 1 AND event_no > $cut;
UPDATE isms.event_chain c SET last_event_no = e.event_no, last_hash = e.hash
  FROM isms.event e WHERE c.org_id = 1 AND e.org_id = 1 AND e.event_no = $cut;
SQL
alone=$(psql -qXAt -U ann -c "SELECT CASE WHEN valid THEN 'valid' ELSE problem END FROM isms.verify_events(1)")
audit >"$dir/audit_after.txt" || fail "the auditor's check failed to run after the tampering"
after=$(audit_summary "$dir/audit_after.txt" "$cut")
read -r _ _ no hash _ < <(awk -F'\t' '$2 == 1' "$dir/worm/outbox.tsv" | tail -1)
problem=$(psql -qXAt -U ann -c "SELECT problem FROM isms.verify_events(1, $no, decode('$hash', 'hex'))")

echo "checkpoint_cron: cron.job: isms-checkpoints-file (postgres), isms-checkpoints-outbox (isms_checkpointer), */15 * * * *"
echo "checkpoint_cron: published $(wc -l <"$dir/published/checkpoints.tsv") checkpoints to the file and shipped $(wc -l <"$dir/worm/outbox.tsv") from the outbox; the auditor verifies $before"
echo "checkpoint_cron: Acme's events after $cut removed, head moved back: verify_events(1) alone says: $alone"
echo "checkpoint_cron: against the published checkpoints: $after verify; the last of Acme's: $problem"
