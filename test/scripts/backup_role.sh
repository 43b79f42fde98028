#!/usr/bin/env bash
# test/scripts/backup_role.sh -- the backup and restore procedures of
# docs/backup.md, as a DBA runs them.
#
# Fills a database of the runner's cluster with three organisations (the
# scenario of dump_restore.sh, and an assessor rating); the auditor's
# checkpoints are taken first.  Then:
#   - backup as isms_backup (LOGIN BYPASSRLS IN ROLE pg_read_all_data, no
#     superuser, no membership anywhere): the roles without passwords, the
#     manifest of chain heads (read with row_security = off) and
#     pg_dump -Fc; isms_backup_db (BYPASSRLS and grants on schema isms
#     instead of pg_read_all_data) dumps the same data;
#   - restore on a second, fresh cluster as its superuser, in one
#     transaction: a restore before the roles fails loudly and leaves
#     nothing; after the roles, pg_restore with session_replication_role =
#     replica restores every table of the database (count and checksum)
#     and every sequence, every organisation verifies against the manifest
#     and against the auditor's checkpoints, and a new run and rating get
#     ids after the restored ones;
#   - a role without BYPASSRLS never takes a backup that passes: pg_dump
#     fails on row-level security (or on the policies' function), and where
#     --enable-row-security lets it exit 0 (a role of isms_auditor of no
#     organisation, an auditor of one), the manifest step fails and the
#     restored dump verifies against 0 of 3 and 1 of 3 checkpoints.
set -u
. "$ISMS_BUILD/test/lib/cluster.sh"
. "$ISMS_BUILD/test/lib/scenario.sh"

dir=$ISMS_WORK/backup_role
src=isms_backup_src
roles="isms_backup isms_backup_db isms_backup_norls isms_backup_auditor isms_backup_admin"
cleanup() {
	isms_extra_cluster_stop "$dir/restore"
	[ "${ISMS_KEEP:-0}" = 1 ] || rm -rf "$dir"
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $src" 2>/dev/null
	for r in $roles; do psql -qX -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null; done
}
trap cleanup EXIT
fail() { echo "backup_role: $*" >&2; exit 1; }
cleanup
rm -rf "$dir"
mkdir -p "$dir"

psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src" || exit 1
psql -qX -v ON_ERROR_STOP=1 -d $src -c "CREATE EXTENSION isms27022" || exit 1
isms_scenario_install -d $src || exit 1
psql -qXAt -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL' || fail "could not fill the source database"
SELECT isms_scenario.fill('Acme', 3), isms_scenario.fill('Globex', 2), isms_scenario.fill('Initech', 1);
SELECT isms_scenario.act('dora');
SELECT isms.rate_process(1, '7.9', 'PA 1.1', 'F', 'every incident closed with lessons learned');
-- the documented backup role, and two that lack BYPASSRLS
CREATE ROLE isms_backup LOGIN BYPASSRLS IN ROLE pg_read_all_data;
-- the same, reading this database only
CREATE ROLE isms_backup_db LOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA isms TO isms_backup_db;
GRANT SELECT ON ALL TABLES IN SCHEMA isms TO isms_backup_db;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA isms TO isms_backup_db;
CREATE ROLE isms_backup_norls LOGIN IN ROLE pg_read_all_data;
-- an auditor of Acme only, whose login someone uses for backups
CREATE ROLE isms_backup_auditor LOGIN IN ROLE pg_read_all_data, isms_auditor;
SELECT isms.add_member(1, 'isms_backup_auditor', 'auditor');
SQL

# only a superuser can give BYPASSRLS
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE isms_backup_admin LOGIN CREATEROLE" || exit 1
psql -qX -U isms_backup_admin -d postgres -c "CREATE ROLE isms_backup_x LOGIN BYPASSRLS" 2>"$dir/createrole.err" &&
	fail "a CREATEROLE role created a BYPASSRLS role"
grep -q 'must be superuser to create bypassrls users' "$dir/createrole.err" || { cat "$dir/createrole.err" >&2; fail "CREATE ROLE ... BYPASSRLS by a CREATEROLE role failed otherwise"; }

# the auditor's checkpoints, kept outside the database (org, event_no, hash in hex)
psql -qXAt -v ON_ERROR_STOP=1 -d $src -F $'\t' -c "SELECT h.org_id, h.event_no, encode(h.hash, 'hex')
	FROM isms.organization o, isms.chain_head(o.org_id) h ORDER BY 1" >"$dir/checkpoints.tsv" ||
	fail "could not take the checkpoints"
orgs=$(wc -l <"$dir/checkpoints.tsv")

# Step 2 of the backup: the manifest of chain heads, as the backup role.
# row_security = off makes a role that would see only some rows fail.
manifest() {
	psql -qXAt -v ON_ERROR_STOP=1 -U "$1" -d $src -c "SET row_security = off" -c "COPY (
		SELECT 'org', org_id, last_event_no, encode(last_hash, 'hex') FROM isms.event_chain
		UNION ALL SELECT 'extension', NULL, NULL, extversion FROM pg_extension WHERE extname = 'isms27022'
		ORDER BY 1 DESC, 2) TO STDOUT"
}

# How many checkpoints of FILE (org, event_no, hex hash) the database
# verifies against, on the restore cluster; a missing organisation counts
# as not verified.
verified() {
	psql -qXAt -v ON_ERROR_STOP=1 -p "$port" -d "$1" <<SQL
CREATE TEMP TABLE checkpoint (org bigint, event_no bigint, hash text);
\\copy checkpoint FROM '$2'
SELECT count(*) FILTER (WHERE v.valid) || ' of ' || count(*)
  FROM checkpoint c
  LEFT JOIN LATERAL (SELECT * FROM isms.verify_events(c.org, c.event_no, decode(c.hash, 'hex'))
                      WHERE EXISTS (SELECT FROM isms.event_chain h WHERE h.org_id = c.org)) v ON true;
SQL
}

# Restore by the documented procedure (as the restore cluster's superuser)
# into a new database, in one transaction.
restore() {
	psql -qX -v ON_ERROR_STOP=1 -p "$port" -d postgres -c "CREATE DATABASE $1 TEMPLATE template0" &&
		PGOPTIONS='-c session_replication_role=replica' \
			"$ISMS_BIN/pg_restore" --single-transaction --exit-on-error -p "$port" -d "$1" "$2"
}

# Count and checksum of every table of the database, every sequence.
snapshot() {
	psql -qXAt -v ON_ERROR_STOP=1 "$@" <<'SQL'
SELECT format('%s.%s %s %s', n.nspname, c.relname, (xpath('//n/text()', x))[1],
              -- the notification secret is new in every database (docs/backup.md)
              CASE WHEN c.oid <> 'isms.notify_secret'::regclass THEN (xpath('//h/text()', x))[1] END)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL query_to_xml(format(
       'SELECT count(*) AS n, md5(coalesce(string_agg(x::text, %L ORDER BY x::text), %L)) AS h FROM %I.%I x',
       '|', '', n.nspname, c.relname), false, false, '') AS x
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1;
SELECT format('%s.%s %s', schemaname, sequencename, last_value) FROM pg_sequences ORDER BY 1;
SQL
}

# The backup, step by step, as isms_backup.
"$ISMS_BIN/pg_dumpall" -U isms_backup --roles-only --no-role-passwords -f "$dir/roles.sql" ||
	fail "pg_dumpall --roles-only as isms_backup failed"
manifest isms_backup >"$dir/manifest.tsv" || fail "the manifest as isms_backup failed"
"$ISMS_BIN/pg_dump" -U isms_backup -Fc -d $src -f "$dir/isms.dump" 2>"$dir/dump.err" ||
	{ cat "$dir/dump.err" >&2; fail "pg_dump as isms_backup failed"; }
# the per-database variant dumps the same data
"$ISMS_BIN/pg_dump" -U isms_backup_db -Fc -d $src -f "$dir/isms_db.dump" 2>"$dir/dump_db.err" ||
	{ cat "$dir/dump_db.err" >&2; fail "pg_dump as isms_backup_db failed"; }
for d in isms isms_db; do
	"$ISMS_BIN/pg_restore" --data-only -f - "$dir/$d.dump" | grep -v '^\\\(un\)\?restrict ' >"$dir/$d.data.sql"
done
cmp -s "$dir/isms.data.sql" "$dir/isms_db.data.sql" || fail "isms_backup_db's dump holds other data than isms_backup's"
[ "$(grep -c '^org' "$dir/manifest.tsv")" = "$orgs" ] || fail "the manifest does not hold $orgs organisations"
grep '^org' "$dir/manifest.tsv" | cut -f2- >"$dir/heads.tsv"

# The restore target: a fresh cluster (a new server after a disaster).
port=$(isms_extra_cluster_start "$dir/restore") || fail "could not start the restore cluster"

# Without the roles first, the restore fails loudly on the first row that names one.
if restore noroles "$dir/isms.dump" 2>"$dir/noroles.err"; then
	fail "a restore into a cluster without the roles was accepted"
fi
grep -q 'role "isms_backup_auditor" does not exist' "$dir/noroles.err" ||
	{ cat "$dir/noroles.err" >&2; fail "the restore without the roles failed, but not on a missing role"; }
[ "$(psql -qXAt -p "$port" -d noroles -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'isms%'")" = 0 ] ||
	fail "the failed restore left a half-restored database"

# Roles, then the database.  The superuser's own role exists, and so do the
# extension's group roles that the failed restore created.
psql -qX -p "$port" -d postgres -f "$dir/roles.sql" >/dev/null 2>"$dir/roles.err"
if grep ERROR "$dir/roles.err" | grep -qv 'role "[a-z_]*" already exists'; then
	cat "$dir/roles.err" >&2
	fail "restoring the roles failed"
fi
restore restored "$dir/isms.dump" 2>"$dir/restore.err" || { cat "$dir/restore.err" >&2; fail "the documented restore failed"; }

snapshot -d $src >"$dir/src.txt" || fail "could not read the source"
snapshot -p "$port" -d restored >"$dir/restored.txt" || fail "could not read the restored database"
diff "$dir/src.txt" "$dir/restored.txt" >&2 || fail "the restored database differs from the source"
grep -q '^isms\.event [1-9]' "$dir/restored.txt" || fail "no event was restored"
[ "$(psql -qXAt -p "$port" -d restored -c "SELECT extversion FROM pg_extension WHERE extname = 'isms27022'")" = \
	"$(awk -F'\t' '$1 == "extension" { print $4 }' "$dir/manifest.tsv")" ] || fail "another extension version was restored"
isms_scenario_check -p "$port" -d restored || fail "invariants violated after restore"
by_manifest=$(verified restored "$dir/heads.tsv")
by_auditor=$(verified restored "$dir/checkpoints.tsv")
[ "$by_manifest" = "$orgs of $orgs" ] && [ "$by_auditor" = "$orgs of $orgs" ] ||
	fail "after the restore, the manifest verifies $by_manifest and the checkpoints $by_auditor"
# the engine goes on: a new run and a new rating get ids after the restored ones
psql -qXAt -v ON_ERROR_STOP=1 -p "$port" -d restored >"$dir/after.txt" <<'SQL' || fail "the engine does not work after the restore"
SET isms.actor = 'dora';
SELECT max(run_id) AS max_run, max(rating_id) AS max_rating FROM isms.run, isms.assessment_rating \gset
SELECT isms_scenario.incident(1, 'after restore') > :max_run,
       isms.rate_process(1, '7.9', 'PA 2.1', 'L', 'after restore') > :max_rating,
       (SELECT bool_and(v.valid) FROM isms.organization o, isms.verify_events(o.org_id) v);
SQL
[ "$(cat "$dir/after.txt")" = "t|t|t" ] || fail "after the restore the engine did not continue the ids and chains: $(cat "$dir/after.txt")"
tables=$(grep -c '^[a-z_]*\.[a-z_]* [0-9]* ' "$dir/restored.txt")
sequences=$(($(wc -l <"$dir/restored.txt") - tables))
echo "backup_role: isms_backup's dump restored: $tables tables and $sequences sequences identical ($(grep '^isms\.event ' "$dir/restored.txt" | cut -d' ' -f2) events); manifest $by_manifest, auditor's checkpoints $by_auditor verified"

# A role without BYPASSRLS: every attempt fails loudly, or its restore does
# not verify.  attempt NAME ROLE [pg_dump options]: pg_dump's exit status and
# its first error.
attempt() {
	local name=$1 role=$2
	shift 2
	"$ISMS_BIN/pg_dump" -U "$role" "$@" -Fc -d $src -f "$dir/$name.dump" 2>"$dir/$name.err"
	echo "rc=$? $(grep -m1 'ERROR:' "$dir/$name.err" | sed 's/.*ERROR: *//')"
}
out=$(attempt norls isms_backup_norls)
case $out in "rc=1 query would be affected by row-level security policy for table"*) ;; *) fail "isms_backup_norls: $out" ;; esac
[ -s "$dir/norls.dump" ] || fail "the failed pg_dump left no file (docs/backup.md says it does)"
echo "backup_role: pg_dump as a role without BYPASSRLS: $out"
out=$(attempt norls_rls isms_backup_norls --enable-row-security)
case $out in "rc=1 permission denied for function member_role") ;; *) fail "isms_backup_norls --enable-row-security: $out" ;; esac
echo "backup_role: the same with --enable-row-security: $out"

# what --enable-row-security lets through exits 0 but does not verify
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "GRANT isms_auditor TO isms_backup_norls" || exit 1
for r in isms_backup_norls isms_backup_auditor; do
	out=$(attempt "$r" "$r" --enable-row-security)
	[ "$out" = "rc=0 " ] || fail "$r --enable-row-security: $out"
	manifest "$r" >/dev/null 2>"$dir/$r.manifest.err" && fail "the manifest as $r was accepted"
	grep -q 'query would be affected by row-level security policy' "$dir/$r.manifest.err" ||
		{ cat "$dir/$r.manifest.err" >&2; fail "the manifest as $r failed, but not on row-level security"; }
	restore "$r" "$dir/$r.dump" 2>"$dir/$r.restore.err" || { cat "$dir/$r.restore.err" >&2; fail "the restore of $r's dump failed"; }
	v=$(verified "$r" "$dir/checkpoints.tsv")
	case $r in
	isms_backup_norls) want="0 of $orgs" who="isms_auditor of no organisation" ;;
	*) want="1 of $orgs" who="auditor of Acme" ;;
	esac
	[ "$v" = "$want" ] || fail "$r's dump verifies $v against the checkpoints (expected $want)"
	echo "backup_role: --enable-row-security as $who: pg_dump rc=0, $(psql -qXAt -p "$port" -d "$r" -c "SELECT count(*) FROM isms.event") events; manifest step refused; checkpoints verified $v"
done
