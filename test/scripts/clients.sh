#!/usr/bin/env bash
# test/scripts/clients.sh -- the reporting views in the clients BI tools use,
# with no setup (issue 18; 160_bi.sql): psycopg 2 (python3-psycopg2), JDBC
# (libpostgresql-jdbc-java, default settings; DatabaseMetaData introspection
# and setString parameters) and node-pg (Debian node-pg) or, where node-pg
# cannot be installed, psqlODBC through unixODBC's isql.  Each logs in as a
# role that holds only isms_reader, is a reader of one organisation and has
# no search_path setting (so isms is not on it), filters
# process_code = '7.4', sorts the codes numerically by process_sort and
# reads every view of isms_report with rows.  test/clients/ holds the
# programs.  Uses the harness environment (PGHOST, PGPORT, PGUSER,
# ISMS_BUILD, ISMS_WORK); exits non-zero on failure; drops what it made.
set -u
here=$(cd "$(dirname "$0")/../clients" && pwd)

# What the clients need, from Debian (installed once).
need=()
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || need+=(python3-psycopg2)
[ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
java --list-modules 2>/dev/null | grep -q '^jdk.compiler' || need+=(default-jdk-headless)
node -e "require('pg')" 2>/dev/null || dpkg -s odbc-postgresql unixodbc >/dev/null 2>&1 || need+=(odbc-postgresql unixodbc)
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null ||
		{ echo "clients: cannot install ${need[*]}"; exit 1; }
fi
node=no
if command -v node >/dev/null; then
	node -e "require('pg')" 2>/dev/null || apt-get install -y -qq node-pg >/dev/null 2>&1
	node -e "require('pg')" 2>/dev/null && node=yes
fi

db=isms_clients
role=isms_clients_reader
pass=clients$RANDOM$RANDOM
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
cleanup() {
	sql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

# Two organisations with rows in every view (test/lib/view_fixture.sql); the
# reader is a member of the first.
sql -d postgres -c "CREATE DATABASE $db" || exit 1
sql -d "$db" -v prefix=Clients -v role="$role" -v pass="$pass" -f "$ISMS_BUILD/test/lib/view_fixture.sql" >/dev/null || exit 1

failures=0
matrix=()
run() { # name command...
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc -eq 0 ]; then matrix+=("$name: filter ok, sort ok, every view read"); else
		matrix+=("$name: FAILED"); failures=$((failures + 1)); fi
}

run psycopg2 /usr/bin/python3 "$here/clients.py" "host=$PGHOST port=$PGPORT dbname=$db user=$role password=$pass"

classes=$ISMS_WORK/clients
mkdir -p "$classes"
if javac -nowarn -d "$classes" "$here/Clients.java" 2>&1; then
	run jdbc java -cp "$classes:/usr/share/java/postgresql.jar" Clients \
		"jdbc:postgresql://$PGHOST:$PGPORT/$db" "$role" "$pass"
else
	matrix+=("jdbc: FAILED (javac)"); failures=$((failures + 1))
fi

if [ $node = yes ]; then
	run node-pg node "$here/clients.js" "postgresql://$role:$pass@$PGHOST:$PGPORT/$db"
else
	# psqlODBC through isql (no parameters there: the filter is a literal).
	driver=$(find /usr/lib -name psqlodbcw.so 2>/dev/null | head -1)
	odbc=$ISMS_WORK/clients_odbc
	mkdir -p "$odbc"
	printf '[PostgreSQL Unicode]\nDriver = %s\n' "$driver" >"$odbc/odbcinst.ini"
	printf '[isms]\nDriver = PostgreSQL Unicode\nServername = %s\nPort = %s\nDatabase = %s\n' \
		"$PGHOST" "$PGPORT" "$db" >"$odbc/odbc.ini"
	export ODBCSYSINI=$odbc ODBCINI=$odbc/odbc.ini
	odbc_client() {
		local q out v n bad=0
		q() { echo "$1" | isql -b -v -d'|' isms "$role" "$pass" 2>&1; }
		out=$(q "SELECT process_code FROM isms_report.process_status WHERE process_code = '7.4'")
		[ "$(echo "$out" | grep -c '^7\.4$')" = 1 ] && echo "odbc     filter process_code = '7.4'   ok" ||
			{ echo "odbc     filter FAILED: $out"; bad=1; }
		out=$(q "SELECT string_agg(process_code, ' ' ORDER BY process_sort) FROM isms_report.process_status")
		echo "$out" | grep -q '^6\.2 7\.2 7\.3 7\.4 7\.5 7\.6 7\.7 7\.8 7\.9 7\.10 7\.11 7\.12 7\.13 8\.2 8\.3 8\.4 8\.5$' &&
			echo "odbc     sort by process_sort         ok" || { echo "odbc     sort FAILED: $out"; bad=1; }
		for v in $(sql -d "$db" -c "SELECT relname FROM pg_class WHERE relnamespace = 'isms_report'::regnamespace
		                              AND relkind = 'v' ORDER BY 1"); do
			out=$(q "SELECT * FROM isms_report.$v")
			n=$(echo "$out" | grep -c '|')
			if [ "$n" -gt 0 ] && ! echo "$out" | grep -q '^\[ISQL\]ERROR\|^\[[0-9A-Z]*\]\['; then
				echo "odbc     read $v ok $n rows"
			else echo "odbc     read $v FAILED: $(echo "$out" | head -3)"; bad=1; fi
		done
		return $bad
	}
	run odbc odbc_client
fi

printf 'client matrix (reader role, no search_path):\n'
printf '  %s\n' "${matrix[@]}"
[ "$failures" -eq 0 ] || { echo "clients: $failures client(s) failed"; exit 1; }
echo "clients: every client filters, sorts and reads every view with no setup"
