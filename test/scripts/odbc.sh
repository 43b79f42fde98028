#!/usr/bin/env bash
# test/scripts/odbc.sh -- a real BI client on the reporting views: the
# PostgreSQL ODBC driver through unixODBC's isql, logged in as a role that
# holds only isms_reader and belongs to one organisation.  It must read every
# view of isms_report (with rows), be refused on an operational table, and
# see nothing of the other organisation.  Uses the harness environment
# (PGHOST, PGPORT, PGUSER, ISMS_WORK); exits non-zero on failure; drops the
# database and role it made.
set -eu

need=()
dpkg -s odbc-postgresql >/dev/null 2>&1 || need+=(odbc-postgresql)
dpkg -s unixodbc >/dev/null 2>&1 || need+=(unixodbc)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
driver=$(find /usr/lib -name psqlodbcw.so 2>/dev/null | head -1)
[ -n "$driver" ] || { echo "psqlodbcw.so not found"; exit 1; }

db=isms_odbc
role=isms_odbc_reader
pass=odbc$RANDOM$RANDOM
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
cleanup() {
	sql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

# Two organisations with rows in every view (test/lib/view_fixture.sql); the
# reader is a member of the first.
sql -d postgres -c "CREATE DATABASE $db"
sql -d "$db" -v prefix=ODBC -v role="$role" -v pass="$pass" -f "$ISMS_BUILD/test/lib/view_fixture.sql" >/dev/null
acme=$(sql -d "$db" -c "SELECT min(org_id) FROM isms.organization")

# unixODBC configuration under the work directory.
odbc=$ISMS_WORK/odbc
mkdir -p "$odbc"
cat >"$odbc/odbcinst.ini" <<INI
[PostgreSQL Unicode]
Description = PostgreSQL ODBC driver (Unicode)
Driver = $driver
INI
cat >"$odbc/odbc.ini" <<INI
[isms]
Driver = PostgreSQL Unicode
Servername = $PGHOST
Port = $PGPORT
Database = $db
INI
export ODBCSYSINI=$odbc ODBCINI=$odbc/odbc.ini

# One statement through isql as the reader: prints the result rows, or the
# server's error (isql -b exits 0 either way); fails on an error.
query() {
	local out
	out=$(echo "$1" | isql -b -v -d'|' isms "$role" "$pass" 2>&1)
	echo "$out"
	! echo "$out" | grep -q '^\[ISQL\]ERROR\|^\[[0-9A-Z]*\]\['
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

views=$(sql -d "$db" -c "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
                          WHERE relnamespace = 'isms_report'::regnamespace AND relkind = 'v'")
[ "$(echo $views | wc -w)" -ge 9 ] || fail "expected at least 9 reporting views, found: $views"
for v in $views; do
	out=$(query "SELECT count(*), count(DISTINCT org_id), min(org_id) FROM isms_report.$v") ||
		{ fail "$v: isql failed: $out"; continue; }
	line=$(echo "$out" | grep -E '^[0-9]+\|' | head -1)
	IFS='|' read -r n orgs org <<<"$line"
	echo "$v: $n rows"
	[ "${n:-0}" -gt 0 ] || fail "$v: no rows ($out)"
	[ "${orgs:-}" = 1 ] && [ "${org:-}" = "$acme" ] || fail "$v: rows of other organisations ($line)"
done

out=$(query "SELECT count(*) FROM isms.record") && fail "isms.record was readable: $out"
echo "$out" | grep -q "permission denied" || fail "isms.record: expected permission denied, got: $out"
echo "isms.record: $(echo "$out" | grep -o 'permission denied[^;]*' | head -1)"
out=$(query "DELETE FROM isms_report.pending_approvals") && fail "a reporting view was writable: $out"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "odbc: every view read through ODBC, operational table refused"
